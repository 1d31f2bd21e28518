"""Narratives and secrets are stored encrypted: the raw tables hold no clear text, every page,
API response and export shows the same words as before, and rotating the key keeps them readable.
"""

import base64
import io
import os
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cases.casework import plan, services
from cases.models import CaseApproval, CaseEventText, PersonPhoto, ProtectionCase, Referral
from cases.registry.identifiers import IdentifierData, person_identifier_add
from cases.registry.photo import person_photo_set
from incidents.community.services import ConcernData, community_report_receive
from incidents.models import Incident
from protection.crypto import cipher
from protection.crypto.columns import encrypted_columns
from protection.crypto.fields import EncryptedJSONField, EncryptedTextField
from protection.models import AuditEvent
from protection.notifications.models import WebhookSubscription
from tests.api.conftest import SchemaCheckedClient
from tests.casework.conftest import (
    advance,
    agreement,
    case,
    household,
    partner,
    person,
    refer,
    service,
    supervisor,
    worker,
)
from tests.incidents.conftest import report
from tests.pages.conftest import signed_in

__all__ = ["agreement", "case", "household", "partner", "person", "service", "supervisor", "worker"]

NOTE = "She fears her former husband, who waits at the water point."
RISKS = "Threats by an armed man near the latrines."
SAFETY = "Move her shelter next to her sister's; escort to the clinic."
WISHES = "She wants to stay in the camp with her children."
FOLLOW_UP = "Visited at home: the threats stopped this week."
ACTION = "Accompany her to the women's centre on Tuesday."
SUMMARY_NEW = "Threatened again after the distribution."
CLOSURE_NOTE = "Relocated with her family to a safer block."
REASON = "Needs clinical care within 72 hours after an assault."
DESCRIPTION = "Two boys taken from the football ground by armed men."
ACTIONS_TAKEN = "Families informed; child protection focal point alerted."


def _columns() -> list[Any]:
    return encrypted_columns()


def _raw(table: str, column: str) -> list[str]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)}")  # noqa: S608
        return [value for (value,) in cursor.fetchall() if value]


@pytest.fixture
def world(
    worker: Any,
    supervisor: Any,
    officer: Any,
    site: Any,
    case: ProtectionCase,
    service: Any,
    agreement: Any,
) -> dict[str, Any]:
    """A case with every kind of narrative, through the services, plus an incident, a webhook
    and a community report."""
    services.case_note_add(actor=worker, case=case, text=NOTE)
    case = advance(worker, case, "assessment")
    plan.assessment_record(
        actor=worker,
        case=case,
        risks_identified=RISKS,
        immediate_safety_concern=True,
        safety_plan=SAFETY,
        wishes=WISHES,
    )
    case = advance(worker, case, "case_plan")
    plan.case_action_add(
        actor=worker,
        case=case,
        description=ACTION,
        due_on=timezone.localdate(),
        responsible_user=worker,
    )
    case = advance(worker, case, "implementation")
    plan.follow_up_record(actor=worker, case=case, contact_type="home_visit", notes=FOLLOW_UP)
    services.case_update(actor=worker, case=case, summary=SUMMARY_NEW)
    referral = refer(worker, case, service, reason=REASON)
    CaseApproval.objects.create(
        case=case,
        kind="closure",
        status="rejected",
        closure_reason="needs_met",
        closure_note=CLOSURE_NOTE,
        requested_by=worker,
        decided_by=supervisor,
        decided_at=timezone.now(),
        decision_note="Not yet: the threats went on last week.",
    )
    incident = report(officer, site=site, description=DESCRIPTION, actions_taken=ACTIONS_TAKEN)
    webhook = WebhookSubscription.objects.create(
        agency=officer.agency,
        url="https://hooks.example.org/protection",
        events=["alert.raised"],
        secret="whsec_" + "s3cr3t" * 6,
        secret_hint="t",
    )
    community_report_receive(
        data=ConcernData(
            site=site,
            kind="violence",
            description=DESCRIPTION,
            occurred_on=timezone.localdate(),
            language="en",
            contact="+211 900 000 002",
        )
    )
    person_identifier_add(
        actor=worker,
        person=case.primary_person,
        data=IdentifierData(kind="biometric", scheme="UNHCR BIMS", number="BIMS-4410"),
    )
    photo = io.BytesIO()
    Image.new("RGB", (32, 32), (20, 140, 90)).save(photo, format="JPEG")
    person_photo_set(actor=worker, person=case.primary_person, upload=io.BytesIO(photo.getvalue()))
    return {"case": case, "referral": referral, "incident": incident.incident, "webhook": webhook}


