"""Sign in, sign out and change password, with Django's own views and our templates."""

from django.contrib.auth import views as auth_views
from django.urls import path

from protection.accounts import passkey_views, second_factor_views, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("two-factor/", second_factor_views.account, name="second_factor_account"),
    path("two-factor/verify/", second_factor_views.verify, name="second_factor_verify"),
    path("two-factor/setup/", second_factor_views.setup, name="second_factor_setup"),
    path(
        "two-factor/recovery-codes/",
        second_factor_views.recovery_codes,
        name="second_factor_recovery_codes",
    ),
    path("two-factor/remove/", second_factor_views.remove, name="second_factor_remove"),
    # Passkeys: the JSON ceremonies django-otp-webauthn's script calls, and removal.
    path(
        "two-factor/passkeys/register/begin/",
        passkey_views.RegistrationBegin.as_view(),
        name="passkey_registration_begin",
    ),
    path(
        "two-factor/passkeys/register/complete/",
        passkey_views.RegistrationComplete.as_view(),
        name="passkey_registration_complete",
    ),
    path(
        "two-factor/passkeys/verify/begin/",
        passkey_views.AuthenticationBegin.as_view(),
        name="passkey_authentication_begin",
    ),
    path(
        "two-factor/passkeys/verify/complete/",
        passkey_views.AuthenticationComplete.as_view(),
        name="passkey_authentication_complete",
    ),
    path("two-factor/passkeys/jsi18n/", passkey_views.javascript_catalog, name="passkey_jsi18n"),
    path(
        "two-factor/passkeys/<int:passkey_id>/remove/",
        passkey_views.passkey_remove,
        name="passkey_remove",
    ),
]
