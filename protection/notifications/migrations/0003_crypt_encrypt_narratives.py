"""Store the narratives encrypted, and encrypt the rows written in clear, batch by batch."""

import protection.crypto.fields
from django.db import migrations

from protection.crypto.columns import encrypt_existing_operation


class Migration(migrations.Migration):
    # Each batch commits on its own: a run that stopped resumes with the rows still in clear.
    atomic = False

    dependencies = [
        ('notifications', '0002_delivery_claims_and_standard_webhooks'),
    ]

    operations = [
        migrations.AlterField(
            model_name='webhooksubscription',
            name='secret',
            field=protection.crypto.fields.EncryptedTextField(editable=False, verbose_name='signing secret'),
        ),
        encrypt_existing_operation(
            ("notifications_webhooksubscription", "secret"),
        ),
    ]
