from django.urls import path

from structures import views

urlpatterns = [
    path("recherche/", views.relay_search, name="relay-search"),
    path("structures/", views.directory, name="structure-list"),
    path("structures/<slug:slug>/", views.structure_page, name="structure-detail"),
    path("espace/", views.staff_listings, name="staff-listings"),
    path(
        "espace/structures/<slug:slug>/a-jour/",
        views.staff_confirm,
        name="staff-confirm",
    ),
]
