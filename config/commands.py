"""What the project's management commands share."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _


class DatabaseCommand(BaseCommand):
    """A command that reads or writes the project's tables.

    Before ``handle`` it checks that the database can be reached and is
    migrated, and otherwise stops with one line saying so, rather than a
    traceback from the first query on a missing table.
    """

    requires_migrations_checks = True

    def check_migrations(self) -> None:
        try:
            executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            # Drivers explain a refused connection over several lines; the first says what.
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise CommandError(_("Cannot use the database: %(reason)s") % {"reason": reason}) from None
        if plan:
            raise CommandError(
                _("The database is not migrated (%(count)d migration(s) to apply): run python manage.py migrate.")
                % {"count": len(plan)}
            )
