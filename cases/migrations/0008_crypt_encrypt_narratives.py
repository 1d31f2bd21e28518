"""Store the narratives encrypted, and encrypt the rows written in clear, batch by batch."""

import protection.crypto.fields
from django.db import migrations

from protection.crypto.columns import encrypt_existing_operation


class Migration(migrations.Migration):
    # Each batch commits on its own: a run that stopped resumes with the rows still in clear.
    atomic = False

    dependencies = [
        ('cases', '0007_retention_holds'),
    ]

    operations = [
        migrations.AlterField(
            model_name='caseaction',
            name='description',
            field=protection.crypto.fields.EncryptedTextField(verbose_name='description'),
        ),
        migrations.AlterField(
            model_name='caseapproval',
            name='closure_note',
            field=protection.crypto.fields.EncryptedTextField(blank=True, verbose_name='closure note'),
        ),
        migrations.AlterField(
            model_name='caseapproval',
            name='decision_note',
            field=protection.crypto.fields.EncryptedTextField(blank=True, verbose_name='reason'),
        ),
        migrations.AlterField(
            model_name='caseassessment',
            name='risks_identified',
            field=protection.crypto.fields.EncryptedTextField(verbose_name='risks identified'),
        ),
        migrations.AlterField(
            model_name='caseassessment',
            name='safety_plan',
            field=protection.crypto.fields.EncryptedTextField(blank=True, verbose_name='safety plan'),
        ),
        migrations.AlterField(
            model_name='caseassessment',
            name='wishes',
            field=protection.crypto.fields.EncryptedTextField(blank=True, verbose_name="the person's own wishes"),
        ),
        migrations.AlterField(
            model_name='caseeventtext',
            name='texts',
            field=protection.crypto.fields.EncryptedJSONField(default=dict, verbose_name='texts'),
        ),
        migrations.AlterField(
            model_name='casefollowup',
            name='notes',
            field=protection.crypto.fields.EncryptedTextField(verbose_name='notes'),
        ),
        migrations.AlterField(
            model_name='casenote',
            name='text',
            field=protection.crypto.fields.EncryptedTextField(verbose_name='note'),
        ),
        migrations.AlterField(
            model_name='protectioncase',
            name='closure_note',
            field=protection.crypto.fields.EncryptedTextField(blank=True, verbose_name='closure note'),
        ),
        migrations.AlterField(
            model_name='protectioncase',
            name='summary',
            field=protection.crypto.fields.EncryptedTextField(blank=True, verbose_name='why the case is open'),
        ),
        migrations.AlterField(
            model_name='referral',
            name='cancel_reason',
            field=protection.crypto.fields.EncryptedTextField(blank=True, verbose_name='reason for cancelling'),
        ),
        migrations.AlterField(
            model_name='referral',
            name='decline_reason',
            field=protection.crypto.fields.EncryptedTextField(blank=True, verbose_name='reason for declining'),
        ),
        migrations.AlterField(
            model_name='referral',
            name='outcome',
            field=protection.crypto.fields.EncryptedTextField(blank=True, verbose_name='outcome'),
        ),
        migrations.AlterField(
            model_name='referral',
            name='override_justification',
            field=protection.crypto.fields.EncryptedTextField(blank=True, verbose_name='why consent could not be obtained'),
        ),
        migrations.AlterField(
            model_name='referral',
            name='reason',
            field=protection.crypto.fields.EncryptedTextField(help_text='The receiving agency reads this.', verbose_name='reason for referral'),
        ),
        migrations.AlterField(
            model_name='referral',
            name='shared_data',
            field=protection.crypto.fields.EncryptedJSONField(blank=True, default=dict, verbose_name='shared information'),
        ),
        encrypt_existing_operation(
            ("cases_caseaction", "description"),
            ("cases_caseapproval", "closure_note"),
            ("cases_caseapproval", "decision_note"),
            ("cases_caseassessment", "risks_identified"),
            ("cases_caseassessment", "safety_plan"),
            ("cases_caseassessment", "wishes"),
            ("cases_caseeventtext", "texts"),
            ("cases_casefollowup", "notes"),
            ("cases_casenote", "text"),
            ("cases_protectioncase", "closure_note"),
            ("cases_protectioncase", "summary"),
            ("cases_referral", "cancel_reason"),
            ("cases_referral", "decline_reason"),
            ("cases_referral", "outcome"),
            ("cases_referral", "override_justification"),
            ("cases_referral", "reason"),
            ("cases_referral", "shared_data"),
        ),
    ]
