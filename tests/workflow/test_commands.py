"""What every management command of the apps shares: it says what it does and
what each argument is for, and (config/commands.py) on a database that is not
migrated or cannot be reached it stops with one line and writes nothing."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.db.migrations.recorder import MigrationRecorder

from accounts.models import User

# The commands of the project's apps, by name: their app.
OWN_COMMANDS = {
    name: app
    for name, app in get_commands().items()
    if app in ("accounts", "procedures", "workflow", "signing", "portal")
}
# The commands that work on the database, with arguments that would make them work on a migrated one.
COMMANDS = [
    ("import_procedures", "{tmp}/catalog.yaml"),
    ("export_procedures",),
    ("verify_audit",),
    ("kpi",),
    ("add_user", "lan", "--password", "mat-khau-1"),
    ("pki", "export-root", "{tmp}/root.pem"),
    ("verify_pdf", "{tmp}/document.pdf"),
    ("seed_demo", "--dossiers", "0", "--no-documents"),
]


def undocumented(parser: argparse.ArgumentParser, prefix: str) -> list[str]:
    """The arguments of ``parser`` and of its subcommands that have no help text."""
    missing = []
    for action in parser._actions:
        name = f"{prefix} {'/'.join(action.option_strings) or action.dest}"
        if not action.help:
            missing.append(name)
        if isinstance(action, argparse._SubParsersAction):
            missing += [f"{prefix} {choice.dest}" for choice in action._choices_actions if not choice.help]
            for verb, subparser in action.choices.items():
                missing += undocumented(subparser, f"{prefix} {verb}")
    return missing


def test_the_apps_commands_are_found():
    assert {command[0] for command in COMMANDS} <= set(OWN_COMMANDS)


@pytest.mark.parametrize("name", sorted(OWN_COMMANDS))
def test_the_command_and_each_of_its_arguments_have_a_help_text(name):
    command = load_command_class(OWN_COMMANDS[name], name)

    assert command.help.strip()
    assert undocumented(command.create_parser("manage.py", name), name) == []


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
        # In the site's language, Vietnamese.
        ("sqlite:///{tmp}/empty.sqlite3", "CommandError: Cơ sở dữ liệu chưa được cập nhật cấu trúc ("),
        ("postgres://nobody@127.0.0.1:9/nowhere", "CommandError: Không dùng được cơ sở dữ liệu: "),
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
