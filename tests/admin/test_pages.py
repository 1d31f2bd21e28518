"""Every admin page a superuser can open loads; people and households are not editable here."""

import pytest
from django.contrib import admin
from django.urls import reverse
from knox.models import AuthToken

from camps.models import PopulationSnapshot
from camps.services import population_snapshot_take
from cases.models import DisplacedPerson, Household, PersonOnHold
from protection.audit import access_log_record
from tests.factories import register_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def populated(officer, site, other_site):
    """A little of everything, so that list, change and filter pages have rows to show."""
    registration = register_household(actor=officer, site=site)
    access_log_record(user=officer, objects=registration.members)
    population_snapshot_take(site=site)
    site.operating_agencies.add(other_site.managing_agency)
    AuthToken.objects.create(user=officer)
    return registration


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_changelist_add_and_change_page_loads_for_a_superuser(
    client, superuser, populated
) -> None:
    client.force_login(superuser)
    assert admin.site._registry, "nothing is registered"
    for model, model_admin in admin.site._registry.items():
        response = client.get(_url(model, "changelist"))
        assert response.status_code == 200, model
        request = response.wsgi_request
        if model_admin.has_add_permission(request):
            assert client.get(_url(model, "add")).status_code == 200, model
        first = model_admin.get_queryset(request).first()
        if first is not None:
            assert client.get(_url(model, "change", first.pk)).status_code == 200, model


def test_filters_search_and_date_drilldown_load(client, superuser, populated) -> None:
    client.force_login(superuser)
    person = populated.members[0]
    for model_name, query in [
        ("auditevent", {"q": person.registration_number}),
        ("auditevent", {"q": "officer"}),
        ("auditevent", {"action": "person.register"}),
        ("auditevent", {"object_type": "cases.displacedperson", "channel": "command"}),
        ("auditevent", {"created_at__year": person.created_at.year}),
        ("accesslog", {"q": str(person.pk), "purpose": "detail"}),
        ("site", {"q": "Kakuma", "status": "open"}),
        ("user", {"role": "protection_officer", "q": "officer"}),
        ("specificneed", {"category__id__exact": "1", "q": "child"}),
    ]:
        app = "protection" if model_name in ("auditevent", "accesslog") else None
        app = app or {"site": "camps", "user": "accounts", "specificneed": "cases"}[model_name]
        response = client.get(reverse(f"admin:{app}_{model_name}_changelist"), query)
        assert response.status_code == 200, (model_name, query)
        assert "errornote" not in response.content.decode(), (model_name, query)


def test_people_and_households_are_not_editable_in_the_admin(client, superuser, populated) -> None:
    # People are listed only to place or lift legal holds (tests/admin/test_legal_holds.py).
    assert Household not in admin.site._registry
    client.force_login(superuser)
    person = populated.members[0]
    assert DisplacedPerson not in admin.site._registry
    assert client.get(_url(PersonOnHold, "add")).status_code == 403
    form = client.get(_url(PersonOnHold, "change", person.pk)).context["adminform"].form
    assert list(form.fields) == []
    assert client.get(_url(PersonOnHold, "delete", person.pk)).status_code == 403


def test_population_snapshots_are_read_only(client, superuser, populated) -> None:
    client.force_login(superuser)
    snapshot = PopulationSnapshot.objects.get()
    assert client.get(_url(PopulationSnapshot, "add")).status_code == 403
    assert client.post(_url(PopulationSnapshot, "change", snapshot.pk), {}).status_code == 403
    assert (
        client.post(_url(PopulationSnapshot, "delete", snapshot.pk), {"post": "yes"}).status_code
        == 403
    )
    assert PopulationSnapshot.objects.filter(pk=snapshot.pk).exists()


def test_the_admin_is_closed_to_staff_without_an_admin_role(client, officer) -> None:
    client.force_login(officer)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]

    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    client.force_login(officer)
    assert client.get(reverse("admin:protection_auditevent_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert index.context["app_list"] == []
