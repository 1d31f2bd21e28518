"""API routes under /api/v1/auth/: token login, logout, and who am I."""

from django.urls import path

from protection.accounts.api import views

urlpatterns = [
    path("token/", views.TokenLoginView.as_view(), name="api-token"),
    path("logout/", views.TokenLogoutView.as_view(), name="api-logout"),
    path("logoutall/", views.TokenLogoutAllView.as_view(), name="api-logout-all"),
    path("me/", views.MeView.as_view(), name="api-me"),
]
