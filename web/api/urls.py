from django.urls import path

from web.api import coverage, relay

urlpatterns = [
    path("relays/", relay.RelayView.as_view(), name="relay-lookup"),
    path("coverage/", coverage.CoverageView.as_view(), name="coverage-report"),
]
