from django.urls import path

from smes.api import partners, views

urlpatterns = [
    path("smes/", views.SMEListView.as_view(), name="sme-list"),
    path(
        "smes/partners/candidates/",
        partners.PartnerCandidatesView.as_view(),
        name="sme-partner-candidates",
    ),
    path("smes/partners/groups/", partners.PartnerGroupsView.as_view(), name="sme-partner-groups"),
    path("smes/<str:siret>/", views.SMEDetailView.as_view(), name="sme-detail"),
]
