"""README says what the code does: the role matrix, the demo logins, the settings, the commands."""

import ast
import re
from pathlib import Path

from django.conf import settings

from protection.access import ROLE_ACTIONS, Action
from protection.accounts.models import Role
from protection.demo.plan import demo_logins
from tests.ops import role_matrix

ROOT = Path(settings.BASE_DIR)
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_role_matrix_matches_the_access_policy() -> None:
    actions, allowed = role_matrix.parse(README)
    expected = {str(role): {str(a) for a in ROLE_ACTIONS.get(role, frozenset())} for role in Role}
    hint = "README's role matrix is stale; paste `python -m tests.ops.role_matrix`:\n"
    hint += role_matrix.render()
    assert sorted(actions) == sorted(a.value for a in Action), hint
    assert len(actions) == len(set(actions)), hint
    assert allowed == expected, hint


def test_role_matrix_renders_what_it_parses() -> None:
    markdown = f"{role_matrix.START}\n{role_matrix.render()}\n{role_matrix.END}"
    actions, allowed = role_matrix.parse(markdown)
    assert actions == [a.value for a in Action]
    assert allowed == {str(r): {str(a) for a in ROLE_ACTIONS.get(r, frozenset())} for r in Role}


def _readme_logins() -> list[tuple[str, str, str, str]]:
    section = README.split("<!-- demo-logins:start -->", 1)[1].split("<!-- demo-logins:end -->")[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    result = []
    for row in rows:
        cells = [cell.strip().strip("`") for cell in row.strip("|").split("|")]
        result.append((cells[0], cells[1], cells[2], cells[3]))
    return result


def test_demo_logins_in_readme_match_seed_demo() -> None:
    assert _readme_logins() == demo_logins()


def _settings_environment_variables() -> set[str]:
    """Return every environment variable protection/settings/*.py reads."""
    names: set[str] = set()
    readers = {"get", "env_bool", "env_list", "getenv"}
    for path in (ROOT / "protection" / "settings").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in readers and node.args and isinstance(node.args[0], ast.Constant):
                    names.add(str(node.args[0].value))
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "environ"
                and isinstance(node.slice, ast.Constant)
            ):
                names.add(str(node.slice.value))
    # Keys of settings dictionaries read with .get() are not environment variables.
    return {name for name in names if re.fullmatch(r"[A-Z][A-Z0-9_]+", name)}


def test_every_setting_from_the_environment_is_documented() -> None:
    names = _settings_environment_variables()
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"} <= names
    missing = sorted(name for name in names if f"`{name}`" not in README)
    assert not missing, f"README does not document these environment variables: {missing}"


def test_readme_gives_the_commands_and_addresses() -> None:
    for text in (
        "make run",
        "make test",
        "make lint",
        "make bench",
        "/api/v1/docs/",
        "/api/v1/schema/",
        "/api/v1/auth/token/",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "CACHE_URL",
        "docker compose",
    ):
        assert text in README, text
    assert re.search(r"^## Measurements$", README, flags=re.MULTILINE)


def test_makefile_has_the_targets_readme_names() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))
    named = set(re.findall(r"`make ([a-z][a-z-]*)", README))
    assert {"run", "test", "lint", "bench", "messages", "clean"} <= targets
    assert named <= targets, named - targets
