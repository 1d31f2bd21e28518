"""The form that uploads a person's photo."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.registry.photo import ACCEPTED_TYPES
from protection.pages import PageForm


class PhotoForm(PageForm):
    """One image file; the service decodes, checks and re-encodes it."""

    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("A JPEG, PNG or WebP image of at most 5 MB. Its metadata is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_TYPES)}),
    )