def _fill_every_encrypted_field() -> dict[tuple[str, str], Any]:
    """Write a marker into every encrypted field of one row of each model; return the markers."""
    markers: dict[tuple[str, str], Any] = {}
    for model in apps.get_models():
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, EncryptedTextField | EncryptedJSONField)
        ]
        if not fields:
            continue
        row = model._base_manager.order_by("pk").first()
        assert row is not None, f"the test world has no {model._meta.label}"
        values = {}
        for field in fields:
            text = f"MARKER {model._meta.db_table} {field.column} clear words"
            value = {"said": text} if isinstance(field, EncryptedJSONField) else text
            markers[(model._meta.db_table, field.column)] = value
            values[field.name] = value
        model._base_manager.filter(pk=row.pk).update(**values)
        refreshed = model._base_manager.get(pk=row.pk)
        for field in fields:
            assert getattr(refreshed, field.attname) == values[field.name]
    return markers


def test_the_photo_is_stored_encrypted(world: dict[str, Any]) -> None:
    (stored,) = _raw("cases_personphoto", "image")
    assert stored.startswith(cipher.PREFIX)
    # Neither the JPEG's bytes nor their base64 form ("/9j/" is the JPEG magic in base64).
    assert "/9j/" not in stored and "\xff\xd8" not in stored and "JFIF" not in stored
    photo = PersonPhoto.objects.get()
    assert base64.b64decode(photo.image)[:3] == b"\xff\xd8\xff"


def test_the_raw_tables_hold_no_clear_text(world: dict[str, Any]) -> None:
    clear_words = [
        NOTE,
        RISKS,
        SAFETY,
        WISHES,
        FOLLOW_UP,
        ACTION,
        SUMMARY_NEW,
        REASON,
        DESCRIPTION,
        ACTIONS_TAKEN,
        world["webhook"].secret,
        "BIMS-4410",
    ]
    # What the services wrote, before the markers replace one row per model.
    for col in _columns():
        for stored in _raw(col.table, col.column):
            assert stored.startswith("enc:v1:dev:"), (str(col), stored[:40])
            assert not any(word in stored for word in clear_words)

    markers = _fill_every_encrypted_field()

    assert len(markers) == len(_columns()) >= 20
    everything = "\n".join(v for col in _columns() for v in _raw(col.table, col.column))
    for col in _columns():
        values = _raw(col.table, col.column)
        assert values, f"{col} holds nothing: the test would prove nothing about it"
        assert all(v.startswith(cipher.PREFIX) for v in values), str(col)
    assert "MARKER" not in everything and "clear words" not in everything
    for word in clear_words:
        assert word not in everything
        assert word[:20] not in everything


