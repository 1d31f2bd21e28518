"""Chain the audit events and the access log: seq, previous hash and row hash on every row.

The new columns start empty; the backfill below fills them for the rows already there, in id
order (the order they were written in), with the hash that protection/audit_chain.py computes
for new rows. Then the columns become NOT NULL and `seq` unique, so that the database itself
refuses a second row at the same place in a chain.

The append-only trigger of 0002 refuses every UPDATE, the backfill's too: on PostgreSQL the
backfill disables that trigger on the table (ALTER TABLE ... DISABLE TRIGGER, which the owner
running migrations may do), fills the columns and enables it again, all inside this
migration's transaction, so a failure leaves the trigger as it was. SQLite (the development
default) has no trigger and needs neither step.

Run it after any migration that rewrites audit content (redaction): the hashes cover the
content as it is when this runs.
"""

from django.db import migrations, models
import django.utils.timezone

from protection.audit_chain import ACCESS_CHAIN, AUDIT_CHAIN, ChainStamper

BATCH = 5000
TABLES = (
    ("auditevent", AUDIT_CHAIN, "protection_auditevent_append_only"),
    ("accesslog", ACCESS_CHAIN, "protection_accesslog_append_only"),
)


def _set_trigger(schema_editor, table, trigger, enabled):
    if schema_editor.connection.vendor != "postgresql":
        return
    state = "ENABLE" if enabled else "DISABLE"
    schema_editor.execute(f"ALTER TABLE {table} {state} TRIGGER {trigger}", params=None)


def _write(connection, table, updates):
    """Set (seq, prev_hash, row_hash) by id: one statement per batch on PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(
                f"UPDATE {table} SET seq = %s, prev_hash = %s, row_hash = %s WHERE id = %s",
                updates,
            )
            return
        values = ", ".join(["(%s, %s, %s, %s)"] * len(updates))
        cursor.execute(
            f"UPDATE {table} AS t SET seq = v.seq, prev_hash = v.prev_hash, row_hash = v.row_hash "
            f"FROM (VALUES {values}) AS v(seq, prev_hash, row_hash, id) WHERE t.id = v.id",
            [value for update in updates for value in update],
        )


def backfill(apps, schema_editor):
    alias = schema_editor.connection.alias
    for model_name, chain, trigger in TABLES:
        model = apps.get_model("protection", model_name)
        table = model._meta.db_table
        stamper = ChainStamper(chain, (0, "0" * 64))
        _set_trigger(schema_editor, table, trigger, enabled=False)
        last_id = 0
        while True:
            rows = list(
                model.objects.using(alias)
                .filter(id__gt=last_id)
                .order_by("id")
                .values("id", *chain.content)[:BATCH]
            )
            if not rows:
                break
            updates = []
            for row in rows:
                stamped = stamper.stamp(dict(row))
                updates.append(
                    (stamped["seq"], stamped["prev_hash"], stamped["row_hash"], row["id"])
                )
            _write(schema_editor.connection, table, updates)
            last_id = rows[-1]["id"]
        _set_trigger(schema_editor, table, trigger, enabled=True)


def _chain_fields(model_name):
    return [
        migrations.AddField(
            model_name=model_name,
            name="seq",
            field=models.BigIntegerField(null=True, editable=False, verbose_name="chain position"),
        ),
        migrations.AddField(
            model_name=model_name,
            name="prev_hash",
            field=models.CharField(
                null=True, editable=False, max_length=64, verbose_name="previous row hash"
            ),
        ),
        migrations.AddField(
            model_name=model_name,
            name="row_hash",
            field=models.CharField(
                null=True, editable=False, max_length=64, verbose_name="row hash"
            ),
        ),
    ]


def _required(model_name):
    return [
        migrations.AlterField(
            model_name=model_name,
            name="seq",
            field=models.BigIntegerField(editable=False, verbose_name="chain position"),
        ),
        migrations.AlterField(
            model_name=model_name,
            name="prev_hash",
            field=models.CharField(editable=False, max_length=64, verbose_name="previous row hash"),
        ),
        migrations.AlterField(
            model_name=model_name,
            name="row_hash",
            field=models.CharField(editable=False, max_length=64, verbose_name="row hash"),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [("protection", "0005_access_purpose_choices")]

    operations = [
        *_chain_fields("auditevent"),
        *_chain_fields("accesslog"),
        # The chain sets the time itself, before it hashes the row (no more auto_now_add).
        migrations.AlterField(
            model_name="auditevent",
            name="created_at",
            field=models.DateTimeField(
                db_index=True,
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="time",
            ),
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="created_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, editable=False, verbose_name="time"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        *_required("auditevent"),
        *_required("accesslog"),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("seq",), name="audit_chain_seq_unique"),
        ),
        migrations.AddConstraint(
            model_name="accesslog",
            constraint=models.UniqueConstraint(fields=("seq",), name="access_chain_seq_unique"),
        ),
    ]
