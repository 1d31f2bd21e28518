"""The three-way comparison of an edit against its base (protection.edits), and its signed base."""

import datetime

from protection import edits
from tests import factories


def _merge(base: dict, current: dict, submitted: dict) -> edits.Merge:
    return edits.merge(base=base, current=current, submitted=submitted)


def test_a_field_changed_only_by_the_officer_is_applied() -> None:
    outcome = _merge({"status": "open"}, {"status": "open"}, {"status": "closed"})
    assert outcome.changes == {"status": "closed"}
    assert outcome.conflicts == []


def test_a_field_changed_only_on_the_server_is_kept_not_reverted() -> None:
    outcome = _merge({"status": "open"}, {"status": "responding"}, {"status": "open"})
    assert outcome.changes == {}
    assert outcome.conflicts == []


def test_the_same_new_value_on_both_sides_is_no_conflict() -> None:
    outcome = _merge({"status": "open"}, {"status": "closed"}, {"status": "closed"})
    assert outcome == edits.Merge(changes={}, conflicts=[])


def test_different_changes_on_both_sides_are_a_conflict_with_the_three_values() -> None:
    outcome = _merge(
        {"status": "open", "verification": "reported"},
        {"status": "responding", "verification": "reported"},
        {"status": "closed", "verification": "verified"},
    )
    assert outcome.conflicts == [
        edits.FieldConflict(field="status", yours="closed", theirs="responding", base="open")
    ]
    # What could be kept is reported too; the services write nothing while a conflict stands.
    assert outcome.changes == {"verification": "verified"}


def test_values_are_compared_in_one_form() -> None:
    need_a, need_b = "SC-UC", "DS-BD"
    base = edits.comparable_all(
        {
            "date_of_birth": datetime.date(2001, 5, 3),
            "notes": "Referred.\r\n",
            "needs": [need_a, need_b],
        }
    )
    outcome = _merge(
        base,
        base,
        {
            "date_of_birth": datetime.date(2001, 5, 3),
            "notes": "  Referred.",
            "needs": [need_b, need_a],
        },
    )
    assert outcome.changes == {}
    assert base["date_of_birth"] == "2001-05-03"


def test_a_reference_row_compares_by_its_code(db: None) -> None:
    site = factories.SiteFactory(code="KAK-01")
    assert edits.comparable(site) == "KAK-01"


def test_a_field_without_base_is_compared_with_the_value_now_saved() -> None:
    outcome = _merge({}, {"status": "responding"}, {"status": "closed"})
    assert outcome.changes == {"status": "closed"}


def test_a_signed_base_belongs_to_one_record_and_cannot_be_altered() -> None:
    token = edits.base_sign(record="incident:7", values={"status": "open"}, conflicts=["status"])
    base = edits.base_unsign(token, record="incident:7")
    assert base == edits.Base(values={"status": "open"}, conflicts=["status"])
    assert edits.base_unsign(token, record="incident:8") is None
    assert edits.base_unsign(token[:-2] + "xx", record="incident:7") is None
    assert edits.base_unsign("", record="incident:7") is None


def test_the_audit_of_a_refused_save_names_fields_only() -> None:
    assert edits.conflict_audit(["status", "actions_taken"]) == {
        "actions_taken": ["***", "***"],
        "status": ["***", "***"],
    }
