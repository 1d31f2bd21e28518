"""What every app's server-rendered pages share: the base form, the page size, the way a
service's refusal reaches the form or the messages, and forms that save once however often
they are sent. Foundation code: it knows no domain app.
"""

import datetime
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from protection import access, idempotency
from protection.formats.fields import LocalDateField
from protection.pagination import KeysetPage, keyset_page

if TYPE_CHECKING:
    from protection.accounts.models import User
    from protection.accounts.types import AuthenticatedHttpRequest

PAGE_SIZE = 50


class PageForm(forms.Form):
    """A form of the server-rendered pages: required fields marked, no future dates offered."""

    required_css_class = "required"
    error_css_class = "has-error"
    future_dates_allowed: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # Set per form, not at import, so that a long-running server offers today's date.
        today = timezone.localdate().isoformat()
        for name, field in self.fields.items():
            if (
                isinstance(field.widget, forms.DateInput)
                and field.widget.input_type == "date"
                and name not in self.future_dates_allowed
            ):
                field.widget.attrs["max"] = today

    def clean(self) -> dict[str, Any]:
        # The services refuse future dates too; checking here shows every error at once.
        cleaned = super().clean() or {}
        today = timezone.localdate()
        for name, field in self.fields.items():
            value = cleaned.get(name)
            if (
                isinstance(field, forms.DateField)
                and name not in self.future_dates_allowed
                and isinstance(value, datetime.date)
                and value > today
            ):
                self.add_error(name, _("This date cannot be in the future."))
        return cleaned


def date_field(*, label: Any, required: bool = False, **kwargs: Any) -> forms.DateField:
    """Return a date field typed in the page's language (dd/mm/yyyy), with its format shown."""
    return LocalDateField(label=label, required=required, **kwargs)


def today() -> datetime.date:
    """Return today's date in the project's time zone (a callable initial value)."""
    return timezone.localdate()


def site_options(user: "User") -> list[tuple[int, str]]:
    """Return (id, name) of the sites the user may see, for a filter's choices."""
    return [(site.pk, str(site)) for site in access.sites_for(user).order_by("name")]


def error_messages(error: ValidationError) -> dict[str, list[str]]:
    """Return a service's ValidationError as {key: [messages]}, whatever its shape."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: error.messages}


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on the field it names, or above the form."""
    for key, texts in error_messages(error).items():
        form.add_error(key if key in form.fields else None, texts)


def run_service(form: forms.Form, call: Callable[[], Any]) -> bool:
    """Call the service; put its refusal on the form and return False if it refuses."""
    try:
        call()
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


def flat_messages(error: ValidationError) -> list[str]:
    """Return every message of a service's refusal, whatever field it names."""
    return [str(text) for texts in error_messages(error).values() for text in texts]


def done(request: HttpRequest, message: str | Promise, url: str) -> HttpResponse:
    messages.success(request, str(message))
    return redirect(url)


def keyset_pager(
    request: HttpRequest, size: int = PAGE_SIZE
) -> Callable[[QuerySet[Any]], KeysetPage[Model]]:
    """Return what cuts the page the request asks for (?after=<id>), for a page selector."""
    after = request.GET.get("after")
    return lambda queryset: keyset_page(queryset, after=after, size=size)


# --- forms that save once -------------------------------------------------------------------
# A create form carries a one-time token ({% submission_token %} in its template, a new one at
# every rendering). The first submission under a token saves and records where the record is;
# a second one (a double click, the browser sending the form again after a timeout) saves
# nothing and is taken to that record. The API's Idempotency-Key works the same way
# (protection/idempotency.py); a page's second submission waits for the first instead of
# answering 409.

SUBMISSION_TOKEN = "submission_token"  # noqa: S105 (a field name, not a secret)


def new_submission_token() -> str:
    """Return a fresh token for one rendering of a create form."""
    return secrets.token_urlsafe(18)


