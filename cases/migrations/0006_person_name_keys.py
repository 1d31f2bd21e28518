"""The sound key of each word of a person's names, for spelling-tolerant search.

Filled for the people already registered in batches by id; on PostgreSQL a trigram index serves
the " KEY " substring match as it does the names'.
"""

from django.db import migrations, models

BATCH = 5000


def fill(apps, schema_editor):
    from cases.registry.duplicates import sound_keys

    person = apps.get_model("cases", "DisplacedPerson")
    last = 0
    while True:
        batch = list(
            person.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "given_name", "family_name", "other_names")[:BATCH]
        )
        if not batch:
            return
        for row in batch:
            row.name_keys = sound_keys(f"{row.given_name} {row.family_name} {row.other_names}")
        person.objects.bulk_update(batch, ["name_keys"])
        last = batch[-1].pk


def index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS person_name_keys_trgm ON cases_displacedperson "
            "USING gin (name_keys gin_trgm_ops);"
        )


def unindex(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_name_keys_trgm;")


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_case_event_texts")]
    operations = [
        migrations.AddField(
            model_name="displacedperson",
            name="name_keys",
            field=models.CharField(default="", editable=False, max_length=400),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]
