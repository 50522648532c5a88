import importlib

from django.db import migrations, models

# SQLite adds the column by rebuilding the dossier table, which drops the KPI triggers.
kpi_rollup = importlib.import_module("workflow.migrations.0005_kpi_rollup")


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0007_kpidaily_agency_cascade"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="client_key_digest",
            field=models.CharField(
                blank=True, editable=False, max_length=64, verbose_name="client key request digest"
            ),
        ),
        migrations.RunPython(kpi_rollup.recreate_sqlite_triggers, migrations.RunPython.noop),
    ]
