"""Access rules proved on every URL: the URL configuration × the roles of the registry.

Every pattern the URL configuration serves (site, admin, API) is visited with each method it
accepts, by each role, and must be let through or refused as its rule below says. A URL added
without a rule fails ``test_every_url_has_a_rule``: access is decided, never inherited by
accident.

"Let through" means the request passed the door: a page or a body (2xx), a redirect elsewhere than
a login page (a saved form), or a refusal of the *input* (400, 412, 428 — only an authorised
caller reaches the validation). "Refused" is 401, 403, 404, or a redirect to a login page or, in
the admin, to its index (Django's answer for an object outside the user's queryset). A 405 or a
5xx is a defect of the matrix or of the code, never an answer.

Roles (issue 10): anonymous; staff A (CCI Hérault, 34, with a token scoped to département 34);
staff B (Lyonbiopôle, 69, token scoped to 69); an agency (SME rights,
``view_private_contacts`` and the territorial coordinators' group, account scope département 34,
a token that does not narrow it); an
agency without SME rights (same scope, no permission); a registry administrator (the group, not
a superuser, with a nationwide token). Sessions for the site and the admin, tokens for the API.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from insights.enums import EventKind, PriorityKind
from insights.models import TerritorialEvent, TerritorialPriority
from structures.freshness import confirmation_token
from structures.models import (
    AccountScope,
    ApiToken,
    CorrectionReport,
    FreshnessReminder,
    PendingChange,
    Programme,
    ProgrammeEntryPoint,
    Sector,
    Service,
    StaffMembership,
    UnmetSearch,
)
from structures.permissions import COORDINATOR_GROUP, REGISTRY_ADMIN_GROUP, STAFF_GROUP
from territories.models import CommuneAlias
from tests.api.conftest import grant
from tests.smes.factories import SMEFactory, make_siret
from tests.structures.factories import (
    ContactFactory,
    OfferFactory,
    StructureFactory,
    UserFactory,
    territory,
)

pytestmark = pytest.mark.django_db

ATTEMPT = {"user_agent": "test", "http_accept": "*/*", "path_info": "/connexion/"}

ROLES = ("anonymous", "staff_a", "staff_b", "agency", "agency_plain", "registry_admin")
EVERYONE = frozenset(ROLES)
NOBODY = frozenset()
SIGNED_IN = EVERYONE - {"anonymous"}  # every role below logs into the admin (is_staff)
STAFF_A = frozenset({"staff_a", "registry_admin"})
STAFF = frozenset({"staff_a", "staff_b", "registry_admin"})
AGENCY = frozenset({"agency", "registry_admin"})
# The agency holds view_private_contacts within département 34, where A's private contact is.
A_PRIVATE_CONTACT = frozenset({"staff_a", "agency", "registry_admin"})
ADMIN = frozenset({"registry_admin"})


# --- The URL configuration ------------------------------------------------------------------


def served_routes() -> list[tuple[str, Callable]]:
    """Every route of the URL configuration, as its pattern text, with its view."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    return list(walk(get_resolver().url_patterns))


# --- Rules ----------------------------------------------------------------------------------

