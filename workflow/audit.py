"""The one audit writer, and the check of its hash chains."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.db.models import Exists, F, OuterRef, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from workflow.models import AuditEvent, Dossier

GENESIS = "0" * 64
TRACKED_FIELDS = ("status", "step", "assignee_id", "due_at", "step_due_at", "data", "pending_role")


def snapshot(dossier: Dossier) -> dict[str, Any]:
    """The fields whose changes an event records, as JSON values."""
    return {name: _json_value(getattr(dossier, name)) for name in TRACKED_FIELDS}


def due_at_as_of(dossier: Dossier, seq: int) -> dt.datetime | None:
    """The dossier's appointment as event ``seq`` left it. Every later change of
    it is recorded in its event (``changes["due_at"]`` is ``[before, after]``), so
    the first such event after ``seq`` holds it as "before"; with none, it is the
    dossier's own value. A notice issued late still shows the date of its event."""
    later = (
        AuditEvent.objects.filter(dossier_id=dossier.pk, seq__gt=seq, changes__has_key="due_at")
        .order_by("seq")
        .values_list("changes", flat=True)
        .first()
    )
    if later is None:
        return dossier.due_at
    before = later["due_at"][0]
    return parse_datetime(before) if before else None


def new_event(
    dossier: Dossier,
    *,
    action: str,
    actor: AbstractBaseUser | None,
    before: dict[str, Any],
    at: dt.datetime,
    comment: str = "",
    client_ip: str | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Event #``dossier.version``, chained after the dossier's head, which moves to it.
    Call with the dossier row locked and its version already bumped; the caller
    writes the event and then the dossier (``compiled.insert_and_update``)."""
    after = snapshot(dossier)
    changes = {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
    if extra:
        changes.update(_json_value(extra))
    event = AuditEvent(
        dossier_id=dossier.pk,
        seq=dossier.version,
        action=action,
        actor_id=actor.pk if actor is not None else None,
        actor_name=str(actor) if actor is not None else "system",
        from_status=before.get("status") or "",
        to_status=dossier.status,
        from_step=before.get("step") or "",
        to_step=dossier.step,
        comment=comment,
        changes=changes,
        client_ip=client_ip or None,
        created_at=at,
        prev_hash=dossier.audit_head or GENESIS,
    )
    event.hash = event.compute_hash()
    dossier.audit_head = event.hash
    return event


def _json_value(value: Any) -> Any:
    """``value`` as the database will return it from a JSON column, so the hash sees that.

    The common cases are converted directly, as the round trip through JSON would
    (a str subclass such as a status choice becomes its plain text); anything else
    makes the round trip."""
    kind = type(value)
    if value is None or kind is bool or kind is int or kind is str:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if kind is dt.datetime or kind is dt.date:
        return value.isoformat()
    if kind is dict and all(type(key) is str for key in value):
        return {key: _json_value(item) for key, item in value.items()}
    if kind is list:
        return [_json_value(item) for item in value]
    return json.loads(json.dumps(value, default=_default))


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class ChainBreak:
    dossier_code: str
    event_id: int | None
    seq: int
    reason: str

    def __str__(self) -> str:
        return _("%(dossier)s event #%(seq)s (id %(id)s): %(reason)s") % {
            "dossier": self.dossier_code,
            "seq": self.seq,
            "id": self.event_id,
            "reason": self.reason,
        }


def chain_breaks() -> Iterator[ChainBreak]:
    """The first place where each dossier's event chain does not hold.

    Every change to a dossier bumps its version and writes one event, so the
    chain of a dossier at version N is events 1..N, each hash covering the
    event and the hash before it, and the last event left the dossier in the
    status and at the step it is in. A dossier with no event left is broken too.
    """
    events = (
        AuditEvent.objects.defer("created_at")
        # As text: a time the database holds but Python cannot read is a break, not a crash.
        .annotate(
            created_text=Cast("created_at", TextField()),
            dossier_code=F("dossier__code"),
            dossier_version=F("dossier__version"),
            dossier_head=F("dossier__audit_head"),
            dossier_status=F("dossier__status"),
            dossier_step=F("dossier__step"),
        )
        .order_by("dossier_id", "seq")
        .iterator(chunk_size=2000)
    )
    for _dossier_id, group in groupby(events, key=lambda e: e.dossier_id):
        found = _first_break(list(group))
        if found is not None:
            yield found
    emptied = Dossier.objects.filter(~Exists(AuditEvent.objects.filter(dossier=OuterRef("pk")))).order_by("pk")
    for code, version in emptied.values_list("code", "version"):
        yield _missing(code, 0, version)


def _first_break(events: list[AuditEvent]) -> ChainBreak | None:
    first = events[0]
    code, version, head = first.dossier_code, first.dossier_version, first.dossier_head
    prev_hash = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return ChainBreak(code, event.id, expected_seq, _("the event before this one is missing"))
        event.created_at = _stored_time(event.created_text)
        if event.created_at is None:
            return ChainBreak(
                code, event.id, event.seq, _("its time %(time)r cannot be read") % {"time": event.created_text}
            )
        if event.prev_hash != prev_hash:
            return ChainBreak(code, event.id, event.seq, _("does not follow the previous event"))
        if event.compute_hash() != event.hash:
            return ChainBreak(code, event.id, event.seq, _("was changed after it was written"))
        prev_hash = event.hash
    if len(events) != version or prev_hash != head:
        return _missing(code, len(events), version)
    last = events[-1]
    if (last.to_status, last.to_step) != (first.dossier_status, first.dossier_step):
        return ChainBreak(
            code,
            last.id,
            last.seq,
            _(
                "the dossier is %(status)r at step %(step)r, "
                "but its last event left it %(to_status)r at step %(to_step)r"
            )
            % {
                "status": first.dossier_status,
                "step": first.dossier_step,
                "to_status": last.to_status,
                "to_step": last.to_step,
            },
        )
    return None


def _missing(code: str, held: int, version: int) -> ChainBreak:
    return ChainBreak(code, None, held + 1, _("missing: the dossier is at version %(version)s") % {"version": version})


def _stored_time(text: str) -> dt.datetime | None:
    """A stored time as Django's converters would return it, or None when it cannot be read."""
    try:
        value = parse_datetime(text)
    except ValueError:
        return None
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, connection.timezone)  # SQLite keeps UTC without an offset
    return value
