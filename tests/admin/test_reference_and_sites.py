"""Reference lists and sites in the admin: stable codes, audited edits, no deletion in use."""

from typing import Any

import pytest
from django.urls import reverse

from camps.models import Country, Site, SiteType
from cases.models import DisplacementStatus, SpecificNeed
from partners.models import PartnerAgency
from protection.models import AuditEvent
from tests.factories import register_household

pytestmark = pytest.mark.django_db


def _form_data(response):
    """Return the POST data that submits the admin form shown in `response` unchanged."""
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(getattr(item, "pk", item)) for item in value]
        else:
            data[name] = str(value)
    return data


def test_editing_a_site_in_the_admin_audits_the_changed_fields(
    client, superuser, site, other_agency
) -> None:
    client.force_login(superuser)
    url = reverse("admin:camps_site_change", args=[site.pk])
    data = _form_data(client.get(url))
    data.update({"capacity": "1500", "operating_agencies": [str(other_agency.pk)]})

    response = client.post(url, data, REMOTE_ADDR="192.0.2.10")

    assert response.status_code == 302
    site.refresh_from_db()
    assert site.capacity == 1500
    event = AuditEvent.objects.get(action="site.update")
    assert event.object_type == "camps.site"
    assert event.object_id == str(site.pk)
    assert event.actor == superuser
    assert event.channel == "admin"
    assert event.ip_address == "192.0.2.10"
    assert event.changes == {
        "capacity": [1000, 1500],
        "operating_agencies": [[], [other_agency.pk]],
    }


def test_saving_a_site_unchanged_writes_no_audit_event(client, superuser, site) -> None:
    client.force_login(superuser)
    url = reverse("admin:camps_site_change", args=[site.pk])
    assert client.post(url, _form_data(client.get(url))).status_code == 302
    assert not AuditEvent.objects.filter(action="site.update").exists()


def test_adding_a_site_in_the_admin_is_audited(client, superuser, agency) -> None:
    client.force_login(superuser)
    response = client.post(
        reverse("admin:camps_site_add"),
        {
            "name": "Bentiu PoC",
            "code": "BEN-01",
            "site_type": SiteType.objects.get(code="poc_site").pk,
            "status": "open",
            "capacity": "5000",
            "country": Country.objects.get(code="SSD").pk,
            "managing_agency": agency.pk,
        },
    )
    assert response.status_code == 302
    created = Site.objects.get(code="BEN-01")
    event = AuditEvent.objects.get(action="site.create")
    assert event.object_id == str(created.pk)
    assert event.changes["name"] == [None, "Bentiu PoC"]
    assert event.changes["capacity"] == [None, 5000]


