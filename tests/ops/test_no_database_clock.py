"""Every time the application stores or compares comes from Python, never from PostgreSQL.

`make test-future` moves Python's clock, not the database server's; and in production the
web and worker hosts' clocks are the ones timezone.now() reads. A column default or an SQL
function computed by the database would disagree with both, so none may creep in.
"""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.models.fields import NOT_PROVIDED

ROOT = Path(settings.BASE_DIR)
PACKAGES = ("protection", "cases", "camps", "incidents", "partners")
# SQL's clock: now() (not timezone.now() or datetime.now()), Django's Now(), and the rest.
DATABASE_CLOCK = re.compile(
    r"(?<![\w.])now\(\)|\bCURRENT_(TIMESTAMP|DATE|TIME)\b|\bLOCALTIMESTAMP\b"
    r"|\b(clock|statement|transaction)_timestamp\b",
    re.IGNORECASE,
)


def test_no_model_field_takes_its_default_from_the_database() -> None:
    computed = sorted(
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED
    )
    assert not computed


def test_no_code_or_migration_asks_the_database_for_the_time() -> None:
    found = sorted(
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if DATABASE_CLOCK.search(line)
    )
    assert not found


def test_the_pattern_finds_the_database_clock_and_not_pythons() -> None:
    assert DATABASE_CLOCK.search("models.F('x') < Now()")
    assert DATABASE_CLOCK.search("ALTER TABLE t ALTER COLUMN c SET DEFAULT now()")
    assert DATABASE_CLOCK.search("WHERE created_at < CURRENT_TIMESTAMP")
    assert not DATABASE_CLOCK.search("moment = timezone.now()")
    assert not DATABASE_CLOCK.search("moment = datetime.datetime.now(datetime.UTC)")
