"""docs/security.md names modules and tests that exist (paths marked † are work in progress)."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOC = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
# `path` or `path::test_name`, with an optional `*` or `[...]` glob, not followed by a dagger.
_REFERENCE = re.compile(r"`((?:tests|protection|cases|camps|incidents|partners)/[^`\s]+)`(?!\*?†)")


def test_every_module_and_test_the_security_case_names_exists() -> None:
    references = _REFERENCE.findall(DOC)
    assert len(references) > 60  # the table really was read
    missing = []
    for reference in references:
        path, _, name = reference.partition("::")
        matches = list(ROOT.glob(path)) if "*" in path else [ROOT / path]
        if not matches or not all(match.exists() for match in matches):
            missing.append(reference)
            continue
        if name and not any(
            re.search(rf"^def {re.escape(name)}\(", match.read_text(encoding="utf-8"), re.M)
            for match in matches
        ):
            missing.append(reference)
    assert missing == []


def test_the_level_two_areas_the_issue_asks_for_each_have_a_table() -> None:
    for heading in (
        "## Authentication (V6)",
        "## Sessions and tokens (V7)",
        "## Access control (V8)",
        "## Validation and business logic (V1, V2)",
        "## Stored data and data protection (V11, V14)",
        "## Logging and errors (V16)",
        "## The API (V4)",
        "## Configuration (V13, V15)",
    ):
        assert heading in DOC, heading
