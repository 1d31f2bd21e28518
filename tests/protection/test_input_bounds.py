"""Every number a caller can type is bounded, so that none reaches PostgreSQL out of range.

The tests walk every request body of the published API schema (what each serializer takes,
nested ones too) and every form class of the pages, so that a field added tomorrow is checked
as well, and fail on an integer or float input without both a minimum and a maximum within the
integer column's range. Decimals are bounded by their digits (the column's own precision);
model forms by their model fields' validators (Django adds the column's range).
"""

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from protection.bounds import BIGINT_MAX, INTEGER_MAX
from tests.api.schema import openapi_schema

PROJECT_PACKAGES = ("camps", "cases", "incidents", "partners", "protection")
FORM_MODULES = [
    "cases.registry.forms.households",
    "cases.registry.forms.people",
    "cases.casework.forms.case",
    "cases.casework.forms.lists",
    "cases.casework.forms.plan",
    "cases.casework.forms.referrals",
    "incidents.forms",
    "partners.forms",
    "incidents.admin",
    "partners.admin",
    "protection.accounts.admin",
    "protection.notifications.admin",
]
FORM_NUMBERS = (forms.IntegerField, forms.FloatField, forms.DecimalField)


def _ours(cls: type) -> bool:
    return cls.__module__.split(".")[0] in PROJECT_PACKAGES


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _resolve(node: Any, components: dict[str, Any]) -> Any:
    if isinstance(node, dict) and "$ref" in node:
        return components[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _numbers_in(node: Any, components: dict[str, Any], where: str) -> Iterator[tuple]:
    """Yield (where, schema) for every integer or number a request body can hold."""
    node = _resolve(node, components)
    if not isinstance(node, dict):
        return
    if node.get("type") in ("integer", "number") and not node.get("readOnly"):
        yield where, node
    for name, prop in node.get("properties", {}).items():
        yield from _numbers_in(prop, components, f"{where}.{name}")
    if "items" in node:
        yield from _numbers_in(node["items"], components, f"{where}[]")
    for key in ("allOf", "oneOf", "anyOf"):
        for part in node.get(key, []):
            yield from _numbers_in(part, components, where)


def _request_numbers() -> list[tuple[str, dict[str, Any]]]:
    document = openapi_schema()
    components = document["components"]["schemas"]
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                where = f"{method.upper()} {path}"
                found += list(_numbers_in(media["schema"], components, where))
    return found


def _in_range(low: Any, high: Any, largest: int = INTEGER_MAX) -> bool:
    return low is not None and high is not None and -largest - 1 <= low <= high <= largest


def _bounded(node: dict[str, Any]) -> bool:
    """Tell whether a schema number is bounded: by its range, or by a list of values."""
    if "enum" in node:
        return True
    largest = BIGINT_MAX if node.get("format") == "int64" else INTEGER_MAX  # int64: an id
    return _in_range(node.get("minimum"), node.get("maximum"), largest)


def test_every_number_an_api_request_takes_is_bounded() -> None:
    numbers = _request_numbers()
    unbounded = [
        f"{where} ({node.get('minimum')}..{node.get('maximum')})"
        for where, node in numbers
        if not _bounded(node)
    ]

    assert any(where.endswith("/incidents/.female_children") for where, _node in numbers)
    assert not unbounded, "bound these with protection.bounds:\n" + "\n".join(unbounded)


def _form_classes() -> list[type[forms.BaseForm]]:
    for module in FORM_MODULES:
        importlib.import_module(module)
    return sorted(
        (cls for cls in _subclasses(forms.BaseForm) if _ours(cls)),
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


def _model_bounds(form_class: type, name: str) -> tuple[Any, Any]:
    model = getattr(getattr(form_class, "_meta", None), "model", None)
    if model is None:
        return None, None
    validators = model._meta.get_field(name).validators
    low = next((v.limit_value for v in validators if isinstance(v, MinValueValidator)), None)
    high = next((v.limit_value for v in validators if isinstance(v, MaxValueValidator)), None)
    return low, high


@pytest.mark.parametrize(
    "form_class", _form_classes(), ids=lambda cls: f"{cls.__module__}.{cls.__name__}"
)
def test_every_number_a_form_takes_is_bounded(form_class: type, db: None) -> None:
    unbounded = []
    for name, field in form_class.base_fields.items():  # type: ignore[attr-defined]
        if not isinstance(field, FORM_NUMBERS) or field.disabled:
            continue
        low, high = field.min_value, field.max_value
        if low is None or high is None:
            model_low, model_high = _model_bounds(form_class, name)
            low = model_low if low is None else low
            high = model_high if high is None else high
        if not _in_range(low, high):
            unbounded.append(f"{name} ({low}..{high})")
    assert not unbounded, f"{form_class.__name__}: bound these with protection.bounds"
