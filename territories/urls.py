from django.urls import path

from territories import views

urlpatterns = [
    path("territoires/<str:level>/<str:code>/", views.territory_page, name="territory-detail"),
]
