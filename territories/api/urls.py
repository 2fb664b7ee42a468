from django.urls import path

from territories.api import views

urlpatterns = [
    path("territories/", views.TerritoryListView.as_view(), name="territory-list"),
    path(
        "territories/<str:level>/<str:code>/",
        views.TerritoryDetailView.as_view(),
        name="territory-detail",
    ),
    path(
        "territories/<str:level>/<str:code>/ancestors/",
        views.TerritoryAncestorsView.as_view(),
        name="territory-ancestors",
    ),
    path("communes/<str:code>/", views.CommuneView.as_view(), name="commune-detail"),
    path("postal-codes/<str:code>/", views.PostalCodeView.as_view(), name="postal-code-detail"),
]
