"""Render the role-by-action table that README shows, from protection.access.ROLE_ACTIONS.

`python -m tests.ops.role_matrix` prints it; tests/ops/test_readme.py fails when README's copy
differs, so the documented matrix cannot drift from the policy.
"""

import os

START = "<!-- role-matrix:start -->"
END = "<!-- role-matrix:end -->"
YES = "✓"


def render() -> str:
    """Return the Markdown table: one row per action, one column per role, ✓ where allowed."""
    from protection.access import ROLE_ACTIONS, Action
    from protection.accounts.models import Role

    roles = list(Role)
    header = "| Action | " + " | ".join(f"`{role.value}`" for role in roles) + " |"
    rule = "|---|" + "|".join(":-:" for _ in roles) + "|"
    rows = [
        f"| `{action.value}` | "
        + " | ".join(YES if action in ROLE_ACTIONS.get(role, frozenset()) else "" for role in roles)
        + " |"
        for action in Action
    ]
    return "\n".join([header, rule, *rows])


def parse(markdown: str) -> tuple[list[str], dict[str, set[str]]]:
    """Return the actions (rows) and {role: allowed actions} of the table between the markers."""
    table = markdown.split(START, 1)[1].split(END, 1)[0]
    lines = [line.strip() for line in table.strip().splitlines() if line.strip().startswith("|")]
    roles = [cell.strip().strip("`") for cell in lines[0].strip("|").split("|")][1:]
    actions: list[str] = []
    allowed: dict[str, set[str]] = {role: set() for role in roles}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        action = cells[0].strip("`")
        actions.append(action)
        for role, cell in zip(roles, cells[1:], strict=True):
            if cell == YES:
                allowed[role].add(action)
            elif cell:
                raise ValueError(f"Unexpected cell {cell!r} for {action} / {role}")
    return actions, allowed


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.dev")
    django.setup()
    print(START)
    print(render())
    print(END)
