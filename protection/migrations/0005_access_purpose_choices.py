"""Access log: a "search" purpose, and the part of a record read (a case's notes, timeline...).

Adding a column with a default rewrites no row, so the append-only trigger is not involved.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("protection", "0004_audit_redact_values"),
    ]

    operations = [
        migrations.AddField(
            model_name="accesslog",
            name="part",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Whole record"),
                    ("notes", "Notes"),
                    ("assessments", "Assessments"),
                    ("actions", "Case plan actions"),
                    ("follow_ups", "Follow-ups"),
                    ("timeline", "Timeline"),
                ],
                default="",
                max_length=20,
                verbose_name="part read",
            ),
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("detail", "Opened the record"),
                    ("list", "Listed in results"),
                    ("search", "Found by a search"),
                    ("duplicate_check", "Shown as a possible duplicate"),
                    ("export", "Exported"),
                ],
                max_length=20,
                verbose_name="purpose",
            ),
        ),
    ]
