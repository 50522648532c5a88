"""Keep workflow_kpidaily exact with triggers on the dossier table.

Every insert, update or delete of a dossier takes its old contribution off
and adds its new one: on the local day of its receipt (received, papers
digitised, with a fee, paid online), of its decision (finished, on time), of
its return (returned, signed electronic result) and of its rating. Triggers
see every write — the engine, bulk loads, the admin, raw SQL — so the counts
cannot drift. PostgreSQL uses statement-level triggers over transition
tables (one upsert per statement, so bulk loads and COPY stay fast); SQLite
uses row-level triggers.

Days are local dates in settings.TIME_ZONE as it is when this migration runs
(PostgreSQL by zone name; SQLite by the zone's current UTC offset, as it has
no time zones). After changing DJANGO_TIME_ZONE, run ``manage.py kpi --rebuild``.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

COUNTS = [
    "received", "papers_digitised", "with_fee", "paid_online", "finished", "on_time",
    "returned", "result_digitised", "rated", "rating_sum",
]  # fmt: skip
# Columns of the dossier a contribution depends on.
SOURCE = [
    "received_at", "agency_id", "channel", "papers_digitised", "fee_vnd", "paid_via", "finished_at",
    "finished_late", "returned_at", "result_digitised", "rated_at", "rating",
]  # fmt: skip


def _contributions(rows: str, day) -> str:
    """SELECT day, agency_id, channel, <COUNTS> summed over ``rows`` (dossier columns plus n = +1 or -1)."""

    def part(when, values):
        cols = ", ".join(f"{values.get(c, '0')} AS {c}" for c in COUNTS)
        return f"SELECT {day(when)} AS day, agency_id, channel, {cols} FROM {rows} r WHERE {when} IS NOT NULL"

    parts = [
        part(
            "received_at",
            {
                "received": "n",
                "papers_digitised": "CASE WHEN papers_digitised THEN n ELSE 0 END",
                "with_fee": "CASE WHEN fee_vnd > 0 THEN n ELSE 0 END",
                "paid_online": "CASE WHEN fee_vnd > 0 AND paid_via = 'online' THEN n ELSE 0 END",
            },
        ),
        part("finished_at", {"finished": "n", "on_time": "CASE WHEN finished_late = false THEN n ELSE 0 END"}),
        part("returned_at", {"returned": "n", "result_digitised": "CASE WHEN result_digitised THEN n ELSE 0 END"}),
        part("rated_at", {"rated": "n", "rating_sum": "n * rating"}),
    ]
    sums = ", ".join(f"SUM({c})" for c in COUNTS)
    nonzero = " OR ".join(f"SUM({c}) <> 0" for c in COUNTS)
    return (
        f"SELECT day, agency_id, channel, {sums} FROM ({' UNION ALL '.join(parts)}) c "
        f"WHERE true GROUP BY day, agency_id, channel HAVING {nonzero}"
    )


def _upsert(rows: str, day) -> str:
    updates = ", ".join(f"{c} = workflow_kpidaily.{c} + excluded.{c}" for c in COUNTS)
    return (
        f"INSERT INTO workflow_kpidaily (day, agency_id, channel, {', '.join(COUNTS)}) {_contributions(rows, day)} "
        f"ON CONFLICT (day, agency_id, channel) DO UPDATE SET {updates}"
    )


def _pg_sql():
    zone = settings.TIME_ZONE.replace("'", "")

    def day(column):
        return f"({column} AT TIME ZONE '{zone}')::date"

    cols = ", ".join(SOURCE)
    sources = {
        "insert": f"(SELECT {cols}, 1 AS n FROM kpi_new)",
        "delete": f"(SELECT {cols}, -1 AS n FROM kpi_old)",
        "update": f"(SELECT {cols}, 1 AS n FROM kpi_new UNION ALL SELECT {cols}, -1 AS n FROM kpi_old)",
    }
    referencing = {
        "insert": "NEW TABLE AS kpi_new",
        "delete": "OLD TABLE AS kpi_old",
        "update": "OLD TABLE AS kpi_old NEW TABLE AS kpi_new",
    }
    forward = []
    for op, rows in sources.items():
        forward.append(
            f"CREATE FUNCTION workflow_kpi_{op}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {_upsert(rows, day)}; RETURN NULL; END $$"
        )
        forward.append(
            f"CREATE TRIGGER workflow_kpi_{op} AFTER {op.upper()} ON workflow_dossier "
            f"REFERENCING {referencing[op]} FOR EACH STATEMENT EXECUTE FUNCTION workflow_kpi_{op}()"
        )
    forward.append(_upsert(f"(SELECT {cols}, 1 AS n FROM workflow_dossier)", day))
    backward = [f"DROP TRIGGER IF EXISTS workflow_kpi_{op} ON workflow_dossier" for op in sources] + [
        f"DROP FUNCTION IF EXISTS workflow_kpi_{op}()" for op in sources
    ]
    return forward, backward


def _sqlite_sql():
    offset = dt.datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)

    def day(column):
        return f"date({column}, '{minutes:+d} minutes')"

    def row(alias, sign):
        return "SELECT " + ", ".join(f"{alias}.{c} AS {c}" for c in SOURCE) + f", {sign} AS n"

    sources = {
        "insert": f"({row('NEW', 1)})",
        "delete": f"({row('OLD', -1)})",
        "update": f"({row('NEW', 1)} UNION ALL {row('OLD', -1)})",
    }
    events = {"insert": "INSERT", "delete": "DELETE", "update": f"UPDATE OF {', '.join(SOURCE)}"}
    forward = [
        f"CREATE TRIGGER workflow_kpi_{op} AFTER {events[op]} ON workflow_dossier FOR EACH ROW "
        f"BEGIN {_upsert(rows, day)}; END"
        for op, rows in sources.items()
    ]
    forward.append(_upsert(f"(SELECT {', '.join(SOURCE)}, 1 AS n FROM workflow_dossier)", day))
    backward = [f"DROP TRIGGER IF EXISTS workflow_kpi_{op}" for op in sources]
    return forward, backward


def _sql(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        return _pg_sql()
    if vendor == "sqlite":
        return _sqlite_sql()
    raise NotImplementedError(f"KPI rollup triggers for {vendor}")


def create_triggers(apps, schema_editor):
    for statement in _sql(schema_editor)[0]:
        schema_editor.execute(statement)


def recreate_sqlite_triggers(apps, schema_editor):
    """For a later migration that rebuilds the dossier table on SQLite (adding or
    altering a column there copies the rows into a new table and drops the old one,
    and its triggers with it): put the triggers back, without counting the rows
    again. Run it with ``migrations.RunPython(recreate_sqlite_triggers, noop)``
    after the operation. Nothing to do on PostgreSQL, which alters in place."""
    if schema_editor.connection.vendor != "sqlite":
        return
    forward, backward = _sqlite_sql()
    for statement in backward + [s for s in forward if s.startswith("CREATE TRIGGER")]:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in _sql(schema_editor)[1]:
        schema_editor.execute(statement)
    schema_editor.execute("DELETE FROM workflow_kpidaily")


class Migration(migrations.Migration):
    dependencies = [("workflow", "0004_kpi")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