# Site and API routes: method → the roles let through. API routes are called with tokens.
ROUTE_RULES: dict[str, dict[str, frozenset[str]]] = {
    "healthz": {"GET": EVERYONE},
    "i18n/setlang/": {"POST": EVERYONE},
    "": {"GET": EVERYONE},
    "sources/": {"GET": EVERYONE},
    "mentions-legales/": {"GET": EVERYONE},
    "recherche/": {"GET": EVERYONE},
    "structures/": {"GET": EVERYONE},
    "structures/<slug:slug>/": {"GET": EVERYONE},
    # "Signaler une erreur": anyone may report an error on a published listing.
    "structures/<slug:slug>/signaler/": {"GET": EVERYONE, "POST": EVERYONE},
    "structures/<slug:slug>/signaler/merci/": {"GET": EVERYONE},
    "territoires/<str:level>/<str:code>/": {"GET": EVERYONE},
    "territoires/<str:level>/<str:code>/couverture/": {"GET": EVERYONE},
    "couverture/": {"GET": EVERYONE},
    "dispositifs/": {"GET": EVERYONE},
    "dispositifs/<slug:slug>/": {"GET": EVERYONE},
    "territoires/<str:level>/<str:code>/4d/": {"GET": EVERYONE},
    "espace/": {"GET": SIGNED_IN},
    "espace/structures/<slug:slug>/a-jour/": {"POST": STAFF_A},
    # The inbox lists what each user may see (possibly nothing); a report is A's listing's.
    "espace/signalements/": {"GET": SIGNED_IN},
    "espace/signalements/<int:pk>/": {"GET": STAFF_A},
    "espace/signalements/<int:pk>/accepter/": {"POST": STAFF_A},
    "espace/signalements/<int:pk>/rejeter/": {"POST": STAFF_A},
    # The reminder's signed link is the key: whoever holds it sees the page and confirms.
    "espace/confirmer/<str:token>/": {"GET": EVERYONE, "POST": EVERYONE},
    # A's structure heads a network (it has an antenna): its staff export and re-import offers.
    "espace/structures/<slug:slug>/offres-reseau/": {"GET": STAFF_A, "POST": STAFF_A},
    "espace/structures/<slug:slug>/offres-reseau.csv": {"GET": STAFF_A},
    # The partner finder: staff of a structure animating export groups who may read SMEs. No
    # role of this world is both (A's network has no export group, the agency animates
    # nothing): registry administrators only here; tests/smes/test_partners_access.py proves
    # the animators' access and scope.
    "espace/partenaires/": {"GET": ADMIN},
    "espace/partenaires/groupement/": {"POST": ADMIN},
    "connexion/": {"GET": EVERYONE, "POST": EVERYONE},
    "deconnexion/": {"POST": EVERYONE},
    # API
    "api/v1/": {"GET": EVERYONE},
    "api/v1/territories/": {"GET": EVERYONE},
    "api/v1/territories/<str:level>/<str:code>/": {"GET": EVERYONE},
    "api/v1/territories/<str:level>/<str:code>/ancestors/": {"GET": EVERYONE},
    "api/v1/communes/<str:code>/": {"GET": EVERYONE},
    "api/v1/postal-codes/<str:code>/": {"GET": EVERYONE},
    # Staff create antennas of their network, within their token's scope: B's token (69) may
    # not place the posted one in the Hérault; A's passes the door (400: no network head).
    "api/v1/structures/": {"GET": EVERYONE, "POST": STAFF_A},
    "api/v1/structures/<int:pk>/": {"GET": EVERYONE, "PUT": STAFF_A, "PATCH": STAFF_A},
    "api/v1/structures/<slug:slug>/": {"GET": EVERYONE, "PUT": STAFF_A, "PATCH": STAFF_A},
    "api/v1/offers/": {"GET": EVERYONE, "POST": STAFF_A},
    "api/v1/offers/<int:pk>/": {"GET": EVERYONE, "PUT": STAFF_A, "PATCH": STAFF_A},
    "api/v1/contacts/": {"GET": EVERYONE, "POST": STAFF_A},
    "api/v1/contacts/<int:pk>/": {
        "GET": A_PRIVATE_CONTACT,
        "PUT": STAFF_A,
        "PATCH": STAFF_A,
    },
    "api/v1/services/": {"GET": EVERYONE},
    "api/v1/services/<slug:code>/": {"GET": EVERYONE},
    "api/v1/sectors/": {"GET": EVERYONE},
    "api/v1/sectors/<str:code>/": {"GET": EVERYONE},
    "api/v1/countries/": {"GET": EVERYONE},
    "api/v1/countries/<str:code>/": {"GET": EVERYONE},
    "api/v1/opendata/structures.csv": {"GET": EVERYONE},
    "api/v1/opendata/structures.geojson": {"GET": EVERYONE},
    "api/v1/smes/": {"GET": AGENCY, "POST": AGENCY},
    "api/v1/smes/<str:siret>/": {"GET": AGENCY, "PUT": AGENCY, "PATCH": AGENCY},
    "api/v1/smes/partners/candidates/": {"GET": AGENCY},
    "api/v1/smes/partners/groups/": {"GET": AGENCY},
    "api/v1/relays/": {"GET": EVERYONE},
    # Aggregates over places (states, inhabitants, SME counts, no record): public like the relays.
    "api/v1/coverage/": {"GET": EVERYONE},
    # Anonymous aggregates (commune, service, country, month, count): public like the gaps.
    "api/v1/unmet-searches/": {"GET": EVERYONE},
    "api/v1/programmes/": {"GET": EVERYONE},
    "api/v1/programmes/<slug:slug>/": {"GET": EVERYONE},
    "api/v1/programmes/<slug:slug>/entry-points/": {"GET": EVERYONE},
    # Territorial intelligence: public reads (writes are the admin's).
    "api/v1/territories/<str:level>/<str:code>/dimensions/": {"GET": EVERYONE},
    "api/v1/territorial-events/": {"GET": EVERYONE},
    "api/v1/territorial-priorities/": {"GET": EVERYONE},
    "api/v1/schema/": {"GET": EVERYONE},
    "api/v1/docs/": {"GET": EVERYONE},
    "api/v1/redoc/": {"GET": EVERYONE},
    # Unknown API paths: a JSON 404 for everyone.
    "^api/": {"GET": NOBODY},
    # The admin's own pages.
    "admin/": {"GET": SIGNED_IN},
    # A signed-in user asking for the login form is sent on to the index.
    "admin/login/": {"GET": frozenset({"anonymous"}), "POST": EVERYONE},
    "admin/logout/": {"POST": SIGNED_IN},
    "admin/password_change/": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "admin/password_change/done/": {"GET": SIGNED_IN},
    "admin/autocomplete/": {"GET": STAFF},
    "admin/jsi18n/": {"GET": SIGNED_IN},
    # "View on site": a structure's public page (public anyway), for whoever signs in.
    "admin/r/<path:content_type_id>/<path:object_id>/": {"GET": SIGNED_IN},
    "admin/(?P<url>.*)$": {"GET": NOBODY},
}


