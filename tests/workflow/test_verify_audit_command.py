"""``manage.py verify_audit`` on damaged audit trails: every kind of damage is
one line naming the dossier, never a traceback."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import ProtectedError
from django.utils import translation

from tests.factories import ProcedureFactory
from workflow.models import AuditEvent


def verify_audit() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue().strip()


def broken_chain() -> str:
    with pytest.raises(CommandError) as exc_info:
        verify_audit()
    message = str(exc_info.value)
    assert "\n" not in message
    return message


def test_intact_chains_are_reported_with_the_number_of_events(cast):
    cast.approved()
    cast.received()

    assert verify_audit() == f"All audit chains are intact ({AuditEvent.objects.count()} events)."


def test_answers_of_every_kind_keep_the_chain_intact(cast):
    """An event hashes its changes as the database returns them: dates as text, numbers
    with a fraction, ticked boxes, choices and Vietnamese text all read back the same."""
    procedure = ProcedureFactory(
        agency=cast.agency,
        form=[
            {"name": "owner_name", "label": "Họ tên", "type": "text", "required": True},
            {"name": "area_m2", "label": "Diện tích", "type": "number"},
            {"name": "visit_on", "label": "Ngày khảo sát", "type": "date"},
            {"name": "corner_lot", "label": "Lô góc", "type": "checkbox"},
            {"name": "use", "label": "Mục đích", "type": "choice", "choices": ["Ở", "Kinh doanh"]},
        ],
    )
    answers = {"owner_name": "Lê Thị Hoa", "area_m2": "120.5", "visit_on": "2026-05-04", "corner_lot": True}
    dossier = cast.act(cast.in_review(procedure=procedure, data=answers), "ask_more", cast.specialist, comment="Sửa")
    changed = {"area_m2": "98.25", "visit_on": "2026-06-01", "corner_lot": False, "use": "Ở"}
    dossier = cast.act(dossier, "supplement_submitted", cast.citizen, data={"data": changed})

    event = dossier.events.get(action="supplement_submitted")
    before, after = event.changes["data"]
    assert (before["area_m2"], before["visit_on"], before["corner_lot"]) == (120.5, "2026-05-04", True)
    assert (after["area_m2"], after["visit_on"], after["corner_lot"], after["use"]) == (98.25, "2026-06-01", False, "Ở")
    assert all(stored.compute_hash() == stored.hash for stored in dossier.events.all())
    assert verify_audit() == f"All audit chains are intact ({AuditEvent.objects.count()} events)."


def test_an_event_time_that_cannot_be_read_is_a_broken_chain(cast):
    dossier = cast.in_review()
    cast.received()
    event = dossier.events.get(action="receive")
    with connection.cursor() as cursor:
        # A value the database keeps but Python cannot turn into a datetime (beyond year 9999).
        cursor.execute("UPDATE workflow_auditevent SET created_at = 'infinity' WHERE id = %s", [event.pk])

    assert broken_chain() == (
        f"Audit chain broken: {dossier.code} event #{event.seq} (id {event.pk}): its time 'infinity' cannot be read"
    )


def test_a_dossier_whose_events_were_all_deleted_is_a_broken_chain(cast):
    cast.received()
    dossier = cast.in_review()
    assert dossier.audit_head
    dossier.events.all().delete()

    assert broken_chain() == (
        f"Audit chain broken: {dossier.code} event #1 (id None): missing: the dossier is at version {dossier.version}"
    )


def test_a_dossier_row_edited_behind_the_engines_back_is_a_broken_chain(cast):
    cast.received()
    dossier = cast.in_review()
    last = dossier.events.order_by("seq").last()
    # Straight to "approved" in the row: the events say nothing of it.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE workflow_dossier SET status = 'approved', step = '' WHERE id = %s", [dossier.pk])

    assert broken_chain() == (
        f"Audit chain broken: {dossier.code} event #{last.seq} (id {last.pk}): the dossier is 'approved' at step '', "
        f"but its last event left it 'processing' at step 'review'"
    )


def test_the_break_is_told_in_vietnamese_on_a_vietnamese_install(cast):
    dossier = cast.received()
    event = dossier.events.get(action="receive")
    AuditEvent.objects.filter(pk=event.pk).update(comment="sửa lén")

    with translation.override("vi"):
        message = broken_chain()
    assert message == (
        f"Chuỗi nhật ký bị phá vỡ: {dossier.code} sự kiện #{event.seq} (id {event.pk}): đã bị sửa sau khi ghi"
    )


def test_a_user_who_acted_cannot_be_deleted_so_no_chain_breaks(cast):
    cast.received()
    with pytest.raises(ProtectedError):
        cast.desk.delete()
    assert verify_audit().startswith("All audit chains are intact")
