"""The test database: a copy of a template that is migrated once and kept between runs.

Migrating an empty database (55 migrations, most of the time spent by Django rendering model
states) costs about 5 s of CPU, and every pytest process paid it on every run; `make test-fast`
runs one process per CPU. The template is migrated once and kept on the server, named after
what built it: a fingerprint of every installed app's migration files, of the project modules
those migrations import, and of Django's version. Changing any of them makes a new template
(the older ones of the same test database are dropped). Each process copies the template into
its own test database (CREATE DATABASE ... TEMPLATE, well under a second), and Django's test
setup then finds it migrated; the copy is dropped at the end of the run as before.
"""

import ast
import hashlib
import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.backends.utils import CursorWrapper
from django.db.migrations.loader import MigrationLoader

# Templates are named <test database>_template_<fingerprint>; they stay on the server between
# runs (no make target drops them; DROP DATABASE does).
TEMPLATE_INFIX = "_template_"


def test_database_name() -> str:
    """Return the name Django gives this process's test database (settings TEST NAME)."""
    settings_dict = connection.settings_dict
    name: str = settings_dict.get("TEST", {}).get("NAME") or f"test_{settings_dict['NAME']}"
    return name


def _is_project_file(path: Path) -> bool:
    """Return whether `path` is this project's source (not Django's or a library's)."""
    base = Path(settings.BASE_DIR).resolve()
    resolved = path.resolve()
    return base in resolved.parents and ".venv" not in resolved.parts


def _migration_files() -> list[Path]:
    """Return the migration files of every installed app, in a stable order."""
    files: list[Path] = []
    for app_config in apps.get_app_configs():
        module, _explicit = MigrationLoader.migrations_module(app_config.label)
        spec = importlib.util.find_spec(module) if module else None
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            files.extend(sorted(Path(location).glob("*.py")))
    return files


def _project_imports(path: Path) -> set[Path]:
    """Return the project modules a migration file imports (their code runs when it does)."""
    found: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.origin and _is_project_file(Path(spec.origin)):
                found.add(Path(spec.origin))
    return found


def fingerprint() -> str:
    """Return a short hash of everything that decides what the migrations build."""
    migrations = _migration_files()
    imported: set[Path] = set()
    for path in migrations:
        if _is_project_file(path):
            imported |= _project_imports(path)
    digest = hashlib.sha256(django.get_version().encode())
    for path in [*migrations, *sorted(imported)]:
        digest.update(f"{path.parent.parent.name}/{path.parent.name}/{path.name}".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def _server_cursor() -> Iterator[CursorWrapper]:
    """Yield a cursor on the server's maintenance database, outside any test database."""
    with connection._nodb_cursor() as cursor:
        yield cursor


def _exists(cursor: CursorWrapper, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cursor.fetchone() is not None


def _build(template: str, *, verbosity: int) -> None:
    """Migrate a new database and rename it `template` only once it is complete."""
    quote = connection.ops.quote_name
    building = f"{template}_building"
    original_name = connection.settings_dict["NAME"]
    test_settings = connection.settings_dict.setdefault("TEST", {})
    test_name = test_settings.get("NAME")
    test_settings["NAME"] = building
    try:
        # Creates the database (dropping a half-built one a crashed run left), migrates it.
        connection.creation.create_test_db(
            verbosity=verbosity, autoclobber=True, serialize=False, keepdb=False
        )
    finally:
        connection.close()
        test_settings["NAME"] = test_name
        connection.settings_dict["NAME"] = original_name
        settings.DATABASES[connection.alias]["NAME"] = original_name
    with _server_cursor() as cursor:
        cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(template)}")


def _drop_older_templates(cursor: CursorWrapper, prefix: str, keep: str) -> None:
    """Drop the templates of earlier migrations; one still being copied is left alone."""
    cursor.execute(
        "SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname <> %s",
        [prefix, keep],
    )
    for (name,) in cursor.fetchall():
        try:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
        except DatabaseError:
            continue


def copy_from_template(*, base_name: str, verbosity: int) -> None:
    """Create this process's test database as a copy of the template, built if missing.

    `base_name` is the test database name shared by the processes of one run (without the
    _gw0 suffix pytest-xdist adds); the template is named after it.
    """
    quote = connection.ops.quote_name
    prefix = f"{base_name}{TEMPLATE_INFIX}"
    template = f"{prefix}{fingerprint()}"
    target = test_database_name()
    with _server_cursor() as cursor:
        # Processes of one run (and runs side by side) build the template once, in turn.
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [prefix])
        try:
            if not _exists(cursor, template):
                _build(template, verbosity=verbosity)
                _drop_older_templates(cursor, prefix, keep=template)
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)}")
            cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [prefix])