@dataclass(frozen=True)
class ModelRule:
    """Who passes each admin view of a model (GET; POST where the view takes one)."""

    changelist: frozenset[str]
    add: frozenset[str]
    change: frozenset[str]  # GET: the form, read-only for a view permission
    save: frozenset[str]  # POST on the change form
    delete: frozenset[str]
    history: frozenset[str]


REGISTRY_ONLY = ModelRule(ADMIN, ADMIN, ADMIN, ADMIN, ADMIN, ADMIN)
# A catalogue staff may read (their forms choose from it) but only registry administrators edit.
CATALOGUE = ModelRule(STAFF, ADMIN, STAFF, ADMIN, ADMIN, STAFF)
# Rows of a structure: staff of that structure (A's row here) and registry administrators.
STRUCTURE_ROW = ModelRule(STAFF, STAFF, STAFF_A, STAFF_A, STAFF_A, STAFF_A)

ADMIN_MODEL_RULES: dict[str, ModelRule] = {
    # Staff change their own listings and create antennas of them (unpublished until a
    # registry administrator validates them); only registry administrators delete one.
    "structures.structure": ModelRule(STAFF, STAFF, STAFF_A, STAFF_A, ADMIN, STAFF_A),
    "structures.offer": STRUCTURE_ROW,
    "structures.contact": STRUCTURE_ROW,
    "structures.staffmembership": REGISTRY_ONLY,
    # Programmes and their doors: reference data of registry administrators, hidden from staff.
    "structures.programme": REGISTRY_ONLY,
    "structures.apitoken": REGISTRY_ONLY,
    "structures.accountscope": REGISTRY_ONLY,
    "structures.service": CATALOGUE,
    "structures.sector": CATALOGUE,
    "territories.territory": CATALOGUE,
    "territories.communealias": REGISTRY_ONLY,
    # Registry administrators read accounts (to add someone to a team); managing them, and the
    # groups, is the superuser's.
    "auth.user": ModelRule(ADMIN, NOBODY, ADMIN, NOBODY, NOBODY, ADMIN),
    "auth.group": ModelRule(NOBODY, NOBODY, NOBODY, NOBODY, NOBODY, NOBODY),
    # Login lockouts (django-axes): registry administrators see them and unlock (delete an
    # attempt); nobody writes them by hand.
    "axes.accessattempt": ModelRule(ADMIN, NOBODY, ADMIN, NOBODY, ADMIN, ADMIN),
    "axes.accesslog": ModelRule(ADMIN, NOBODY, ADMIN, NOBODY, NOBODY, ADMIN),
    "axes.accessfailurelog": ModelRule(ADMIN, NOBODY, ADMIN, NOBODY, NOBODY, ADMIN),
    # Counters written by the relay lookups: registry administrators read them; nobody writes
    # or deletes them by hand (purge_unmet_searches does).
    "structures.unmetsearch": ModelRule(ADMIN, NOBODY, ADMIN, NOBODY, NOBODY, ADMIN),
    # Reports from the public: registry administrators' list, read-only (decisions are taken in
    # the staff inbox, through the services); they may delete spam.
    "structures.correctionreport": ModelRule(ADMIN, NOBODY, ADMIN, NOBODY, ADMIN, ADMIN),
    # Reminders sent by send_freshness_reminders: read-only, registry administrators.
    "structures.freshnessreminder": ModelRule(ADMIN, NOBODY, ADMIN, NOBODY, NOBODY, ADMIN),
    # The validation queue: registry administrators decide; proposals come from the listings'
    # own edits (nobody adds one by hand), and decided ones are kept (nobody deletes them).
    "structures.pendingchange": ModelRule(ADMIN, NOBODY, ADMIN, ADMIN, NOBODY, ADMIN),
    # SME records: the agency within its scope (the SME is in 34); deleting is the registry's.
    "smes.sme": ModelRule(AGENCY, AGENCY, AGENCY, AGENCY, ADMIN, AGENCY),
    # Events and priorities: the agency (a territorial coordinator) within its scope (the row is
    # in 34), registry administrators everywhere; the agency without the group sees nothing.
    "insights.territorialevent": ModelRule(AGENCY, AGENCY, AGENCY, AGENCY, AGENCY, AGENCY),
    "insights.territorialpriority": ModelRule(AGENCY, AGENCY, AGENCY, AGENCY, AGENCY, AGENCY),
}
ADMIN_EXTRA_ROUTES = {
    # A user's password form: whoever may change users.
    "auth/user/<id>/password/": {"GET": NOBODY, "POST": NOBODY},
    # Possible duplicates: the report and the merge page are the registry administrators'.
    "structures/structure/doublons/": {"GET": ADMIN},
    "structures/structure/<path:object_id>/fusionner/": {"GET": ADMIN, "POST": ADMIN},
    # The live competence preview of an offer's form: whoever may change the offer (POST only;
    # the matrix posts no form, so a let-through answer is the 400 of an incomplete form).
    "structures/offer/<path:object_id>/competence-preview/": {"POST": STRUCTURE_ROW.save},
}
ADMIN_MODEL_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/(?P<rest>.*)$")


