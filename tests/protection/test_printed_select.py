"""PrintedSelect writes the same <select> as Django's Select, character for character."""

from typing import Any

import pytest
from django import forms
from django.utils import translation

from cases.registry.forms import PersonSearchForm
from cases.registry.forms.choices import RegistryChoices
from incidents.forms import IncidentFilterForm
from protection.pages import PrintedSelect

pytestmark = pytest.mark.django_db


def _as_django_would(field: forms.Field, name: str, value: Any, attrs: dict[str, Any]) -> str:
    plain = forms.Select(attrs=field.widget.attrs, choices=field.widget.choices)
    plain.is_required = field.widget.is_required
    return str(plain.render(name, value, attrs))


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_filter_forms_selects_print_as_django_would(
    officer: Any, site: Any, language: str
) -> None:
    with translation.override(language):
        forms_to_check = [
            IncidentFilterForm({"severity": "3", "site": str(site.pk)}, user=officer),
            PersonSearchForm(
                {"sex": "female", "specific_need": "SC", "site": str(site.pk)},
                sites=[(site.pk, 'Site "A" & <B>')],
                choices=RegistryChoices(),
            ),
        ]
        printed = 0
        for form in forms_to_check:
            form.is_valid()
            for bound in form:
                widget = bound.field.widget
                if not isinstance(widget, forms.Select) or isinstance(widget, forms.SelectMultiple):
                    continue
                assert isinstance(widget, PrintedSelect), bound.name
                attrs = bound.build_widget_attrs({"id": bound.auto_id}, widget)
                value = bound.value()
                assert str(widget.render(bound.html_name, value, attrs)) == _as_django_would(
                    bound.field, bound.html_name, value, attrs
                )
                printed += 1
        assert printed >= 8


def test_option_groups_and_boolean_attributes() -> None:
    choices = [("", "Any"), ("Group <1>", [("a", "A & a"), ("b", "B")]), ("c", "C")]
    attrs = {"id": "id_x", "required": True, "disabled": False, "data-x": 'q"uote'}
    printed = PrintedSelect(choices=choices).render("x", "b", attrs)
    plain = forms.Select(choices=choices).render("x", "b", attrs)
    assert str(printed) == str(plain)
