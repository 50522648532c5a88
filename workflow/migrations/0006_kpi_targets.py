"""The targets the KPIs start with: 60% of dossiers online (every level), and
dossier and result digitisation of 70% for city- and province-level bodies,
60% for districts and 55% for communes. Administrators change them in the admin."""

from decimal import Decimal

from django.db import migrations

TARGETS = [
    ("online_rate", None, "0.60"),
    *[
        (kpi, level, share)
        for kpi in ("dossier_digitisation", "result_digitisation")
        for level, share in (("city", "0.70"), ("province", "0.70"), ("district", "0.60"), ("commune", "0.55"))
    ],
]


def seed_targets(apps, schema_editor):
    target_model = apps.get_model("workflow", "KpiTarget")
    level_model = apps.get_model("procedures", "AdministrativeLevel")
    for kpi, level_code, share in TARGETS:
        level = None
        if level_code is not None:
            level = level_model.objects.filter(code=level_code).first()
            if level is None:
                continue
        target_model.objects.get_or_create(kpi=kpi, level=level, defaults={"target": Decimal(share)})


class Migration(migrations.Migration):
    dependencies = [("workflow", "0005_kpi_rollup"), ("procedures", "0002_administrative_levels")]

    operations = [migrations.RunPython(seed_targets, migrations.RunPython.noop)]
