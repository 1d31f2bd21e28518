"""The partial index of active people by site and date of birth (sex and household included),
and each site's counts by sex and month of birth filled from the registry as it stands (the
recount task keeps them right)."""

from typing import Any

from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import TruncMonth


def fill_birth_months(apps: Any, schema_editor: Any) -> None:
    count_model = apps.get_model("camps", "SiteBirthMonthCount")
    person_model = apps.get_model("cases", "DisplacedPerson")
    rows = (
        person_model.objects.filter(status="active")
        .annotate(born_in=TruncMonth("date_of_birth"))
        .order_by()
        .values_list("site_id", "sex", "born_in")
        .annotate(people=Count("*"))
    )
    count_model.objects.bulk_create(
        (
            count_model(site_id=site_id, sex=sex, born_in=born_in, people=people)
            for site_id, sex, born_in, people in rows.iterator(chunk_size=5000)
        ),
        batch_size=5000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("camps", "0003_campdetail_birth_month_counts"),
        ("cases", "0016_identity_person_identifiers"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="displacedperson",
            name="person_site_active_idx",
        ),
        migrations.AddIndex(
            model_name="displacedperson",
            index=models.Index(
                condition=models.Q(("status", "active")),
                fields=["site", "date_of_birth"],
                include=("sex", "household"),
                name="person_site_active_idx",
            ),
        ),
        migrations.RunPython(fill_birth_months, migrations.RunPython.noop, elidable=True),
    ]
