"""The administrative levels the catalog starts with. They are data: the 2025
reform (province / commune) is added beside the earlier city / district /
commune, and an administrator can add more."""

from django.db import migrations

LEVELS = [
    ("city", "Thành phố trực thuộc trung ương", 1),
    ("province", "Tỉnh", 1),
    ("district", "Quận, huyện", 2),
    ("commune", "Xã, phường, thị trấn", 3),
]


def create_levels(apps, schema_editor):
    level_model = apps.get_model("procedures", "AdministrativeLevel")
    for code, name, rank in LEVELS:
        level_model.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]

    operations = [migrations.RunPython(create_levels, migrations.RunPython.noop)]
