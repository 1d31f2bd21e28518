"""Retention: the rules, and a way for retention to delete the oldest access-log rows.

The access log stays append-only (migration 0002), with one exception: a row whose seq a
ChainPrune covers may be deleted, since retention writes the prune (where the chain now
starts) first. ChainPrune rows are themselves append-only.
"""

import django.core.validators
import django.utils.timezone
from django.db import migrations, models


APPEND_ONLY = """
CREATE OR REPLACE FUNCTION protection_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'protection_accesslog' AND OLD.seq <= COALESCE(
        (SELECT max(up_to_seq) FROM protection_chainprune WHERE chain = 'access'), 0
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit rows are append-only (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""
STRICT = """
CREATE OR REPLACE FUNCTION protection_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(APPEND_ONLY, params=None)
    schema_editor.execute(
        "CREATE TRIGGER protection_chainprune_append_only BEFORE UPDATE OR DELETE "
        "ON protection_chainprune FOR EACH ROW EXECUTE FUNCTION protection_audit_append_only();"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS protection_chainprune_append_only ON protection_chainprune;"
    )
    schema_editor.execute(STRICT, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('protection', '0007_idempotency_keys'),
    ]

    operations = [
        migrations.CreateModel(
            name='ChainPrune',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('chain', models.CharField(max_length=20, verbose_name='chain')),
                ('up_to_seq', models.BigIntegerField(verbose_name='removed up to seq')),
                ('up_to_hash', models.CharField(max_length=64, verbose_name='hash of the last row removed')),
                ('before', models.DateTimeField(verbose_name='rows older than')),
                ('rows', models.BigIntegerField(verbose_name='rows removed')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='time')),
            ],
            options={
                'verbose_name': 'chain prune',
                'verbose_name_plural': 'chain prunes',
                'ordering': ['-up_to_seq'],
                'indexes': [models.Index(fields=['chain', '-up_to_seq'], name='chainprune_chain_seq_idx')],
            },
        ),
        migrations.CreateModel(
            name='RetentionRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=40, unique=True, verbose_name='kind of record')),
                ('period', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(36600)], verbose_name='kept for')),
                ('unit', models.CharField(choices=[('days', 'days'), ('months', 'months'), ('years', 'years')], max_length=10, verbose_name='unit')),
                ('action', models.CharField(choices=[('anonymise', 'Anonymise'), ('delete', 'Delete')], max_length=10, verbose_name='then')),
                ('enabled', models.BooleanField(default=True, help_text='Unticked: the beat task leaves this kind alone.', verbose_name='applied')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='changed at')),
            ],
            options={
                'verbose_name': 'retention rule',
                'verbose_name_plural': 'retention rules',
                'ordering': ['kind'],
                'constraints': [models.CheckConstraint(condition=models.Q(('period__gte', 1)), name='retention_period_set')],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
