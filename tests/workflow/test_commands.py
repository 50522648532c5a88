"""What every management command of the apps shares (config/commands.py): on
a database that is not migrated or cannot be reached it stops with one line
and writes nothing."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.migrations.recorder import MigrationRecorder

from accounts.models import User

# Each command of the apps, with arguments that would make it work on a migrated database.
COMMANDS = [
    ("import_procedures", "{tmp}/catalog.yaml"),
    ("export_procedures",),
    ("verify_audit",),
    ("kpi",),
    ("add_user", "lan", "--password", "mat-khau-1"),
    ("pki", "export-root", "{tmp}/root.pem"),
    ("verify_pdf", "{tmp}/document.pdf"),
]


def command_line(command: tuple[str, ...], tmp_path: Path) -> list[str]:
    return [arg.format(tmp=tmp_path) for arg in command]


@pytest.mark.django_db
@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_a_missing_migration_stops_the_command_before_it_writes(command, tmp_path):
    MigrationRecorder.Migration.objects.order_by("-applied", "-id").first().delete()

    with pytest.raises(CommandError) as exc_info:
        call_command(*command_line(command, tmp_path), stdout=io.StringIO(), stderr=io.StringIO())

    assert str(exc_info.value) == (
        "The database is not migrated (1 migration(s) to apply): run python manage.py migrate."
    )
    assert not User.objects.exists()
    assert not (tmp_path / "root.pem").exists()


@pytest.mark.parametrize(
    ("database", "line"),
    [
        ("sqlite:///{tmp}/empty.sqlite3", "CommandError: The database is not migrated ("),
        ("postgres://nobody@127.0.0.1:9/nowhere", "CommandError: Cannot use the database: "),
    ],
    ids=["empty database", "unreachable database"],
)
def test_manage_py_prints_one_line_and_no_traceback(database, line, tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": database.format(tmp=tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(line)
    assert result.stderr.count("\n") == 1, result.stderr
