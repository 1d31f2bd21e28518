"""The audit trail's detail pages show where each row sits in its hash chain."""

import pytest
from django.urls import reverse

from protection.audit import access_log_record, audit_record
from protection.models import AccessLog

pytestmark = pytest.mark.django_db


def test_audit_and_access_details_show_chain_position_and_hash(
    client, superuser, officer, site
) -> None:
    audit_record(actor=officer, action="site.update", obj=site)
    event = audit_record(actor=officer, action="site.update", obj=site)
    access_log_record(user=officer, objects=[site])
    read = AccessLog.objects.get()
    client.force_login(superuser)

    for name, row in (("auditevent", event), ("accesslog", read)):
        page = client.get(reverse(f"admin:protection_{name}_change", args=[row.pk]))
        assert page.status_code == 200
        text = page.content.decode()
        assert "Chain position" in text
        assert f'<div class="readonly">{row.seq}</div>' in text
        assert row.row_hash in text
    assert event.seq == 2
