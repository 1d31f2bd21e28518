"""Drop the audit actor's own index: audit_actor_time_idx (actor, time) leads with it.

Each audit event maintained an index no query needs: the composite one serves the same
lookups (and the foreign-key checks). Only the index goes; the constraint stays as it is, so
PostgreSQL does not check every row again, and SQLite does not rebuild the table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("protection", "0012_exportgaps_export_lease"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "protection_auditevent_actor_id_71dc9ec6"',
                    'CREATE INDEX IF NOT EXISTS "protection_auditevent_actor_id_71dc9ec6" ON "protection_auditevent" ("actor_id")',
                ),
            ],
        ),
    ]
