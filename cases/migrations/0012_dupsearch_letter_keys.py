"""The letters of each name, and the indexes the duplicate check walks with them (issue 12).

On PostgreSQL the people already registered are filled by one UPDATE joined to the letters of
each distinct name (computed in Python, as registration does): one pass over the table even at
millions of rows. Elsewhere (SQLite development databases) by batches of ids.
"""

from django.db import migrations, models

BATCH = 5000
VALUES_PER_INSERT = 1000


def _fill_postgresql(person, schema_editor, letters_key) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_name FROM cases_displacedperson UNION SELECT family_name "
            "FROM cases_displacedperson"
        )
        names = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "CREATE TEMPORARY TABLE person_name_letters "
            "(name varchar(100) PRIMARY KEY, letters varchar(40)) ON COMMIT DROP"
        )
        for start in range(0, len(names), VALUES_PER_INSERT):
            chunk = names[start : start + VALUES_PER_INSERT]
            cursor.execute(
                "INSERT INTO person_name_letters (name, letters) VALUES "
                + ", ".join(["(%s, %s)"] * len(chunk)),
                [value for name in chunk for value in (name, letters_key(name))],
            )
        cursor.execute("ANALYZE person_name_letters")
        cursor.execute(
            "UPDATE cases_displacedperson AS p "
            "SET given_letters = g.letters, family_letters = f.letters "
            "FROM person_name_letters AS g, person_name_letters AS f "
            "WHERE g.name = p.given_name AND f.name = p.family_name"
        )


def fill(apps, schema_editor):
    from cases.registry.duplicates import letters_key

    person = apps.get_model("cases", "DisplacedPerson")
    if schema_editor.connection.vendor == "postgresql":
        _fill_postgresql(person, schema_editor, letters_key)
        return
    last = 0
    while True:
        batch = list(
            person.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "given_name", "family_name")[:BATCH]
        )
        if not batch:
            return
        for row in batch:
            row.given_letters = letters_key(row.given_name)
            row.family_letters = letters_key(row.family_name)
        person.objects.bulk_update(batch, ["given_letters", "family_letters"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_importspeed_review")]

    operations = [
        migrations.AddField(
            model_name="displacedperson",
            name="given_letters",
            field=models.CharField(default="", editable=False, max_length=40),
        ),
        migrations.AddField(
            model_name="displacedperson",
            name="family_letters",
            field=models.CharField(default="", editable=False, max_length=40),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="displacedperson",
            index=models.Index(
                fields=["family_key", "given_letters", "date_of_birth"],
                name="person_family_letters_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="displacedperson",
            index=models.Index(
                fields=["given_key", "family_letters", "date_of_birth"],
                name="person_given_letters_idx",
            ),
        ),
    ]
