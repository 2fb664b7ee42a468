"""The public site and the staff pages (French URLs)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from web.views import (
    corrections,
    coverage,
    dimensions,
    freshness,
    network,
    pages,
    partners,
    programmes,
    search,
    staff,
    structures,
    territories,
)

urlpatterns = [
    path("", pages.home, name="home"),
    path("sources/", pages.sources, name="sources"),
    path("mentions-legales/", pages.legal_notice, name="legal-notice"),
    path("recherche/", search.relay_search, name="relay-search"),
    path("structures/", structures.directory, name="structure-list"),
    path("structures/<slug:slug>/", structures.structure_page, name="structure-detail"),
    path(
        "structures/<slug:slug>/signaler/",
        corrections.report_error,
        name="structure-correction",
    ),
    path(
        "structures/<slug:slug>/signaler/merci/",
        corrections.report_thanks,
        name="structure-correction-thanks",
    ),
    path(
        "territoires/<str:level>/<str:code>/",
        territories.territory_page,
        name="territory-detail",
    ),
    path(
        "territoires/<str:level>/<str:code>/couverture/",
        coverage.territory_coverage_page,
        name="territory-coverage",
    ),
    path("couverture/", coverage.france_coverage_page, name="france-coverage"),
    path("dispositifs/", programmes.programme_list_page, name="programme-list"),
    path("dispositifs/<slug:slug>/", programmes.programme_page, name="programme-detail"),
    path(
        "territoires/<str:level>/<str:code>/4d/",
        dimensions.territory_dimensions_page,
        name="territory-dimensions-page",
    ),
    path("espace/", staff.staff_listings, name="staff-listings"),
    path("espace/partenaires/", partners.partner_finder, name="staff-partners"),
    path(
        "espace/partenaires/groupement/",
        partners.create_group,
        name="staff-partners-create-group",
    ),
    path("espace/structures/<slug:slug>/a-jour/", staff.staff_confirm, name="staff-confirm"),
    path("espace/signalements/", corrections.staff_corrections, name="staff-corrections"),
    path(
        "espace/signalements/<int:pk>/",
        corrections.staff_correction,
        name="staff-correction",
    ),
    path(
        "espace/signalements/<int:pk>/accepter/",
        corrections.staff_correction_accept,
        name="staff-correction-accept",
    ),
    path(
        "espace/signalements/<int:pk>/rejeter/",
        corrections.staff_correction_reject,
        name="staff-correction-reject",
    ),
    path("espace/confirmer/<str:token>/", freshness.confirm_link, name="freshness-confirm"),
    path(
        "espace/structures/<slug:slug>/offres-reseau/",
        network.network_offers_page,
        name="network-offers",
    ),
    path(
        "espace/structures/<slug:slug>/offres-reseau.csv",
        network.network_offers_csv,
        name="network-offers-csv",
    ),
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            template_name="site/login.html",
            redirect_authenticated_user=True,
            next_page="staff-listings",
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(next_page="home"), name="logout"),
]
