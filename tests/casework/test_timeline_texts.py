"""The timeline still tells the words of the case, read from the case's rows, not the trail."""

import importlib
import json

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from cases.casework import closure, handover, plan, referral_answers, services, timeline
from cases.models import CaseEventText, CaseStatus
from protection.audit_chain import chain_append
from protection.models import AuditEvent, Channel
from tests.casework.conftest import advance, refer


def _trail() -> str:
    return json.dumps(list(AuditEvent.objects.values("changes", "object_repr")))


def test_the_timeline_reads_the_words_from_the_rows(
    worker, supervisor, colleague, partner_worker, case, service, agreement
) -> None:
    case = advance(worker, case, CaseStatus.IMPLEMENTATION)
    services.case_note_add(actor=worker, case=case, text="Met her at the clinic.")
    plan.follow_up_record(
        actor=worker, case=case, contact_type="home_visit", notes="Feels safer at night."
    )
    services.case_update(actor=worker, case=case, summary="Threatened by two neighbours.")
    referral = refer(worker, case, service)
    referral_answers.referral_decline(
        actor=partner_worker, referral=referral, reason="No doctor this month."
    )
    handover.case_reassign(
        actor=supervisor, case=case, assigned_to=colleague, reason="Worker on leave."
    )
    closure.case_close(actor=colleague, case=case, reason="moved_away", note="Left for Juba.")
    closure.case_reopen(actor=colleague, case=case, reason="She came back.")

    entries = {entry.action: entry for entry in timeline.case_timeline(user=worker, case=case)}

    words = {
        "Met her at the clinic.",
        "Feels safer at night.",
        "Threatened by a neighbour.",
        "Threatened by two neighbours.",
        "Threats at the water point.",
        "Accompany to the women's centre.",
        "No doctor this month.",
        "Worker on leave.",
        "Left for Juba.",
        "She came back.",
    }
    trail = _trail()
    assert not [text for text in words if text in trail]
    assert entries["case.open"].changes["summary"] == [None, "Threatened by a neighbour."]
    assert entries["case.note_add"].changes["text"] == [None, "Met her at the clinic."]
    assert entries["case.follow_up_record"].changes["notes"] == [None, "Feels safer at night."]
    assert entries["case.update"].changes["summary"] == [
        "Threatened by a neighbour.",
        "Threatened by two neighbours.",
    ]
    assert entries["case.assessment_record"].changes["risks_identified"] == [
        None,
        "Threats at the water point.",
    ]
    assert entries["case.action_add"].changes["description"] == [
        None,
        "Accompany to the women's centre.",
    ]
    assert entries["case.referral_decline"].changes["decline_reason"] == [
        None,
        "No doctor this month.",
    ]
    assert entries["case.reassign"].changes["reason"] == [None, "Worker on leave."]
    assert entries["case.close"].changes["closure_note"] == ["", "Left for Juba."]
    assert entries["case.reopen"].changes["reason"] == [None, "She came back."]
    assert entries["case.reopen"].changes["closure_note"] == ["Left for Juba.", ""]
    # No entry shows a keyed hash: a reader could do nothing with it.
    shown = json.dumps([entry.changes for entry in entries.values()])
    assert "hmac:" not in shown


def test_the_words_live_with_the_case_and_go_with_it(worker, case) -> None:
    services.case_update(actor=worker, case=case, summary="Moved to block D.")
    assert CaseEventText.objects.filter(case=case).count() == 2  # opening and update

    event_ids = list(CaseEventText.objects.values_list("event_id", flat=True))
    CaseEventText.objects.filter(case=case).delete()  # as an erasure of the file would
    entries = timeline.case_timeline(user=worker, case=case)

    # The trail still says who changed the summary and when; the words are gone for good.
    assert [e.action for e in entries] == ["case.open", "case.update"]
    assert entries[1].changes["summary"] == [None, None]
    assert AuditEvent.objects.filter(pk__in=event_ids).count() == 2
    assert "block D" not in _trail()


def test_the_case_page_shows_the_reasons_and_summaries(client, worker, case) -> None:
    services.case_update(actor=worker, case=case, summary="Threatened by two neighbours.")
    closure.case_close(actor=worker, case=case, reason="moved_away", note="Left for Juba.")
    closure.case_reopen(actor=worker, case=case, reason="She came back.")

    client.force_login(worker)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()

    for text in (
        "Threatened by a neighbour. → Threatened by two neighbours.",
        "Left for Juba.",
        "She came back.",
    ):
        assert text in page, text


def test_the_redaction_migration_moves_old_reasons_beside_their_events(worker, case) -> None:
    """A reason an older release copied into the trail survives its redaction, on the case."""
    old = chain_append(
        [
            AuditEvent(
                actor=worker,
                agency_id=worker.agency_id,
                action="case.reopen",
                object_type="cases.protectioncase",
                object_id=str(case.pk),
                object_repr="Amina Mohammed",
                changes={"status": ["closed", "registered"], "reason": [None, "She came back."]},
                channel=Channel.WEB,
            )
        ]
    )[0]
    module = importlib.import_module("protection.migrations.0004_audit_redact_values")
    state = MigrationExecutor(connection).loader.project_state(
        ("protection", "0004_audit_redact_values")
    )
    with connection.schema_editor() as editor:
        module.redact(state.apps, editor)
        module.redact(state.apps, editor)  # run twice: the texts are kept once
        # Then, as in a real upgrade, the later migration encrypts what the redaction kept.
        encrypting = importlib.import_module("cases.migrations.0008_crypt_encrypt_narratives")
        encrypting.Migration.operations[-1].code(state.apps, editor)

    assert "She came back." not in _trail()
    assert CaseEventText.objects.get(event=old).texts == {"reason": [None, "She came back."]}
    reopened = [
        e for e in timeline.case_timeline(user=worker, case=case) if e.action == "case.reopen"
    ]
    assert reopened[0].changes["reason"] == [None, "She came back."]
