from django.contrib.auth import views as auth_views
from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sources/", views.sources, name="sources"),
    path("mentions-legales/", views.legal_notice, name="legal-notice"),
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
