"""The one audit writer, and the check of its hash chains."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from workflow.compiled import insert
from workflow.models import AuditEvent, Dossier

GENESIS = "0" * 64
TRACKED_FIELDS = ("status", "step", "assignee_id", "due_at", "step_due_at", "data", "pending_role")


def snapshot(dossier: Dossier) -> dict[str, Any]:
    """The fields whose changes an event records, as JSON values (one round trip for all)."""
    return _json_value({name: getattr(dossier, name) for name in TRACKED_FIELDS})


def record_event(
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
    """Write event #``dossier.version`` after the dossier's chain head and move
    the head to it. Call with the dossier row locked and its version already
    bumped; the caller saves the dossier."""
    after = snapshot(dossier)
    changes = {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
    if extra:
        changes.update(_json_value(extra))
    event = AuditEvent(
        dossier=dossier,
        seq=dossier.version,
        action=action,
        actor=actor,
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
    insert(event)
    dossier.audit_head = event.hash
    return event


def _json_value(value: Any) -> Any:
    """Round-trip through JSON so the hash sees what the database will return."""
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
        return f"{self.dossier_code} event #{self.seq} (id {self.event_id}): {self.reason}"


def chain_breaks() -> Iterator[ChainBreak]:
    """The first place where each dossier's event chain does not hold.

    Every change to a dossier bumps its version and writes one event, so the
    chain of a dossier at version N is events 1..N, each hash covering the
    event and the hash before it.
    """
    events = AuditEvent.objects.select_related("dossier").order_by("dossier_id", "seq").iterator(chunk_size=2000)
    for _dossier_id, group in groupby(events, key=lambda e: e.dossier_id):
        found = _first_break(list(group))
        if found is not None:
            yield found


def _first_break(events: list[AuditEvent]) -> ChainBreak | None:
    dossier = events[0].dossier
    prev_hash = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return ChainBreak(dossier.code, event.id, expected_seq, "the event before this one is missing")
        if event.prev_hash != prev_hash:
            return ChainBreak(dossier.code, event.id, event.seq, "does not follow the previous event")
        if event.compute_hash() != event.hash:
            return ChainBreak(dossier.code, event.id, event.seq, "was changed after it was written")
        prev_hash = event.hash
    if len(events) != dossier.version or prev_hash != dossier.audit_head:
        return ChainBreak(dossier.code, None, len(events) + 1, f"missing: the dossier is at version {dossier.version}")
    return None