def admin_route_rule(route: str) -> tuple[str, dict[str, frozenset[str]]] | None:
    """(model label, method → roles) of an admin route of a registered model."""
    match = ADMIN_MODEL_ROUTE.match(route)
    if match is None:
        return None
    label = f"{match['app']}.{match['model']}"
    if label not in {model._meta.label_lower for model in admin.site._registry}:
        return None
    rest = match["rest"]
    if f"{match['app']}/{match['model']}/{rest}" in ADMIN_EXTRA_ROUTES:
        return label, ADMIN_EXTRA_ROUTES[f"{match['app']}/{match['model']}/{rest}"]
    rule = ADMIN_MODEL_RULES.get(label)
    if rule is None:
        return label, {}
    return label, {
        "": {"GET": rule.changelist},
        "add/": {"GET": rule.add, "POST": rule.add},
        "<path:object_id>/change/": {"GET": rule.change, "POST": rule.save},
        "<path:object_id>/delete/": {"GET": rule.delete, "POST": rule.delete},
        "<path:object_id>/history/": {"GET": rule.history},
        "^([^/]+)/history/([^/]+)/$": {"GET": rule.history},
        # Django's redirect from an object's bare URL to its change form: no data shown.
        "<path:object_id>/": {"GET": SIGNED_IN},
    }.get(rest, {})


