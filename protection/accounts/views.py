"""Account pages that write: the password change goes through the accounts service."""

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponse, HttpResponseRedirect

from protection.accounts.services import user_password_change
from protection.accounts.types import signed_in


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change page, with the change written and audited by the service."""

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        user = user_password_change(
            actor=signed_in(self.request.user), new_password=form.cleaned_data["new_password1"]
        )
        # Keep this session signed in; other sessions of the account end with the old hash.
        update_session_auth_hash(self.request, user)
        return HttpResponseRedirect(self.get_success_url())
