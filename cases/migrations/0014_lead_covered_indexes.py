"""Drop the foreign keys' own indexes that a composite index already leads with.

Each write to these tables maintained an index no query needs: the composite one serves the same
lookups (and the foreign-key checks). Only the indexes go; the constraints stay as they are, so
PostgreSQL does not check every row again, and SQLite does not rebuild the tables.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("camps", "0002_scaleout_site_headcount"),
        ("cases", "0013_scaleout_site_headcounts"),
        ("partners", "0002_services_and_agreements"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="displacedperson",
                    name="owning_agency",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="people",
                        to="partners.partneragency",
                        verbose_name="owning agency",
                    ),
                ),
                migrations.AlterField(
                    model_name="displacedperson",
                    name="site",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="people",
                        to="camps.site",
                        verbose_name="site",
                    ),
                ),
                migrations.AlterField(
                    model_name="household",
                    name="owning_agency",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="households",
                        to="partners.partneragency",
                        verbose_name="owning agency",
                    ),
                ),
                migrations.AlterField(
                    model_name="household",
                    name="site",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="households",
                        to="camps.site",
                        verbose_name="site",
                    ),
                ),
                migrations.AlterField(
                    model_name="importrow",
                    name="registry_import",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rows",
                        to="cases.registryimport",
                    ),
                ),
                migrations.AlterField(
                    model_name="personspecificneed",
                    name="need",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="cases.specificneed",
                    ),
                ),
                migrations.AlterField(
                    model_name="personspecificneed",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="need_records",
                        to="cases.displacedperson",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_displacedperson_owning_agency_id_ff47dc1d"',
                    'CREATE INDEX IF NOT EXISTS "cases_displacedperson_owning_agency_id_ff47dc1d" ON "cases_displacedperson" ("owning_agency_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_displacedperson_site_id_8a3a9d51"',
                    'CREATE INDEX IF NOT EXISTS "cases_displacedperson_site_id_8a3a9d51" ON "cases_displacedperson" ("site_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_household_owning_agency_id_d5dfa6e3"',
                    'CREATE INDEX IF NOT EXISTS "cases_household_owning_agency_id_d5dfa6e3" ON "cases_household" ("owning_agency_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_household_site_id_3dcf9184"',
                    'CREATE INDEX IF NOT EXISTS "cases_household_site_id_3dcf9184" ON "cases_household" ("site_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_importrow_registry_import_id_d8c8c878"',
                    'CREATE INDEX IF NOT EXISTS "cases_importrow_registry_import_id_d8c8c878" ON "cases_importrow" ("registry_import_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_personspecificneed_need_id_b20e9c62"',
                    'CREATE INDEX IF NOT EXISTS "cases_personspecificneed_need_id_b20e9c62" ON "cases_personspecificneed" ("need_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "cases_personspecificneed_person_id_e7cdba6b"',
                    'CREATE INDEX IF NOT EXISTS "cases_personspecificneed_person_id_e7cdba6b" ON "cases_personspecificneed" ("person_id")',
                ),
            ],
        ),
    ]