# An app's index in the admin (its pattern lists the registered apps): staff see the structures'.
ADMIN_APP_INDEX = re.compile(r"^admin/\^\(\?P<app_label>[\w|]+\)/\$$")


def rule_for(route: str) -> dict[str, frozenset[str]]:
    if route in ROUTE_RULES:
        return ROUTE_RULES[route]
    if ADMIN_APP_INDEX.match(route):
        return {"GET": STAFF}
    found = admin_route_rule(route)
    return found[1] if found else {}


# --- The world ------------------------------------------------------------------------------


@pytest.fixture
def world():
    call_command("setup_staff_groups", verbosity=0)
    staff_group = Group.objects.get(name=STAFF_GROUP)
    admin_group = Group.objects.get(name=REGISTRY_ADMIN_GROUP)
    herault, rhone = territory("departement", "34"), territory("departement", "69")

    cci = StructureFactory(slug="cci-herault", name="CCI Hérault")
    lyon = StructureFactory(
        slug="lyonbiopole", name="Lyonbiopôle", commune=territory("commune", "69123")
    )
    a_contact = ContactFactory(structure=cci, private=True, name="Anne Privée")
    a_offer = OfferFactory(structure=cci, contact=a_contact)
    a_report = CorrectionReport.objects.create(
        structure=cci, field="phone", message="Numéro erroné", proposed_value="0467000000"
    )
    StructureFactory(slug="antenne-sete", name="Antenne de Sète", parent=cci)
    OfferFactory(structure=lyon)
    sme = SMEFactory(name="Vignobles du Pic")

    users = {}
    for role in ROLES[1:]:
        users[role] = UserFactory(username=f"matrice-{role}")
    users["staff_a"].groups.add(staff_group)
    users["staff_b"].groups.add(staff_group)
    users["registry_admin"].groups.add(admin_group)
    users["agency"].groups.add(Group.objects.get(name=COORDINATOR_GROUP))
    event = TerritorialEvent.objects.create(
        territory=herault,
        kind=EventKind.TRADE_MISSION,
        title="Mission Maroc",
        start_date=datetime.date(2026, 10, 5),
    )
    priority = TerritorialPriority.objects.create(
        territory=herault, kind=PriorityKind.MARKET, country=territory("country", "MA")
    )
    StaffMembership.objects.create(user=users["staff_a"], structure=cci)
    StaffMembership.objects.create(user=users["staff_b"], structure=lyon)
    grant(
        users["agency"],
        "smes.view_sme",
        "smes.add_sme",
        "smes.change_sme",
        "structures.view_private_contacts",
    )
    for role in ("agency", "agency_plain"):
        AccountScope.objects.create(user=users[role]).territories.set([herault])

    token_scopes = {"staff_a": [herault], "staff_b": [rhone]}
    keys = {}
    for role, user in users.items():
        _, keys[role] = ApiToken.issue(
            user=user, name=f"jeton {role}", scope=token_scopes.get(role, ())
        )

    programme = Programme.objects.create(
        name="Assurance prospection", level="national", operator_name="Bpifrance"
    )
    ProgrammeEntryPoint.objects.create(
        programme=programme, territory=territory("departement", "34"), structure=cci
    )
    history_ids = {
        "structures.programme": programme.history.latest("history_id").history_id,
        "structures.structure": cci.history.latest("history_id").history_id,
        "structures.offer": a_offer.history.latest("history_id").history_id,
        "structures.contact": a_contact.history.latest("history_id").history_id,
        "insights.territorialevent": event.history.latest("history_id").history_id,
        "insights.territorialpriority": priority.history.latest("history_id").history_id,
    }
    objects = {
        "structures.structure": cci,
        "structures.offer": a_offer,
        "structures.contact": a_contact,
        "structures.staffmembership": StaffMembership.objects.get(user=users["staff_a"]),
        "structures.apitoken": ApiToken.objects.filter(user=users["agency"]).get(),
        "structures.accountscope": AccountScope.objects.get(user=users["agency"]),
        "structures.service": Service.objects.get(code="trade-fairs"),
        "structures.programme": programme,
        "structures.sector": Sector.objects.order_by("code").first(),
        "territories.territory": territory("commune", "34172"),
        "territories.communealias": CommuneAlias.objects.first()
        or CommuneAlias.objects.create(
            code="34999",
            commune=territory("commune", "34172"),
            name="Ancienne commune",
            reason=CommuneAlias._meta.get_field("reason").choices[0][0],
        ),
        "auth.user": users["agency"],
        "auth.group": staff_group,
        "smes.sme": sme,
        "insights.territorialevent": event,
        "insights.territorialpriority": priority,
        "structures.correctionreport": a_report,
        "structures.freshnessreminder": FreshnessReminder.objects.create(
            user=users["staff_a"], structure=cci, sent_at=timezone.now(), structure_version=1
        ),
        "structures.pendingchange": PendingChange.objects.create(
            structure=cci, proposed={"name": "CCI Hérault Méditerranée"}, base_version=1
        ),
        "structures.unmetsearch": UnmetSearch.objects.create(
            commune=territory("commune", "34172"),
            service=Service.objects.get(code="export-finance"),
            month=datetime.date(2026, 11, 1),
            count=3,
        ),
        "axes.accessattempt": AccessAttempt.objects.create(
            username="inconnu", ip_address="192.0.2.1", failures_since_start=1, **ATTEMPT
        ),
        "axes.accesslog": AccessLog.objects.create(
            username="matrice-agency", ip_address="192.0.2.2", **ATTEMPT
        ),
        "axes.accessfailurelog": AccessFailureLog.objects.create(
            username="inconnu", ip_address="192.0.2.1", **ATTEMPT
        ),
    }
    return {
        "users": users,
        "keys": keys,
        "objects": objects,
        "history_ids": history_ids,
        "cci": cci,
        "a_offer": a_offer,
        "a_contact": a_contact,
        "a_report": a_report,
        "sme": sme,
    }


