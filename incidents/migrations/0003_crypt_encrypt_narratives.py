"""Store the narratives encrypted, and encrypt the rows written in clear, batch by batch."""

import protection.crypto.fields
from django.db import migrations

from protection.crypto.columns import encrypt_existing_operation


class Migration(migrations.Migration):
    # Each batch commits on its own: a run that stopped resumes with the rows still in clear.
    atomic = False

    dependencies = [
        ('incidents', '0002_incident_linked_case'),
    ]

    operations = [
        migrations.AlterField(
            model_name='incident',
            name='actions_taken',
            field=protection.crypto.fields.EncryptedTextField(blank=True, verbose_name='actions taken'),
        ),
        migrations.AlterField(
            model_name='incident',
            name='description',
            field=protection.crypto.fields.EncryptedTextField(verbose_name='description'),
        ),
        encrypt_existing_operation(
            ("incidents_incident", "actions_taken"),
            ("incidents_incident", "description"),
        ),
    ]
