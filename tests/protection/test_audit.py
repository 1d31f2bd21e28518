"""The audit trail: secrets never stored, channel and client address recorded, reads logged."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from protection import audit
from protection.audit import (
    MASK,
    RequestContextMiddleware,
    access_log_record,
    audit_record,
    current_context,
    diff,
    snapshot,
    task_context,
)
from protection.models import AccessLog, AuditEvent, Channel

pytestmark = pytest.mark.django_db


def test_audit_record_never_stores_secret_values(officer, site) -> None:
    event = audit_record(
        actor=officer,
        action="user.update",
        obj=officer,
        changes={
            "password": ["old-hash", "new-hash"],
            "api_token": [None, "tok_live_123"],
            "client_secret": ["s1", "s2"],
            "token_digest": ["d1", "d2"],
            "Webhook_Secret": ["w1", "w2"],
            "role": ["case_worker", "supervisor"],
        },
    )

    event.refresh_from_db()
    stored = json.dumps(event.changes)
    for value in ("old-hash", "new-hash", "tok_live_123", "s1", "s2", "d1", "w2"):
        assert value not in stored
    assert event.changes["password"] == [MASK, MASK]
    assert event.changes["Webhook_Secret"] == [MASK, MASK]
    assert event.changes["role"] == ["case_worker", "supervisor"]


def test_diff_of_a_user_masks_the_password_hash(officer) -> None:
    before = snapshot(officer, ["password", "role"])
    officer.set_password("a different passphrase")
    officer.role = "supervisor"
    changes = diff(before, snapshot(officer, ["password", "role"]))

    assert changes == {"password": [MASK, MASK], "role": ["protection_officer", "supervisor"]}
    assert officer.password not in json.dumps(changes)


def test_diff_leaves_out_unchanged_fields_and_turns_values_into_json(site) -> None:
    before = snapshot(site, ["name", "capacity", "latitude", "site_type", "opened_on"])
    site.capacity = 2000
    changes = diff(before, snapshot(site, ["name", "capacity", "latitude", "site_type"]))

    assert changes == {"capacity": [1000, 2000], "opened_on": ["2024-01-15", None]}
    assert json.loads(json.dumps(before))["latitude"] == "9.533300"


def test_audit_record_files_who_what_and_where(officer, site) -> None:
    site.name = "x" * 300
    event = audit_record(actor=officer, action="site.update", obj=site, changes={})

    assert event.actor == officer
    assert event.agency == officer.agency
    assert event.object_type == "camps.site"
    assert event.object_id == str(site.pk)
    assert event.object_repr == site.code  # the record's code, never its name
    assert event.channel == Channel.COMMAND  # outside any request or task
    assert event.ip_address is None


def test_an_anonymous_actor_is_recorded_as_nobody(site) -> None:
    event = audit_record(actor=AnonymousUser(), action="site.view", obj=site)
    assert event.actor is None
    assert event.agency is None


def _request_that_audits(path, site, officer, **meta):
    """Run one request through the middleware; the view writes an audit event."""
    seen = {}

    def view(request):
        seen["context"] = current_context()
        audit_record(actor=officer, action="site.update", obj=site)
        return HttpResponse("ok")

    request = RequestFactory().get(path, **meta)
    RequestContextMiddleware(view)(request)
    return seen["context"], AuditEvent.objects.latest("id")


@pytest.mark.parametrize(
    ("path", "channel"),
    [
        ("/registry/people/", Channel.WEB),
        ("/api/v1/people/", Channel.API),
        ("/admin/camps/site/", Channel.ADMIN),
    ],
)
def test_the_middleware_records_channel_and_client_address(path, channel, officer, site) -> None:
    context, event = _request_that_audits(path, site, officer, REMOTE_ADDR="203.0.113.7")

    assert context.channel == channel
    assert event.channel == channel
    assert event.ip_address == "203.0.113.7"
    assert current_context().channel == Channel.COMMAND  # reset after the request


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(officer, site, settings) -> None:
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.9, 10.0.0.1"}

    _context, event = _request_that_audits("/", site, officer, **meta)
    assert event.ip_address == "10.0.0.2"

    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    _context, event = _request_that_audits("/", site, officer, **meta)
    assert event.ip_address == "198.51.100.9"


def test_the_context_is_reset_when_the_view_fails(officer, site) -> None:
    def failing(request):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        RequestContextMiddleware(failing)(RequestFactory().get("/api/v1/"))
    assert current_context().channel == Channel.COMMAND


def test_task_context_marks_writes_as_made_by_a_task(officer, site) -> None:
    with task_context():
        assert current_context() == audit.RequestContext(channel=Channel.TASK, ip_address=None)
        event = audit_record(actor=None, action="site.snapshot", obj=site)
    assert event.channel == Channel.TASK
    assert event.actor is None
    assert current_context().channel == Channel.COMMAND


def test_task_context_inside_a_request_restores_the_request(officer, site) -> None:
    def view(request):
        with task_context():
            inner = current_context().channel
        return HttpResponse(f"{inner} {current_context().channel}")

    response = RequestContextMiddleware(view)(RequestFactory().get("/api/v1/x"))
    assert response.content.decode() == "task api"


def test_access_log_records_every_read_in_one_insert(
    officer, site, django_assert_num_queries
) -> None:
    from tests.factories import register_household

    members = register_household(
        actor=officer,
        site=site,
        members=[{}, {"given_name": "Joseph", "sex": "male", "relationship_to_head": "spouse"}],
    ).members

    # The chain's lock and head, then one insert for all the rows.
    with django_assert_num_queries(3) as queries:
        count = access_log_record(user=officer, objects=members, purpose="list")
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1

    assert count == 2
    rows = AccessLog.objects.order_by("object_id")
    assert [r.object_id for r in rows] == sorted(str(m.pk) for m in members)
    assert {(r.user_id, r.agency_id, r.purpose, r.channel) for r in rows} == {
        (officer.pk, officer.agency_id, "list", Channel.COMMAND)
    }


def test_a_login_through_the_site_is_audited_with_the_client_address(client, officer) -> None:
    from tests.factories import PASSWORD

    client.post(
        "/accounts/login/",
        {"username": officer.username, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.44",
    )

    event = AuditEvent.objects.get(action="user.login")
    assert (event.channel, event.ip_address) == (Channel.WEB, "192.0.2.44")
    assert PASSWORD not in json.dumps(event.changes)