# --- Concrete requests ----------------------------------------------------------------------


def concrete_url(route: str, world) -> str:
    """The route with its parameters filled from the world (A's objects, an SME in 34...)."""
    objects = world["objects"]
    cci, offer, contact, sme = world["cci"], world["a_offer"], world["a_contact"], world["sme"]
    fixed = {
        "^api/": "/api/v9/rien/",
        "admin/(?P<url>.*)$": "/admin/inexistant/",
        "structures/<slug:slug>/": f"/structures/{cci.slug}/",
        "territoires/<str:level>/<str:code>/": "/territoires/departement/34/",
        "territoires/<str:level>/<str:code>/couverture/": (
            "/territoires/departement/34/couverture/?service=trade-fairs"
        ),
        "couverture/": "/couverture/?service=trade-fairs",
        "dispositifs/<slug:slug>/": "/dispositifs/assurance-prospection/",
        "api/v1/programmes/<slug:slug>/": "/api/v1/programmes/assurance-prospection/",
        "api/v1/programmes/<slug:slug>/entry-points/": (
            "/api/v1/programmes/assurance-prospection/entry-points/?commune=34172"
        ),
        "territoires/<str:level>/<str:code>/4d/": "/territoires/departement/34/4d/",
        "espace/structures/<slug:slug>/a-jour/": f"/espace/structures/{cci.slug}/a-jour/",
        "structures/<slug:slug>/signaler/": f"/structures/{cci.slug}/signaler/",
        "structures/<slug:slug>/signaler/merci/": f"/structures/{cci.slug}/signaler/merci/",
        "espace/signalements/<int:pk>/": f"/espace/signalements/{world['a_report'].pk}/",
        "espace/signalements/<int:pk>/accepter/": (
            f"/espace/signalements/{world['a_report'].pk}/accepter/"
        ),
        "espace/signalements/<int:pk>/rejeter/": (
            f"/espace/signalements/{world['a_report'].pk}/rejeter/"
        ),
        "espace/confirmer/<str:token>/": "/espace/confirmer/{}/".format(
            confirmation_token(structure=cci, user=world["users"]["staff_a"])
        ),
        "espace/structures/<slug:slug>/offres-reseau/": (
            f"/espace/structures/{cci.slug}/offres-reseau/"
        ),
        "espace/structures/<slug:slug>/offres-reseau.csv": (
            f"/espace/structures/{cci.slug}/offres-reseau.csv"
        ),
        "api/v1/territories/<str:level>/<str:code>/": "/api/v1/territories/departement/34/",
        "api/v1/territories/<str:level>/<str:code>/ancestors/": (
            "/api/v1/territories/commune/34172/ancestors/"
        ),
        "api/v1/communes/<str:code>/": "/api/v1/communes/34172/",
        "api/v1/postal-codes/<str:code>/": "/api/v1/postal-codes/34000/",
        "api/v1/territories/<str:level>/<str:code>/dimensions/": (
            "/api/v1/territories/departement/34/dimensions/"
        ),
        "api/v1/structures/<int:pk>/": f"/api/v1/structures/{cci.pk}/",
        "api/v1/structures/<slug:slug>/": f"/api/v1/structures/{cci.slug}/",
        "api/v1/offers/<int:pk>/": f"/api/v1/offers/{offer.pk}/",
        "api/v1/contacts/<int:pk>/": f"/api/v1/contacts/{contact.pk}/",
        "api/v1/services/<slug:code>/": "/api/v1/services/trade-fairs/",
        "api/v1/sectors/<str:code>/": "/api/v1/sectors/62/",
        "api/v1/countries/<str:code>/": "/api/v1/countries/MA/",
        "api/v1/smes/<str:siret>/": f"/api/v1/smes/{sme.siret}/",
        "api/v1/relays/": "/api/v1/relays/?commune=34172&service=trade-fairs",
        "api/v1/coverage/": "/api/v1/coverage/?territory=departement:34&service=trade-fairs",
        "recherche/": "/recherche/?where=Montpellier&commune=34172&service=trade-fairs",
        "admin/autocomplete/": (
            "/admin/autocomplete/?app_label=structures&model_name=structure&field_name=parent"
        ),
    }
    if route in fixed:
        return fixed[route]
    if ADMIN_APP_INDEX.match(route):
        return "/admin/structures/"
    if route == "admin/r/<path:content_type_id>/<path:object_id>/":
        from django.contrib.contenttypes.models import ContentType

        content_type = ContentType.objects.get_for_model(cci)
        return f"/admin/r/{content_type.pk}/{cci.pk}/"
    if route in ROUTE_RULES:
        return "/" + route
    found = admin_route_rule(route)
    if found is not None:
        label, _ = found
        obj = objects[label]
        app, model = label.split(".")
        rest = ADMIN_MODEL_ROUTE.match(route)["rest"]
        rest = rest.replace("<path:object_id>", str(obj.pk)).replace("<id>", str(obj.pk))
        if rest == "^([^/]+)/history/([^/]+)/$":
            rest = f"{obj.pk}/history/{world['history_ids'][label]}/"
        return f"/admin/{app}/{model}/{rest}"
    assert "<" not in route and "^" not in route, f"no concrete URL for {route!r}"
    return "/" + route


