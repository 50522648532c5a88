# Drops five foreign-key indexes that a composite index already leads with
# (dossier_queue, dossier_applicant, auditevent_unique_seq,
# document_once_per_event and dossiercounter_unique_day): every action wrote
# to them and no query needs them.
#
# Only the indexes go. A plain AlterField(db_index=False) would also drop and
# re-add each foreign key constraint on PostgreSQL, re-checking every row under
# an exclusive lock, and rebuild the tables on SQLite.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (index, table, column): Django's names for the indexes 0001_initial made.
COVERED = [
    ("workflow_auditevent_dossier_id_d63c3b8a", "workflow_auditevent", "dossier_id"),
    ("workflow_document_dossier_id_dcea6e15", "workflow_document", "dossier_id"),
    ("workflow_dossier_agency_id_409762cc", "workflow_dossier", "agency_id"),
    ("workflow_dossier_applicant_id_46f36c17", "workflow_dossier", "applicant_id"),
    ("workflow_dossiercounter_agency_id_eb3c4361", "workflow_dossiercounter", "agency_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0002_administrative_levels"),
        ("workflow", "0009_demo_documents_owed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" ("{column}")',
                )
                for index, table, column in COVERED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="dossier",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="workflow.dossier",
                    ),
                ),
                migrations.AlterField(
                    model_name="document",
                    name="dossier",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="documents",
                        to="workflow.dossier",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="agency",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="dossiers",
                        to="procedures.agency",
                        verbose_name="agency",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="applicant",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="Empty for a walk-in or postal applicant without an account.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="dossiers",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="applicant account",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossiercounter",
                    name="agency",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="procedures.agency",
                    ),
                ),
            ],
        ),
    ]
