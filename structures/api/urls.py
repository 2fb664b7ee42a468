from django.urls import path

from structures.api import opendata, programmes, unmet, views

urlpatterns = [
    path("structures/", views.StructureListView.as_view(), name="structure-list"),
    path("structures/<int:pk>/", views.StructureDetailView.as_view(), name="structure-detail"),
    path(
        "structures/<slug:slug>/",
        views.StructureBySlugView.as_view(),
        name="structure-detail-slug",
    ),
    path("offers/", views.OfferListView.as_view(), name="offer-list"),
    path("offers/<int:pk>/", views.OfferDetailView.as_view(), name="offer-detail"),
    path("contacts/", views.ContactListView.as_view(), name="contact-list"),
    path("contacts/<int:pk>/", views.ContactDetailView.as_view(), name="contact-detail"),
    path("services/", views.ServiceListView.as_view(), name="service-list"),
    path("services/<slug:code>/", views.ServiceDetailView.as_view(), name="service-detail"),
    path("sectors/", views.SectorListView.as_view(), name="sector-list"),
    path("sectors/<str:code>/", views.SectorDetailView.as_view(), name="sector-detail"),
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/<str:code>/", views.CountryDetailView.as_view(), name="country-detail"),
    path("programmes/", programmes.ProgrammeListView.as_view(), name="api-programme-list"),
    path(
        "programmes/<slug:slug>/",
        programmes.ProgrammeDetailView.as_view(),
        name="api-programme-detail",
    ),
    path(
        "programmes/<slug:slug>/entry-points/",
        programmes.ProgrammeEntryPointListView.as_view(),
        name="api-programme-entry-points",
    ),
    path("unmet-searches/", unmet.UnmetSearchListView.as_view(), name="unmet-search-list"),
    path(
        "opendata/structures.csv",
        opendata.OpenDataCSVView.as_view(),
        name="opendata-structures-csv",
    ),
    path(
        "opendata/structures.geojson",
        opendata.OpenDataGeoJSONView.as_view(),
        name="opendata-structures-geojson",
    ),
]