def body_for(route: str, method: str, world) -> dict:
    """A write aimed at A's listing (or the agency's SME): the door decides, not the input."""
    if method == "GET":
        return {}
    if method in ("PUT", "PATCH") and route.startswith("api/"):
        return {"phone": "+33467000000"}  # no If-Match: an allowed caller gets 428, untouched
    return {
        "api/v1/structures/": {"name": "Nouvelle", "kind": "cci", "commune": "34172"},
        "api/v1/offers/": {"structure": "cci-herault", "service": "trade-fairs"},
        "api/v1/contacts/": {"structure": "cci-herault", "name": "Nouveau", "kind": "desk"},
        "api/v1/smes/": {
            "siret": make_siret(9001),
            "name": "Nouvelle PME",
            "commune": "34172",
            "naf_code": "62.01Z",
        },
        "i18n/setlang/": {"language": "fr", "next": "/"},
    }.get(route, {})


def client_for(role: str, world, *, api: bool):
    if api:
        client = APIClient()
        if role != "anonymous":
            client.credentials(HTTP_AUTHORIZATION=f"Token {world['keys'][role]}")
        return client
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


LOGIN_PATHS = ("/admin/login/", "/connexion/")


def let_through(response, cell: str) -> bool:
    code = response.status_code
    assert code != 405 and code < 500, f"{cell}: {code} {response.content[:300]!r}"
    if code in (401, 403, 404):
        return False
    if code in (301, 302, 303):
        path = urlsplit(response["Location"]).path
        return not (path.startswith(LOGIN_PATHS) or path == "/admin/")
    return True


