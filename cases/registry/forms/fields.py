"""Form fields and the base form the registry pages share."""

import datetime
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from camps.models import Country
from cases.models import SpecificNeed
from cases.registry.forms.choices import RegistryChoices


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
            if isinstance(field.widget, forms.DateInput) and name not in self.future_dates_allowed:
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
    """Return a date field with the browser's own date picker (ISO dates in every language)."""
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        **kwargs,
    )


def today() -> datetime.date:
    """Return today's date in the project's time zone (a callable initial value)."""
    return timezone.localdate()


class CountryField(forms.CharField):
    """A country typed as its name or ISO code, with suggestions from a shared datalist.

    One datalist on the page serves every country field, instead of a select of 250 options
    repeated in each member's form: much lighter on a slow connection.
    """

    datalist_id = "country-list"
    default_error_messages = {
        "unknown": _("Unknown country. Type its name or its ISO code, e.g. SSD."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)
        self.widget.attrs.update({"list": self.datalist_id, "autocomplete": "off"})
        self.registry: RegistryChoices | None = None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Country):
            return value.label
        return value

    def clean(self, value: Any) -> Country | None:
        text = super().clean(value)
        if not text:
            return None
        assert self.registry is not None, "the form must hand its RegistryChoices to the field"
        country = self.registry.country_for(text)
        if country is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        return country

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(self.prepare_value(initial) or "") != str(data or "").strip()


class ObjectChoiceField(forms.ChoiceField):
    """A choice among preloaded objects, keyed by code; cleans to the object itself."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.objects: Mapping[str, Any] = {}

    def set_objects(self, objects: Mapping[str, Any]) -> None:
        """Offer these objects, labelled by their str() in the active language."""
        self.objects = objects
        self.choices = [("", "---------"), *((key, str(obj)) for key, obj in objects.items())]

    def prepare_value(self, value: Any) -> Any:
        return getattr(value, "code", value)

    def clean(self, value: Any) -> Any:
        key = super().clean(value)
        return self.objects.get(key) if key else None

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(self.prepare_value(initial) or "") != str(data or "")


class SpecificNeedsField(forms.MultipleChoiceField):
    """UNHCR specific-needs codes as checkboxes grouped by category; cleans to the needs."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.registry: RegistryChoices | None = None

    def set_registry(self, registry: RegistryChoices) -> None:
        self.registry = registry
        self.choices = registry.need_groups()

    def prepare_value(self, value: Any) -> Any:
        if value is None:
            return []
        return [getattr(item, "code", item) for item in value]

    def clean(self, value: Any) -> list[SpecificNeed]:
        codes = set(super().clean(value))
        assert self.registry is not None
        return [need for need in self.registry.needs if need.code in codes]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return set(self.prepare_value(initial)) != set(data or [])
