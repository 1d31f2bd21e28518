"""Each site's maintained headcount (camps.headcount); cases fills it from the registry."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("camps", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SiteHeadcount",
            fields=[
                (
                    "site",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="headcount",
                        serialize=False,
                        to="camps.site",
                        verbose_name="site",
                    ),
                ),
                ("individuals", models.BigIntegerField(default=0, verbose_name="active people")),
                (
                    "households",
                    models.BigIntegerField(
                        default=0, verbose_name="households with active people"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="updated at"
                    ),
                ),
                (
                    "recounted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last recounted at"),
                ),
            ],
            options={
                "verbose_name": "site headcount",
                "verbose_name_plural": "site headcounts",
            },
        ),
    ]
