"""Forms of the import pages: the upload, and the mapping of the file's columns."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from camps.models import Site, SiteStatus
from cases.models import RegistryImport
from cases.registry.imports.columns import COLUMNS
from protection import access
from protection.accounts.types import Viewer

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportUploadForm(forms.Form):
    site = forms.ModelChoiceField(
        label=_("Site the people live at"), queryset=Site.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("Fill in the template: one row per person, one column per field."),
    )

    def __init__(self, *args: Any, user: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = access.sites_for(user).filter(status=SiteStatus.OPEN).order_by("name")
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class ImportMappingForm(forms.Form):
    """One choice per column of the file: the template field it fills, or none."""

    def __init__(self, *args: Any, registry_import: RegistryImport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("(not imported)")), *((c.name, c.label) for c in COLUMNS)]
        self.headers = list(registry_import.headers)
        for index, header in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=registry_import.mapping.get(header, ""),
            )

    def mapping(self) -> dict[str, str]:
        return {
            header: self.cleaned_data.get(f"column_{index}", "")
            for index, header in enumerate(self.headers)
        }


class ImportRowDiscardForm(forms.Form):
    reason = forms.CharField(
        label=_("Why discard this row"),
        max_length=300,
        help_text=_("For example: already registered as the candidate shown."),
    )
