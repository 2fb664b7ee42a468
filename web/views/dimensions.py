"""The public page of the "4 D" of a territory (région, département, EPCI): density, diversity,
dynamics and directionality beside its parent and siblings (``insights.dimensions``,
docs/insights.md), with small server-drawn charts, each paired with its table."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from insights.dimensions import (
    TerritoryDimensions,
    TerritoryFigures,
    territory_dimensions,
)
from insights.enums import INSIGHT_LEVELS
from territories.enums import TerritoryLevel
from territories.models import Territory
from web.charts import Bar, Marker, bar_chart, number, percent
from web.views.territories import territory_or_404

# The selector's rounding: the page shows the API's figures.
RATE_DECIMALS = 2
SHANNON_DECIMALS = 2

# The density figures compared with the parent and the siblings: key → column heading.
DENSITY_RATES = (
    ("structures_per_100k", gettext_lazy("Structures situées pour 100 000 habitants")),
    ("relays_per_100k", gettext_lazy("Relais compétents pour 100 000 habitants")),
    ("structures_per_1000_smes", gettext_lazy("Structures situées pour 1 000 PME")),
    ("relays_per_1000_smes", gettext_lazy("Relais compétents pour 1 000 PME")),
)
DYNAMICS_FIGURES = (
    ("structures_created", gettext_lazy("Fiches créées")),
    ("structures_updated", gettext_lazy("Fiches modifiées")),
    ("structures_confirmed", gettext_lazy("Fiches confirmées à jour")),
    ("offers_created", gettext_lazy("Offres ajoutées")),
    ("offers_updated", gettext_lazy("Offres modifiées")),
    ("offers_closed", gettext_lazy("Offres fermées")),
    ("events", gettext_lazy("Événements enregistrés")),
)

# The same figures in a sentence ("1 fiche créée", "3 fiches créées").
# Literal ngettext calls, one per figure, so that makemessages finds both forms.
DYNAMICS_STATS = {
    "structures_created": lambda n: ngettext("fiche créée", "fiches créées", n),
    "structures_updated": lambda n: ngettext("fiche modifiée", "fiches modifiées", n),
    "structures_confirmed": lambda n: ngettext(
        "fiche confirmée à jour", "fiches confirmées à jour", n
    ),
    "offers_created": lambda n: ngettext("offre ajoutée", "offres ajoutées", n),
    "offers_updated": lambda n: ngettext("offre modifiée", "offres modifiées", n),
    "offers_closed": lambda n: ngettext("offre fermée", "offres fermées", n),
    "events": lambda n: ngettext("événement enregistré", "événements enregistrés", n),
}


@dataclass(frozen=True)
class Compared:
    """A territory of the comparison (the one asked about, its parent or a sibling), its 4 D
    page when it has one, and its figures as the page writes them."""

    figures: TerritoryFigures
    role: str  # "territory", "parent" or "sibling"
    label: str
    url: str | None
    cells: dict[str, str]

    @property
    def is_territory(self) -> bool:
        return self.role == "territory"


def parent_label(ref) -> str:
    """The parent's name with its level, told apart from a sibling of the same name."""
    return _("%(name)s (%(level)s)") % {"name": ref.name, "level": TerritoryLevel(ref.level).label}


def _page_url(level: str, code: str) -> str | None:
    if level not in INSIGHT_LEVELS:
        return None
    return reverse("territory-dimensions-page", args=[level, code])


def _cells(figures: TerritoryFigures) -> dict[str, str]:
    density, diversity, dynamics = figures.density, figures.diversity, figures.dynamics
    cells = {
        "population": number(density.population),
        "smes": number(density.smes),
        "structures": number(density.structures),
        "relays": number(density.relays),
        "kinds_present": number(diversity.kinds_present),
        "services_present": number(diversity.services_present),
        "services_with_relay": number(diversity.services_with_relay),
        "shannon_kinds": number(diversity.shannon_kinds, decimals=SHANNON_DECIMALS),
        "shannon_services": number(diversity.shannon_services, decimals=SHANNON_DECIMALS),
    }
    for key, _label in DENSITY_RATES:
        cells[key] = number(getattr(density, key), decimals=RATE_DECIMALS)
    for key, _label in DYNAMICS_FIGURES:
        cells[key] = number(getattr(dynamics, key))
    return cells


def _compared(result: TerritoryDimensions) -> list[Compared]:
    """The siblings (the territory among them) by code, then the parent."""
    rows = []
    for figures in result.siblings:
        ref = figures.territory
        own = ref.id == result.territory.territory.id
        rows.append(
            Compared(
                figures=result.territory if own else figures,
                role="territory" if own else "sibling",
                label=ref.name,
                url=_page_url(ref.level, ref.code),
                cells=_cells(result.territory if own else figures),
            )
        )
    if result.parent is not None:
        ref = result.parent.territory
        rows.append(
            Compared(
                figures=result.parent,
                role="parent",
                # "Martinique (région)": a département's région may bear its name.
                label=parent_label(ref),
                url=_page_url(ref.level, ref.code),
                cells=_cells(result.parent),
            )
        )
    return rows


def _comparison_chart(
    rows: list[Compared], *, uid: str, key: str, value, title: str, description: str, marker=None
):
    """Bars of one figure for every compared territory: peers by decreasing value (none last),
    the parent at the end as a reference."""
    peers = [r for r in rows if r.role != "parent"]
    peers.sort(key=lambda r: (value(r.figures) is None, -(value(r.figures) or 0), r.label))
    ordered = peers + [r for r in rows if r.role == "parent"]
    bars = [
        Bar(
            label=r.label,
            value=value(r.figures),
            display=r.cells[key],
            highlight=r.is_territory,
            muted=r.role == "parent",
        )
        for r in ordered
    ]
    return bar_chart(uid=uid, title=title, description=description, bars=bars, marker=marker)