class Submission:
    """One submission of a create form: `replay` is the answer to a second submission of the
    same form (a redirect to what the first saved); otherwise the view saves and returns
    `done(...)` or `saved(response)`, which record where the record is."""

    def __init__(
        self, claim: idempotency.Claim | None = None, replay: HttpResponse | None = None
    ) -> None:
        self._claim = claim
        self.replay = replay

    def saved(self, response: HttpResponse) -> HttpResponse:
        """Record the redirect to the saved record as this token's answer; return it."""
        if self._claim is not None:
            self._claim.outcome = idempotency.Outcome(
                status_code=response.status_code, location=response["Location"]
            )
        return response

    def done(self, request: HttpRequest, message: str | Promise, url: str) -> HttpResponse:
        """Say what was saved and go to it (`done`), as this token's answer."""
        return self.saved(done(request, message, url))


@contextmanager
def submitted_once(request: "AuthenticatedHttpRequest") -> Iterator[Submission]:
    """Run the block once per form token: around a create form's validation and service.

    Without a token (a GET, or a client that sends none) the block runs as it always did.
    """
    token = request.POST.get(SUBMISSION_TOKEN, "") if request.method == "POST" else ""
    if not 0 < len(token) <= idempotency.KEY_MAX_LENGTH:
        yield Submission()
        return
    body = {
        name: values
        for name, values in request.POST.lists()
        if name not in (SUBMISSION_TOKEN, "csrfmiddlewaretoken")
    }
    fingerprint = idempotency.request_fingerprint(
        method="POST", path=request.get_full_path(), body=body
    )
    with idempotency.key_claim(
        user=request.user, key=f"page:{token}", fingerprint=fingerprint, wait=True
    ) as claim:
        if claim.earlier is None:
            yield Submission(claim)
            return
        if claim.same_request:
            messages.info(
                request, str(_("This form had already been sent; here is what it saved."))
            )
        else:
            messages.warning(
                request,
                str(
                    _(
                        "This form had already been sent and saved; the changes made before "
                        "sending it again were not saved. Open the form again to save them."
                    )
                ),
            )
        yield Submission(replay=redirect(claim.earlier.location))


def created_once(
    request: "AuthenticatedHttpRequest",
    form: forms.Form,
    write: Callable[[dict[str, Any]], object],
    *,
    message: str | Promise,
    url: str,
) -> HttpResponse | None:
    """Save a posted create form through `write` (given the cleaned data), once per form token.

    Return the answer: the redirect to `url` with `message`, or the replay of an earlier
    submission of the same form. None: show the form (a GET, or errors now on the form).
    """
    with submitted_once(request) as submission:
        if submission.replay:
            return submission.replay
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if run_service(form, lambda: write(data)):
                return submission.done(request, message, url)
    return None


def detail_url(name: str) -> Callable[[int], str]:
    """Return a function giving the URL of route `name` (one `<int:pk>` argument) for an id.

    The route is reversed once; a list page's fifty rows then cost a string join each instead
    of fifty reverse() calls, which were a tenth of a list page's time.
    """
    sentinel = 987654321
    before, after = reverse(name, args=[sentinel]).split(str(sentinel))
    return lambda pk: f"{before}{int(pk)}{after}"


def _printed_attrs(attrs: dict[str, Any]) -> str:
    """Return attributes as django/forms/widgets/attrs.html prints them."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
        for name, value in attrs.items()
        if value is not False
    )


class PrintedSelect(forms.Select):
    """Django's Select, its markup written in Python rather than by a template per option.

    A filter bar's lists of sites, types and statuses cost a quarter of a list page's time when
    each <option> went through the template engine. The markup is the same, character for
    character (tests/protection/test_printed_select.py compares the two).
    """

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"', widget["name"]), _printed_attrs(widget["attrs"])]
        parts.append(">")
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in group_choices:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>\n',
                        str(option["value"]),
                        mark_safe(_printed_attrs(option["attrs"])),  # noqa: S308 (escaped above)
                        option["label"],
                    )
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every part escaped by format_html)


def print_selects(form: forms.BaseForm) -> None:
    """Give the form's plain <select> fields the PrintedSelect widget (same markup, faster)."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            printed = PrintedSelect(attrs=field.widget.attrs, choices=field.widget.choices)
            printed.is_required = field.widget.is_required
            field.widget = printed
