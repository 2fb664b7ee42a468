from django.urls import path

from web.api import relay

urlpatterns = [
    path("relays/", relay.RelayView.as_view(), name="relay-lookup"),
]
