"""The partial index of active people by site (sex, date of birth and household included), and
each site's headcount filled from the registry as it stands (the recount task keeps it right)."""

from typing import Any

from django.db import migrations, models
from django.db.models import Count
from django.utils import timezone


def fill_headcounts(apps: Any, schema_editor: Any) -> None:
    site_model = apps.get_model("camps", "Site")
    headcount_model = apps.get_model("camps", "SiteHeadcount")
    person_model = apps.get_model("cases", "DisplacedPerson")
    counted = {
        row["site_id"]: row
        for row in person_model.objects.filter(status="active")
        .order_by()
        .values("site_id")
        .annotate(individuals=Count("*"), households=Count("household_id", distinct=True))
    }
    now = timezone.now()
    rows = []
    for site_id in site_model.objects.values_list("pk", flat=True):
        row = counted.get(site_id, {})
        rows.append(
            headcount_model(
                site_id=site_id,
                individuals=row.get("individuals", 0),
                households=row.get("households", 0),
                updated_at=now,
                recounted_at=now,
            )
        )
    headcount_model.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["site"],
        update_fields=["individuals", "households", "updated_at", "recounted_at"],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("camps", "0002_scaleout_site_headcount"),
        ("cases", "0012_dupsearch_letter_keys"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="displacedperson",
            index=models.Index(
                condition=models.Q(("status", "active")),
                fields=["site"],
                include=("sex", "date_of_birth", "household"),
                name="person_site_active_idx",
            ),
        ),
        migrations.RunPython(fill_headcounts, migrations.RunPython.noop, elidable=True),
    ]
