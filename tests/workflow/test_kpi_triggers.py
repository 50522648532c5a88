"""The triggers that keep the KPI daily table exact must survive every
migration. On SQLite, a migration that rebuilds the dossier table (adding or
altering a column) silently drops its triggers; this test fails when one
does, so that migration must recreate them (see 0005_kpi_rollup)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

TRIGGERS = {"workflow_kpi_insert", "workflow_kpi_delete", "workflow_kpi_update"}


def test_the_dossier_table_keeps_its_kpi_triggers_after_all_migrations():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'workflow_dossier'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'workflow_dossier'::regclass AND NOT tgisinternal"
            )
        names = {row[0] for row in cursor.fetchall()}
    assert names >= TRIGGERS
