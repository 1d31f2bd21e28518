"""Edit forms that carry their base, and the page's side of an edit conflict (protection.edits).

An edit form holds, in a signed hidden field, the values it was rendered with. When the
service finds that another change of the same fields was saved meanwhile, the page is shown
again with the officer's values in the inputs, a panel listing each conflicting field with
"yours", "saved now" and "when you opened the form", and a required choice per field; the
hidden base is then the values saved now, so that the next save compares against them.
"""

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from protection import edits

BASE_FIELD = "edit_base"
RESOLVE_PREFIX = "resolve_"
MINE, THEIRS = "mine", "theirs"


class EditBaseForm(forms.Form):
    """A form whose save is merged field by field against the base it was rendered with."""

    edit_base = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        record: str,
        base_values: Mapping[str, Any] | None = None,
        conflicts: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.record = record
        if base_values is not None:
            self.initial[BASE_FIELD] = edits.base_sign(
                record=record, values=base_values, conflicts=conflicts
            )
        token = self.data.get(BASE_FIELD) if self.is_bound else self.initial.get(BASE_FIELD)
        self.base = edits.base_unsign(token or "", record=record)
        for name in self.base.conflicts if self.base else []:
            if name in self.fields:
                self.fields[RESOLVE_PREFIX + name] = forms.ChoiceField(
                    label=_("Which value to keep"),
                    choices=[(MINE, _("Mine (the value in the field)")), (THEIRS, _("Saved now"))],
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Choose which value to keep.")},
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.is_bound and self.base is None:
            raise forms.ValidationError(
                _("This form was changed or is too old to compare: open the record again."),
                code="base",
            )
        return cleaned

    def base_values(self) -> dict[str, Any]:
        """Return the base the form was rendered with (after a valid clean)."""
        assert self.base is not None
        return self.base.values

    def kept(self, submitted: Mapping[str, Any]) -> dict[str, Any]:
        """Return the submitted values without those the officer chose to leave as saved."""
        return {
            name: value
            for name, value in submitted.items()
            if self.cleaned_data.get(RESOLVE_PREFIX + name) != THEIRS
        }

    def resolve_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(RESOLVE_PREFIX)]

    def edited_fields(self) -> list[forms.BoundField]:
        """The fields the officer edits (the hidden base and the choices apart)."""
        return [
            self[name]
            for name in self.fields
            if name != BASE_FIELD and not name.startswith(RESOLVE_PREFIX)
        ]


FormT = TypeVar("FormT", bound=EditBaseForm)


def form_after_conflict(form: FormT, conflict: edits.EditConflict, **kwargs: Any) -> FormT:
    """Return the form again with the officer's values, the new base and a choice per conflict.

    `kwargs` are the form's own constructor arguments besides the data and the base.
    """
    data = cast(QueryDict, form.data).copy()
    for name in list(data):
        if name.startswith(RESOLVE_PREFIX):
            del data[name]
    data[BASE_FIELD] = edits.base_sign(
        record=form.record, values=conflict.current, conflicts=conflict.fields
    )
    again = type(form)(data, record=form.record, **kwargs)
    # Shown, not validated: the choices are still to be made; no "required" before that.
    again.errors.clear()
    return again


def _label_of(field: forms.Field, value: Any) -> str:
    """Return a comparable value as the page shows it: a choice's label, a list joined."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_label_of(field, item) for item in value)
    labels: dict[str, str] = {}
    for key, label in getattr(field, "choices", []) or []:
        if isinstance(label, list | tuple):  # a group of choices
            labels.update({str(k): str(v) for k, v in label})
        else:
            labels[str(key)] = str(label)
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return labels.get(str(value), str(value))


def conflict_rows(form: EditBaseForm, conflict: edits.EditConflict) -> list[dict[str, Any]]:
    """Return one row per conflicting field: its label, the three values, and the choice."""
    rows = []
    for item in conflict.conflicts:
        field = form.fields.get(item.field)
        if field is None:
            continue
        rows.append(
            {
                "name": item.field,
                "label": field.label or item.field,
                "yours": _label_of(field, item.yours),
                "theirs": _label_of(field, item.theirs),
                "base": _label_of(field, item.base),
                "choice": form[RESOLVE_PREFIX + item.field],
            }
        )
    return rows


def pending_rows(form: EditBaseForm) -> list[dict[str, Any]]:
    """Return the rows of a conflict page sent back without a choice: yours and saved now."""
    assert form.base is not None
    rows = []
    for name in form.base.conflicts:
        field = form.fields.get(name)
        if field is None:
            continue
        data = cast(QueryDict, form.data)
        multiple = isinstance(field, forms.MultipleChoiceField)
        yours = data.getlist(name) if multiple else data.get(name)
        rows.append(
            {
                "name": name,
                "label": field.label or name,
                "yours": _label_of(field, edits.comparable(yours)),
                "theirs": _label_of(field, form.base.values.get(name)),
                "base": None,
                "choice": form[RESOLVE_PREFIX + name],
            }
        )
    return rows
