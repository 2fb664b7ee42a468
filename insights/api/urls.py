from django.urls import path

from insights.api import views

urlpatterns = [
    path(
        "territories/<str:level>/<str:code>/dimensions/",
        views.TerritoryDimensionsView.as_view(),
        name="territory-dimensions",
    ),
    path(
        "territorial-events/",
        views.TerritorialEventListView.as_view(),
        name="territorial-event-list",
    ),
    path(
        "territorial-priorities/",
        views.TerritorialPriorityListView.as_view(),
        name="territorial-priority-list",
    ),
]
