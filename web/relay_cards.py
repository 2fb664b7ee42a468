"""The result cards of the relay search page (``site/search.html``), written in Python.

Through the template engine (an ``{% include %}`` per card, a filter, a ``{% url %}`` or a
``{% translate %}`` per line) the cards took about half of the results page's time (profile in
issue 14): each card is now one pass of string formatting (``_e`` escapes as the template did: Django's
``escape`` is ``html.escape``), its fixed words translated and escaped once per language
(``web.page_cache``). The markup is what ``site/_relay_card.html`` wrote, pinned by
``tests/site/test_results_markup.py``.
"""

from __future__ import annotations

from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from web import page_cache
from web.templatetags.site_extras import colon, distance, localized, opening_hours, phone, why


def _e(value) -> str:
    return escape(str(value))


def _words() -> dict[str, str]:
    """The cards' fixed words in the active language, escaped (the colon after a label
    included)."""
    sep = colon()
    words = {
        "to_check": gettext("informations à vérifier"),
        "demo": gettext("démonstration (fictif)"),
        "region": gettext("dans votre région"),
        "national": gettext("service national"),
        "market": gettext("marché visé"),
        "contact": gettext("À contacter") + sep,
        "phone": gettext("Téléphone") + sep,
        "email": gettext("Courriel") + sep,
        "no_contact": gettext("Pas de contact nommé : voyez la fiche de la structure."),
        "address": gettext("Adresse") + sep,
        "website": gettext("Site web") + sep,
        "hours": gettext("Horaires") + sep,
        "report": gettext("Signaler une erreur"),
    }
    return {key: _e(text) for key, text in words.items()}


def _capfirst(text) -> str:
    # Django's ``capfirst`` filter.
    text = str(text)
    return text[0].upper() + text[1:] if text else text


def _tags(result, words: dict[str, str], *, fallback: bool) -> list[str]:
    """The card's tags but its conditions, in the order they are shown."""
    tags = []
    if result.information_to_check:
        tags.append(f'<li class="tag tag--warn">{words["to_check"]}</li>')
    if result.structure.is_demo:
        tags.append(f'<li class="tag tag--warn">{words["demo"]}</li>')
    if fallback:
        tags.append(f'<li class="tag tag--warn">{_e(_capfirst(result.fallback_label))}</li>')
    if result.region_first:
        tags.append(f'<li class="tag tag--accent">{words["region"]}</li>')
    if result.is_national:
        tags.append(f'<li class="tag">{words["national"]}</li>')
    if result.market_match == "explicit":
        tags.append(f'<li class="tag tag--accent">{words["market"]}</li>')
    tags.append(f'<li class="tag">{_e(_capfirst(result.offer.get_delivery_display()))}</li>')
    tags.append(f'<li class="tag">{_e(_capfirst(result.offer.get_cost_display()))}</li>')
    return tags


def _contact_lines(result, words: dict[str, str]) -> list[str]:
    """The contact box: whom to call, the address, the website, the opening hours."""
    structure, contact = result.structure, result.contact
    lines = []
    if contact:
        role = f", {_e(contact.role)}" if contact.role else ""
        lines.append(f"<p><strong>{words['contact']}</strong> {_e(contact.name)}{role}</p>")
        if contact.phone:
            lines.append(
                f'<p>{words["phone"]} <a href="tel:{_e(contact.phone)}">'
                f"{_e(phone(contact.phone))}</a></p>"
            )
        if contact.email:
            email = _e(contact.email)
            lines.append(f'<p>{words["email"]} <a href="mailto:{email}">{email}</a></p>')
    else:
        lines.append(f"<p>{words['no_contact']}</p>")
    line, postal_code = structure.address_line, structure.postal_code
    if line or postal_code:
        commune = f" {structure.commune.name}" if structure.commune else ""
        address = f"{line}{', ' if line and postal_code else ''}{postal_code}{commune}"
        lines.append(f"<p>{words['address']} {_e(address)}</p>")
    if structure.website:
        shown = structure.website.replace("https://", "").replace("http://", "")
        lines.append(
            f'<p>{words["website"]} <a href="{_e(structure.website)}" rel="noopener">'
            f"{_e(shown)}</a></p>"
        )
    hours = opening_hours(structure.opening_hours)
    if hours:
        lines.append(f"<p>{words['hours']} {_e(' ; '.join(hours))}</p>")
    return lines


def relay_card(number: int, result, *, fallback: bool, words: dict[str, str]) -> SafeString:
    """The ``<li>`` of ``result`` at ``number`` in the list (a fallback when ``fallback``)."""
    structure = result.structure
    name = _e(structure)
    if structure.commune:
        place = f" · {structure.commune.name}"
    elif structure.country:
        place = f" · {localized(structure.country)}"
    else:
        place = ""
    detail_url = _e(reverse("structure-detail", args=[structure.slug]))
    correction_url = _e(reverse("structure-correction", args=[structure.slug]))
    # The conditions on one line, as the template had them (no space between these tags).
    conditions = "".join(
        f'<li class="tag tag--condition">{_e(_capfirst(note))}</li>' for note in result.notes
    )
    lines = [
        f'<li class="relay{" relay--fallback" if fallback else ""}" id="relais-{number}">',
        '  <div class="relay-head">',
        f'    <span class="relay-number" aria-hidden="true">{number}</span>',
        '    <div class="relay-title">',
        f'      <h3><a href="{detail_url}">{name}</a></h3>',
        f'      <p class="relay-kind">{_e(structure.get_kind_display())}{_e(place)}</p>',
        "    </div>",
        "  </div>",
        '  <ul class="inline-list">',
        f'    <li class="relay-distance">{_e(distance(result))}</li>',
        *(f"    {tag}" for tag in _tags(result, words, fallback=fallback)),
        f"    {conditions}",
        "  </ul>",
        f'  <p class="relay-why">{_e(why(result))}</p>',
        '  <div class="contact-box">',
        *(f"    {line}" for line in _contact_lines(result, words)),
        "  </div>",
        f'  <p class="report-link"><a href="{correction_url}?offre={result.offer.pk}">'
        f'{words["report"]}<span class="visually-hidden"> ({name})</span></a></p>',
        "</li>",
    ]
    return mark_safe("\n".join(lines))


def relay_cards(numbered, *, fallback: bool) -> list[SafeString]:
    """The cards of ``(number, result)`` pairs, in the active language."""
    words = page_cache.cached("relay-card-words", _words)
    return [relay_card(n, r, fallback=fallback, words=words) for n, r in numbered]