def matrix(world):
    """Every (route, method, role) cell with its expected and actual answer."""
    clients = {}
    for route, _view in served_routes():
        rules = rule_for(route)
        for method, allowed in rules.items():
            api = route.startswith(("api/", "^api/"))
            url = concrete_url(route, world)
            for role in ROLES:
                # One client per role and kind, reused (each cell's writes are rolled back),
                # except after a logout.
                key = (role, api)
                if key not in clients:
                    clients[key] = client_for(role, world, api=api)
                client = clients[key]
                cache.clear()  # throttles: one cell's calls never limit the next
                with transaction.atomic():
                    sid = transaction.savepoint()
                    call = getattr(client, method.lower())
                    data = body_for(route, method, world)
                    if api:
                        response = call(url, data, format="json") if data else call(url)
                    else:
                        response = call(url, data) if method != "GET" else call(url)
                    transaction.savepoint_rollback(sid)
                if "logout" in route or "deconnexion" in route:
                    del clients[key]
                cell = f"{method} {url} as {role}"
                yield route, method, role, role in allowed, let_through(response, cell), cell


# --- Tests ----------------------------------------------------------------------------------


def test_every_url_has_a_rule():
    missing = [route for route, _ in served_routes() if not rule_for(route)]
    assert not missing, f"URLs with no access rule (add one to this file): {missing}"
    unknown = set(ROUTE_RULES) - {route for route, _ in served_routes()}
    assert not unknown, f"rules for URLs that no longer exist: {sorted(unknown)}"


def test_every_url_answers_each_role_as_its_rule_says(world):
    wrong, cells, routes = [], 0, set()
    for route, _method, _role, expected, actual, cell in matrix(world):
        cells += 1
        routes.add(route)
        if expected != actual:
            wrong.append(f"{cell}: expected {'through' if expected else 'refused'}")
    print(f"access matrix: {len(routes)} URLs × {len(ROLES)} roles = {cells} cells")
    assert not wrong, "\n".join(wrong)
    assert len(routes) == len(served_routes())