@require_GET
def territory_dimensions_page(request: HttpRequest, level: str, code: str) -> HttpResponse:
    territory = territory_or_404(level, code, levels=INSIGHT_LEVELS)
    result = territory_dimensions(territory=territory)
    target = result.territory
    name = territory.name
    rows = _compared(result)
    level_label = territory.get_level_display()

    density_charts = []
    for key, heading in DENSITY_RATES:
        title = str(heading)
        density_charts.append(
            {
                "key": key,
                "title": title,
                "svg": _comparison_chart(
                    rows,
                    uid=f"chart-{key}",
                    key=key,
                    value=lambda f, key=key: getattr(f.density, key),
                    title=f"{title} : {name}",
                    description=_(
                        "%(name)s (en couleur) comparé aux territoires voisins de même niveau "
                        "et à l'ensemble du territoire parent. Les chiffres sont dans le tableau "
                        "qui suit les graphiques."
                    )
                    % {"name": name},
                ),
            }
        )

    coverage = [
        {
            "item": item,
            "covered": number(item.covered_population),
            "display": percent(item.covered_share),
        }
        for item in target.density.coverage
    ]
    coverage_chart = bar_chart(
        uid="chart-coverage",
        title=_("Part de la population couverte par service : %(name)s") % {"name": name},
        description=_(
            "Pour chaque service, la part des habitants de %(name)s qui ont un relais compétent "
            "à proximité. Les chiffres sont dans le tableau qui suit."
        )
        % {"name": name},
        bars=[
            Bar(
                label=c["item"].label,
                value=None if c["item"].covered_share is None else c["item"].covered_share * 100,
                display=c["display"],
            )
            for c in coverage
        ],
        scale_max=100,
    )

    median_kinds = number(result.national_median_shannon_kinds, decimals=SHANNON_DECIMALS)
    median_services = number(result.national_median_shannon_services, decimals=SHANNON_DECIMALS)
    diversity_charts = []
    for key, heading, median, median_text in (
        (
            "shannon_kinds",
            _("Diversité des natures de structures (indice de Shannon)"),
            result.national_median_shannon_kinds,
            median_kinds,
        ),
        (
            "shannon_services",
            _("Diversité des services offerts (indice de Shannon)"),
            result.national_median_shannon_services,
            median_services,
        ),
    ):
        diversity_charts.append(
            {
                "title": heading,
                "svg": _comparison_chart(
                    [r for r in rows if r.role != "parent"],
                    uid=f"chart-{key}",
                    key=key,
                    value=lambda f, key=key: getattr(f.diversity, key),
                    title=f"{heading} : {name}",
                    description=_(
                        "%(name)s (en couleur) comparé aux territoires voisins de même niveau ; "
                        "la ligne pointillée marque la médiane nationale (%(median)s). Les "
                        "chiffres sont dans le tableau qui suit les graphiques."
                    )
                    % {"name": name, "median": median_text},
                    marker=Marker(
                        value=median, label=_("médiane nationale : %(m)s") % {"m": median_text}
                    ),
                ),
            }
        )

    own_cells = _cells(target)
    dynamics = [
        {
            "label": DYNAMICS_STATS[key](getattr(target.dynamics, key)),
            "value": own_cells[key],
        }
        for key, _label in DYNAMICS_FIGURES
    ]
    parent = result.parent.territory if result.parent is not None else None
    context = {
        "territory": territory,
        "level_label": level_label,
        "ancestors": list(
            Territory.objects.ancestors_of(territory, include_self=False)
            .exclude(level=TerritoryLevel.COUNTRY)
            .order_by("-rank")
        ),
        "result": result,
        "target": target,
        "rows": rows,
        "own": next(r for r in rows if r.is_territory),
        "horizon_km": number(settings.RELAY_HORIZON_KM),
        "peer_rows": [r for r in rows if r.role != "parent"],
        "siblings": [r for r in rows if r.role == "sibling"],
        "parent": parent,
        "parent_url": _page_url(parent.level, parent.code) if parent else None,
        "density_charts": density_charts,
        "density_rates": DENSITY_RATES,
        "by_kind": [_breakdown_cells(item) for item in target.density.by_kind],
        "by_service": [_breakdown_cells(item) for item in target.density.by_service],
        "coverage": coverage,
        "coverage_chart": coverage_chart,
        "diversity_charts": diversity_charts,
        "median_kinds": median_kinds,
        "median_services": median_services,
        "dynamics": dynamics,
        "dynamics_figures": DYNAMICS_FIGURES,
        "events_by_kind": target.dynamics.events_by_kind,
        # Relays naming the priority first; generalists (open to all) folded below them.
        "priorities": [
            {
                "check": check,
                "explicit": [r for r in check.relays if r.explicit],
                "generalist": [r for r in check.relays if not r.explicit],
            }
            for check in result.directionality.priorities
        ],
        "api_url": reverse("territory-dimensions", args=[territory.level, territory.code]),
    }
    return render(request, "site/territory_dimensions.html", context)


def _breakdown_cells(item) -> dict:
    return {
        "label": item.label,
        "code": item.code,
        "structures": number(item.structures),
        "offers": number(item.offers),
        "relays": number(item.relays),
        "structures_per_100k": number(item.structures_per_100k, decimals=RATE_DECIMALS),
        "relays_per_100k": number(item.relays_per_100k, decimals=RATE_DECIMALS),
        "structures_per_1000_smes": number(item.structures_per_1000_smes, decimals=RATE_DECIMALS),
        "relays_per_1000_smes": number(item.relays_per_1000_smes, decimals=RATE_DECIMALS),
    }
