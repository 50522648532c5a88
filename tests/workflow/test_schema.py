"""The database schema the migrations build on PostgreSQL: every index of the
workflow tables is read by some query. An index whose columns another index
of the table starts with (same operator classes, neither partial) serves no
query the other cannot, and still costs a write on every action."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

COVERED_INDEXES = """
    WITH i AS (
        SELECT x.indexrelid, x.indrelid, x.indisunique,
               string_to_array(x.indkey::text, ' ') AS keys,
               string_to_array(x.indclass::text, ' ') AS classes
        FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname LIKE 'workflow\\_%%' AND x.indpred IS NULL AND x.indexprs IS NULL
    )
    SELECT a.indexrelid::regclass::text, b.indexrelid::regclass::text
    FROM i a JOIN i b ON a.indrelid = b.indrelid AND a.indexrelid <> b.indexrelid
    WHERE NOT a.indisunique
      AND cardinality(a.keys) <= cardinality(b.keys)
      AND b.keys[1:cardinality(a.keys)] = a.keys
      AND b.classes[1:cardinality(a.classes)] = a.classes
    ORDER BY 1, 2
"""


def test_no_index_is_covered_by_another():
    with connection.cursor() as cursor:
        cursor.execute(COVERED_INDEXES)
        covered = cursor.fetchall()
    assert covered == []


def test_the_covering_indexes_are_there():
    # The foreign keys 0010 left without their own index are served by these.
    with connection.cursor() as cursor:
        indexes = {
            table: {
                c["columns"][0]
                for c in connection.introspection.get_constraints(cursor, table).values()
                if c["index"] or c["unique"]
            }
            for table in ("workflow_dossier", "workflow_auditevent", "workflow_document", "workflow_dossiercounter")
        }
    assert {"agency_id", "applicant_id"} <= indexes["workflow_dossier"]
    assert "dossier_id" in indexes["workflow_auditevent"]
    assert "dossier_id" in indexes["workflow_document"]
    assert "agency_id" in indexes["workflow_dossiercounter"]
