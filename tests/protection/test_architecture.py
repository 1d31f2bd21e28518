"""The layers of docs/architecture.md hold: every module of the foundation is placed in the
import contract, every scope the access policy answers is registered by an app, and every
reference list an app defines is loaded.

`make lint` runs the contracts themselves (lint-imports); these tests catch what a contract
cannot: a new module of protection/ that no layer names would escape every check.
"""

import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from camps.census import census
from protection import access, ownership, reference_data
from protection.reference import ReferenceItem
from tests import factories

ROOT = Path(settings.BASE_DIR)


def _layer_modules() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(contract for contract in contracts if contract["id"] == "layers")["layers"]
    named: set[str] = set()
    for layer in layers:
        named |= {part.strip() for part in layer.replace("|", ":").split(":")}
    return named


def test_every_module_of_the_foundation_package_is_in_a_layer() -> None:
    package = ROOT / "protection"
    children = {
        f"protection.{path.stem}"
        for path in package.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert children - _layer_modules() == set()


def test_every_scope_of_the_access_policy_is_registered_by_an_app() -> None:
    for name in access.Records:
        assert access.visible(name, None).count() == 0  # default deny, and no missing rule


def test_an_unregistered_scope_fails_loudly_instead_of_showing_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(access._SCOPES, access.Records.PEOPLE)
    with pytest.raises(ImproperlyConfigured):
        access.people_for(None)


@pytest.mark.django_db
def test_registered_scopes_answer_for_a_signed_in_user() -> None:
    officer = factories.UserFactory.create(role="protection_officer")
    site = factories.SiteFactory.create(managing_agency=officer.agency)
    factories.register_household(actor=officer, site=site)
    assert list(access.sites_for(officer)) == [site]
    assert access.people_for(officer).count() == 1
    assert census().population(site=site, today=timezone.localdate()).individuals == 1


def test_every_reference_list_is_loaded() -> None:
    defined = {
        model
        for model in apps.get_models()
        if issubclass(model, ReferenceItem) and not model._meta.abstract
    }
    assert {model for model, _source in reference_data._LISTS} == defined


def test_every_record_with_an_owner_is_findable_by_its_code() -> None:
    assert set(ownership.OWNER_FIELDS) == set(ownership.CODE_FIELDS)
    for object_type, field in ownership.OWNER_FIELDS.items():
        model = apps.get_model(object_type)
        model._meta.get_field(field.removesuffix("_id"))
        model._meta.get_field(ownership.CODE_FIELDS[object_type])