def test_the_audit_trail_and_the_access_log_hold_none_of_the_words(world: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes::text, object_repr FROM protection_auditevent")
        trail = "\n".join(f"{changes} {label}" for changes, label in cursor.fetchall())
    assert AuditEvent.objects.filter(action="case.note_add").exists()
    for word in (NOTE, RISKS, SAFETY, WISHES, FOLLOW_UP, ACTION, SUMMARY_NEW, REASON, DESCRIPTION):
        assert word not in trail
    # The summary's old and new words are kept beside the event, encrypted.
    kept = [t.texts for t in CaseEventText.objects.filter(case=world["case"])]
    assert SUMMARY_NEW in [t["summary"][1] for t in kept if "summary" in t]
    assert SUMMARY_NEW not in "".join(_raw("cases_caseeventtext", "texts"))


def test_pages_and_the_api_show_the_same_words(
    world: dict[str, Any], worker: Any, officer: Any
) -> None:
    case = world["case"]
    page = signed_in(worker).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    for word in (NOTE, RISKS, SAFETY, FOLLOW_UP, ACTION, SUMMARY_NEW):
        assert word.replace("'", "&#x27;") in page, word

    api = SchemaCheckedClient()
    api.login_with_token(worker)
    assert api.get(f"/api/v1/cases/{case.pk}/").json()["summary"] == SUMMARY_NEW
    notes = api.get(f"/api/v1/cases/{case.pk}/notes/").json()
    assert [n["text"] for n in notes] == [NOTE]
    sent = api.get(f"/api/v1/referrals/sent/{world['referral'].pk}/").json()
    assert sent["reason"] == REASON
    assert sent["shared_data"] == world["referral"].shared_data != {}

    as_officer = SchemaCheckedClient()
    as_officer.login_with_token(officer)
    incident = as_officer.get(f"/api/v1/incidents/{world['incident'].pk}/").json()
    assert (incident["description"], incident["actions_taken"]) == (DESCRIPTION, ACTIONS_TAKEN)
    detail = signed_in(officer).get(reverse("incidents:detail", args=[world["incident"].pk]))
    assert DESCRIPTION in detail.content.decode()


NEW_KEY = "k2026:" + base64.b64encode(os.urandom(32)).decode()


def _kids() -> set[str]:
    return {cipher.key_id(v) for col in _columns() for v in _raw(col.table, col.column)}


def test_rotating_the_key_keeps_every_value_readable_under_the_new_key(
    world: dict[str, Any], settings: Any
) -> None:
    markers = _fill_every_encrypted_field()
    assert _kids() == {"dev"}
    updated_before = ProtectionCase.objects.values_list("updated_at", flat=True).get()
    events_before = AuditEvent.objects.count()

    settings.PROTECTION_FIELD_KEYS = f"{NEW_KEY},{settings.PROTECTION_FIELD_KEYS}"
    dry = io.StringIO()
    call_command("rotate_keys", "--dry-run", stdout=dry)
    assert (
        "cases_casenote.text: 1 to re-encrypt, 0 under the primary key, 0 in clear"
        in dry.getvalue()
    )
    assert _kids() == {"dev"}  # a dry run writes nothing

    out = io.StringIO()
    call_command("rotate_keys", "--batch-size", "1", stdout=out)

    assert _kids() == {"k2026"}
    assert "cases_casenote.text: 1 re-encrypted" in out.getvalue()
    # No save, no audit copy, no moved timestamps: only the stored form changed.
    assert AuditEvent.objects.count() == events_before
    assert ProtectionCase.objects.values_list("updated_at", flat=True).get() == updated_before
    # Every value reads back the same, now with the new key alone.
    settings.PROTECTION_FIELD_KEYS = NEW_KEY
    for (table, column), value in markers.items():
        model = next(m for m in apps.get_models() if m._meta.db_table == table)
        field = next(f for f in model._meta.concrete_fields if f.column == column)
        assert getattr(model._base_manager.order_by("pk").first(), field.attname) == value
    assert Referral.objects.get().shared_data
    assert Incident.objects.get().actions_taken

    # Run again: everything is under the primary key already, nothing is written.
    again = io.StringIO()
    call_command("rotate_keys", stdout=again)
    assert "0 values re-encrypted" in again.getvalue()


def test_rotation_stopped_halfway_resumes_and_a_missing_key_is_named(
    world: dict[str, Any], settings: Any
) -> None:
    dev_keys = settings.PROTECTION_FIELD_KEYS
    # The old key was dropped too early: the command names it and writes nothing wrong.
    settings.PROTECTION_FIELD_KEYS = NEW_KEY
    with pytest.raises(CommandError, match="under the key 'dev', which PROTECTION_FIELD_KEYS"):
        call_command("rotate_keys", stdout=io.StringIO())
    assert _kids() == {"dev"}

    # Half the columns rotated by hand (as a run stopped midway would leave them), then resume.
    settings.PROTECTION_FIELD_KEYS = f"{NEW_KEY},{dev_keys}"
    from protection.crypto.columns import rotate

    for col in _columns()[: len(_columns()) // 2]:
        list(rotate(col))
    assert _kids() == {"dev", "k2026"}
    call_command("rotate_keys", stdout=io.StringIO())
    assert _kids() == {"k2026"}
    assert services_note_text(world["case"]) == NOTE


def services_note_text(case: ProtectionCase) -> str:
    return case.notes.get().text


@override_settings(PROTECTION_FIELD_KEYS="")
def test_rotate_keys_without_keys_says_so(db: None) -> None:
    with pytest.raises(CommandError, match="PROTECTION_FIELD_KEYS is not set"):
        call_command("rotate_keys", stdout=io.StringIO())
