from django.urls import path

from smes.api import views

urlpatterns = [
    path("smes/", views.SMEListView.as_view(), name="sme-list"),
    path("smes/<str:siret>/", views.SMEDetailView.as_view(), name="sme-detail"),
]
