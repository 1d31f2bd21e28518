"""Form fields the registry pages share (the base form is protection.pages.PageForm)."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from camps.models import Country
from cases.models import SpecificNeed
from cases.registry.forms.choices import RegistryChoices


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
    """UNHCR specific-needs codes, grouped by category; cleans to the needs.

    A grouped multiple select works without JavaScript; static/js/needs-picker.js turns it
    into a search box that shows only the chosen needs
    (templates/cases/includes/specific_needs.html).
    """

    widget = forms.SelectMultiple(attrs={"size": 6})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Codes CR and SC apply only to children under 18."))
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
