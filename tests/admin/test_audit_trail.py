"""The audit trail in the admin: read-only, agency-scoped, append-only down to the database."""

import django.db
import pytest
import time_machine
from django.contrib import admin
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from protection.admin import AccessLogAdmin, AuditEventAdmin, CappedCountPaginator
from protection.audit import access_log_record, audit_record
from protection.models import AccessLog, AppendOnlyError, AuditEvent
from tests.factories import UserFactory, register_household

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:protection_auditevent_changelist"


@pytest.fixture
def two_agencies_events(officer, site, other_officer, other_site):
    """Registrations and reads by two agencies; return (own person, other agency's person)."""
    own = register_household(actor=officer, site=site).members[0]
    other = register_household(actor=other_officer, site=other_site).members[0]
    access_log_record(user=officer, objects=[own])
    access_log_record(user=other_officer, objects=[other])
    return own, other


def test_agency_admin_sees_only_own_agency_audit_rows(
    client, agency_admin, two_agencies_events
) -> None:
    own, other = two_agencies_events
    client.force_login(agency_admin)

    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows
    assert {row.agency_id for row in rows} == {agency_admin.agency_id}
    assert str(own.pk) in {row.object_id for row in rows}
    assert str(other.pk) not in {row.object_id for row in rows}

    hidden = AuditEvent.objects.filter(object_id=str(other.pk)).earliest("id")
    response = client.get(reverse("admin:protection_auditevent_change", args=[hidden.pk]))
    assert response.status_code == 302  # "does not exist", back to the index

    reads = client.get(reverse("admin:protection_accesslog_changelist"))
    assert [row.object_id for row in reads.context["cl"].result_list] == [str(own.pk)]


def test_superuser_sees_every_agencys_rows_and_can_filter_by_agency(
    client, superuser, two_agencies_events, other_officer
) -> None:
    client.force_login(superuser)
    everything = client.get(reverse(CHANGELIST)).context["cl"].result_list
    agencies = {row.agency_id for row in everything}
    assert {superuser.agency_id, other_officer.agency_id} < agencies  # and the other agency

    narrowed = client.get(reverse(CHANGELIST), {"agency__id__exact": other_officer.agency_id})
    assert {row.agency_id for row in narrowed.context["cl"].result_list} == {
        other_officer.agency_id
    }


def test_search_by_registration_number_and_by_username(
    client, superuser, two_agencies_events, other_officer
) -> None:
    own, _other = two_agencies_events
    client.force_login(superuser)

    by_number = client.get(reverse(CHANGELIST), {"q": own.registration_number.lower()})
    assert {row.object_id for row in by_number.context["cl"].result_list} == {str(own.pk)}

    by_user = client.get(reverse(CHANGELIST), {"q": other_officer.username})
    rows = list(by_user.context["cl"].result_list)
    assert rows
    assert {row.actor_id for row in rows} == {other_officer.pk}


def test_audit_rows_cannot_be_added_changed_or_deleted_in_the_admin(
    client, superuser, two_agencies_events
) -> None:
    client.force_login(superuser)
    event = AuditEvent.objects.earliest("id")
    change_url = reverse("admin:protection_auditevent_change", args=[event.pk])

    page = client.get(change_url)
    assert page.status_code == 200  # shown read-only
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change_url, {"action": "tampered"}).status_code == 403
    delete_url = reverse("admin:protection_auditevent_delete", args=[event.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:protection_auditevent_add")).status_code == 403

    request = RequestFactory().get("/admin/")
    request.user = superuser
    for model in (AuditEvent, AccessLog):
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, AuditEventAdmin | AccessLogAdmin)
        assert "delete_selected" not in model_admin.get_actions(request)

    count = AuditEvent.objects.count()
    client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert AuditEvent.objects.count() == count
    event.refresh_from_db()
    assert event.action != "tampered"


def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm(officer, site) -> None:
    register_household(actor=officer, site=site)
    event = AuditEvent.objects.earliest("id")
    access_log_record(user=officer, objects=[site])
    read = AccessLog.objects.get()

    for queryset in (AuditEvent.objects.all(), AccessLog.objects.all()):
        with pytest.raises(AppendOnlyError):
            queryset.update(object_id="0")
        with pytest.raises(AppendOnlyError):
            queryset.delete()
    for row in (event, read):
        row.object_id = "0"
        with pytest.raises(AppendOnlyError):
            row.save()
        with pytest.raises(AppendOnlyError):
            row.delete()
    assert AuditEvent.objects.filter(object_id="0").count() == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET object_id = 'tampered' WHERE id = %s",
        "DELETE FROM {table} WHERE id = %s",
    ],
)
@pytest.mark.parametrize("model", [AuditEvent, AccessLog])
def test_the_database_refuses_update_and_delete_of_audit_rows(
    officer, site, model, statement
) -> None:
    audit_record(actor=officer, action="site.update", obj=site, changes={})
    access_log_record(user=officer, objects=[site])
    row = model.objects.earliest("id")

    with (
        pytest.raises(django.db.Error, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=model._meta.db_table), [row.pk])

    assert model.objects.filter(pk=row.pk, object_id=row.object_id).exists()


def test_long_lists_are_not_counted_in_full(client, superuser, officer, site, monkeypatch) -> None:
    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    for _index in range(5):
        audit_record(actor=officer, action="site.update", obj=site, changes={})
    client.force_login(superuser)

    response = client.get(reverse(CHANGELIST))

    assert response.context["cl"].result_count == 3
    assert "More than 3" in response.content.decode()


def test_audit_list_query_count_does_not_grow_with_rows(
    client, superuser, django_assert_max_num_queries
) -> None:
    actors = UserFactory.create_batch(5)
    for actor in actors:
        for _index in range(10):
            audit_record(actor=actor, action="user.login", obj=actor)
    client.force_login(superuser)

    with django_assert_max_num_queries(14):
        response = client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 50


def test_the_date_drill_down_offers_the_periods_of_the_log(
    client, superuser, officer, site, django_assert_max_num_queries
) -> None:
    # Both events in one instant: run across midnight at a month's end, they would fall in two
    # months and the drill-down would rightly offer the months instead of the days.
    with time_machine.travel(timezone.now(), tick=False):
        audit_record(actor=officer, action="site.update", obj=site)
        event = AuditEvent.objects.latest("id")
        when = event.created_at
        audit_record(actor=officer, action="site.update", obj=site)
    assert AuditEvent.objects.filter(created_at__lt=when).count() == 0  # no other month either
    client.force_login(superuser)

    years = client.get(reverse(CHANGELIST))
    day_link = f"created_at__day={when.day}"
    assert day_link in years.content.decode()  # one month of events: straight to its days

    with django_assert_max_num_queries(12):
        month = client.get(
            reverse(CHANGELIST), {"created_at__year": when.year, "created_at__month": when.month}
        )
    assert day_link in month.content.decode()
    assert event in month.context["cl"].result_list
    with CaptureQueriesContext(connection) as queries:
        year = client.get(reverse(CHANGELIST), {"created_at__year": when.year})
    assert f"created_at__month={when.month}" in year.content.decode()
    # The periods come from MIN/MAX through the index, never from a DISTINCT over the log.
    assert not [q for q in queries.captured_queries if "DISTINCT" in q["sql"]]
