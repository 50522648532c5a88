"""``manage.py verify_audit`` on damaged audit trails: every kind of damage is
one line naming the dossier, never a traceback."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

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