def test_a_duplicate_site_code_in_another_case_is_a_form_error(client, superuser, site) -> None:
    client.force_login(superuser)
    add = reverse("admin:camps_site_add")
    data = _form_data(client.get(reverse("admin:camps_site_change", args=[site.pk])))
    data["code"] = site.code.lower()

    response = client.post(add, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Site.objects.count() == 1


def test_reference_code_is_read_only_once_created(client, superuser) -> None:
    client.force_login(superuser)
    assert (
        "code" in client.get(reverse("admin:camps_sitetype_add")).context["adminform"].form.fields
    )

    item = SiteType.objects.get(code="transit_centre")
    url = reverse("admin:camps_sitetype_change", args=[item.pk])
    page = client.get(url)
    assert "code" not in page.context["adminform"].form.fields
    assert "transit_centre" in page.content.decode()  # still shown, as text

    data = _form_data(page)
    data.update({"code": "renamed", "name": "Transit centre (temporary)", "name_fr": "Transit"})
    assert client.post(url, data).status_code == 302

    item.refresh_from_db()
    assert item.code == "transit_centre"
    assert item.name == "Transit centre (temporary)"
    event = AuditEvent.objects.get(action="sitetype.update")
    assert set(event.changes) == {"name", "name_fr"}


def test_specific_need_category_is_fixed_with_its_code(client, superuser) -> None:
    client.force_login(superuser)
    need = SpecificNeed.objects.get(code="SC-UC")
    fields = (
        client.get(reverse("admin:cases_specificneed_change", args=[need.pk]))
        .context["adminform"]
        .form.fields
    )
    assert "code" not in fields
    assert "category" not in fields
    assert "name_ar" in fields


def test_deleting_a_reference_item_in_use_is_refused_with_a_message(
    client, superuser, officer, site
) -> None:
    register_household(actor=officer, site=site)
    client.force_login(superuser)
    status = DisplacementStatus.objects.get(code="IDP")
    url = reverse("admin:cases_displacementstatus_delete", args=[status.pk])

    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "displaced people" in content
    assert "Deactivate them instead" in content
    assert "Amina" not in content  # the records are counted by kind, never listed by name

    response = client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert DisplacementStatus.objects.filter(pk=status.pk).exists()
    assert not AuditEvent.objects.filter(action="displacementstatus.delete").exists()

    site_type = site.site_type
    action = client.post(
        reverse("admin:camps_sitetype_changelist"),
        {"action": "delete_selected", "_selected_action": [site_type.pk], "post": "yes"},
    )
    assert action.status_code == 200
    assert SiteType.objects.filter(pk=site_type.pk).exists()


def test_an_unused_reference_item_can_be_deleted_and_is_audited(client, superuser) -> None:
    client.force_login(superuser)
    item = SiteType.objects.create(code="spontaneous", name="Spontaneous gathering")
    url = reverse("admin:camps_sitetype_delete", args=[item.pk])

    assert client.post(url, {"post": "yes"}).status_code == 302

    assert not SiteType.objects.filter(pk=item.pk).exists()
    event = AuditEvent.objects.get(action="sitetype.delete")
    assert event.object_id == str(item.pk)
    assert event.changes["code"] == ["spontaneous", None]


def test_deactivate_action_is_audited_and_the_item_stays_on_records(
    client, superuser, officer, site
) -> None:
    person = register_household(actor=officer, site=site).members[0]
    client.force_login(superuser)
    status = person.displacement_status

    response = client.post(
        reverse("admin:cases_displacementstatus_changelist"),
        {"action": "deactivate", "_selected_action": [status.pk]},
    )

    assert response.status_code == 302
    status.refresh_from_db()
    assert not status.active
    person.refresh_from_db()
    assert person.displacement_status_id == status.pk
    event = AuditEvent.objects.get(action="displacementstatus.deactivate")
    assert event.changes == {"active": [True, False]}

    client.post(
        reverse("admin:cases_displacementstatus_changelist"),
        {"action": "activate", "_selected_action": [status.pk]},
    )
    status.refresh_from_db()
    assert status.active


def test_deactivating_an_agency_removes_its_users_access(client, superuser, officer) -> None:
    from protection import access
    from protection.access import Action

    assert access.can(officer, Action.VIEW_PEOPLE)
    client.force_login(superuser)

    client.post(
        reverse("admin:partners_partneragency_changelist"),
        {"action": "deactivate", "_selected_action": [officer.agency_id]},
    )

    officer.refresh_from_db()
    assert not PartnerAgency.objects.get(pk=officer.agency_id).active
    assert not access.can(officer, Action.VIEW_PEOPLE)
    assert AuditEvent.objects.filter(action="partneragency.deactivate").count() == 1


def test_editing_agency_sectors_is_audited(client, superuser, agency) -> None:
    from partners.models import Sector

    client.force_login(superuser)
    url = reverse("admin:partners_partneragency_change", args=[agency.pk])
    data = _form_data(client.get(url))
    sectors = list(Sector.objects.order_by("pk")[:2])
    data["sectors"] = [str(s.pk) for s in sectors]

    assert client.post(url, data).status_code == 302

    event = AuditEvent.objects.get(action="partneragency.update")
    assert event.changes == {"sectors": [[], [s.pk for s in sectors]]}
