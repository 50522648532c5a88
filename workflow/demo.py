"""Synthetic dossiers for the demo and for load tests.

Each dossier gets a consistent history: its dates follow the working-day
calendar, its state is one the lifecycle can reach along its pinned flow,
and its audit events form a valid hash chain (``verify_audit`` passes).
Rows are written with bulk inserts, in batches, so millions are practical.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from procedures.flows import Flow
from procedures.models import Procedure, Role
from procedures.selectors import latest_published_version
from signing.pki import init_pki, issue_person_certificate, person_certificate
from workflow.audit import GENESIS
from workflow.calendar import working_calendar
from workflow.documents import issue_notice, issue_result
from workflow.models import AuditEvent, Channel, Document, Dossier, DossierCounter, Status
from workflow.parallel import parallel_map

# How the demo's dossiers end up, by weight.
FATES = [
    (Status.RETURNED, 46),
    (Status.PROCESSING, 12),
    (Status.SIGNED, 4),
    (Status.APPROVED, 4),
    (Status.REJECTED, 5),
    (Status.AWAITING_SUPPLEMENT, 5),
    (Status.RECEIVED, 4),
    (Status.SUBMITTED, 5),
    (Status.REFUSED, 4),
    (Status.WITHDRAWN, 3),
    (Status.CANCELLED, 2),
    (Status.DRAFT, 6),
]
CHANNELS = [(Channel.ONLINE, 62), (Channel.COUNTER, 33), (Channel.POSTAL, 5)]
NAMES = [
    "Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Võ Thị Giang",
    "Đặng Minh Hải", "Bùi Thị Hạnh", "Đỗ Quang Khải", "Huỳnh Thị Lan", "Ngô Đức Minh", "Dương Thị Ngọc",
]  # fmt: skip


@dataclass
class _Route:
    """A procedure's pinned flow and the path the demo walks along it."""

    procedure: Procedure
    version_id: int
    flow: Flow
    path: list[tuple[str, str, str]]  # (step, action, next step) up to the deciding step
    approve: str
    reject: str | None
    supplement: tuple[str, str] | None  # (step, action) of a supplement request on the path
    supplement_at: int | None  # how many moves along the path reach that step


def _route(procedure: Procedure) -> _Route | None:
    version = latest_published_version(procedure)
    if version is None:
        return None
    flow = version.flow
    # Shortest path from the start to a step that can approve.
    parents: dict[str, tuple[str, str] | None] = {flow.start: None}
    queue, goal = deque([flow.start]), None
    while queue:
        step = flow.step(queue.popleft())
        if any(a.outcome == "approve" for a in step.actions):
            goal = step
            break
        for action in step.actions:
            if action.to and action.to not in parents:
                parents[action.to] = (step.id, action.id)
                queue.append(action.to)
    path: list[tuple[str, str, str]] = []
    node = goal.id
    while parents[node] is not None:
        prev, action = parents[node]
        path.insert(0, (prev, action, node))
        node = prev
    on_path = [flow.start] + [target for _step, _action, target in path]
    supplement, supplement_at = None, None
    for index, step_id in enumerate(on_path):
        action = next((a for a in flow.step(step_id).actions if a.outcome == "supplement"), None)
        if action is not None:
            supplement, supplement_at = (step_id, action.id), index
            break
    return _Route(
        procedure=procedure,
        version_id=version.pk,
        flow=flow,
        path=path,
        approve=next(a.id for a in goal.actions if a.outcome == "approve"),
        reject=next((a.id for a in goal.actions if a.outcome == "reject"), None),
        supplement=supplement,
        supplement_at=supplement_at,
    )


class _People:
    """One officer per agency and role (the demo's), and the citizens."""

    def __init__(self) -> None:
        user_model = get_user_model()
        self.officers: dict[tuple[int, str], object] = {}
        for user in user_model.objects.filter(memberships__isnull=False).prefetch_related("memberships"):
            for m in user.memberships.all():
                self.officers.setdefault((m.agency_id, m.role), user)
        self.citizens = list(user_model.objects.filter(memberships__isnull=True, is_superuser=False)[:50])

    def officer(self, agency_id: int, role: str):
        return self.officers.get((agency_id, role))


def generate_dossiers(
    count: int, *, seed: int | None = None, batch_size: int = 2000, progress: Callable[[int], None] | None = None
) -> list[int]:
    """Create ``count`` dossiers over the last 12 months; return their ids."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    routes = [r for r in (_route(p) for p in Procedure.objects.filter(is_active=True)) if r is not None]
    if not routes or count <= 0:
        return []
    people = _People()
    calendar = working_calendar()
    now = timezone.now()
    counters: dict[tuple[int, dt.date], int] = {
        (c.agency_id, c.day): c.last for c in DossierCounter.objects.filter(day__gte=(now - dt.timedelta(days=400)))
    }
    made = 0
    created: list[int] = []
    while made < count:
        size = min(batch_size, count - made)
        plans = [_plan(rng, rng.choice(routes), people, calendar, now) for _ in range(size)]
        with transaction.atomic():
            dossiers = [_dossier(plan, counters) for plan in plans]
            Dossier.objects.bulk_create(dossiers, batch_size=batch_size)
            events = [e for dossier, plan in zip(dossiers, plans, strict=True) for e in _events(dossier, plan)]
            AuditEvent.objects.bulk_create(events, batch_size=batch_size * 2)
            Dossier.objects.bulk_update(dossiers, ["audit_head"], batch_size=batch_size)
            DossierCounter.objects.bulk_create(
                [DossierCounter(agency_id=a, day=d, last=n) for (a, d), n in counters.items()],
                update_conflicts=True,
                unique_fields=["agency", "day"],
                update_fields=["last"],
                batch_size=batch_size,
            )
        made += size
        created += [d.pk for d in dossiers]
        if progress:
            progress(size)
    return created


@dataclass
class _Plan:
    route: _Route
    channel: str
    fate: str
    applicant: object | None
    applicant_name: str
    desk: object
    history: list[tuple[str, object, str, str, dt.datetime, str]]  # action, actor, status, step, at, comment
    fields: dict


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _plan(rng: random.Random, route: _Route, people: _People, calendar, now: dt.datetime) -> _Plan:
    agency_id = route.procedure.agency_id
    desk = people.officer(agency_id, Role.DESK)
    channel = _pick(rng, CHANNELS) if desk is not None else Channel.ONLINE
    fate = _pick(rng, FATES)
    citizen = rng.choice(people.citizens) if people.citizens and channel == Channel.ONLINE else None
    if desk is None or (channel == Channel.ONLINE and citizen is None):
        channel, fate = Channel.ONLINE, Status.DRAFT
    applicant_name = str(citizen) if citizen is not None else rng.choice(NAMES)
    filer = citizen if channel == Channel.ONLINE else desk
    limit = route.procedure.time_limit_days

    recent = fate in (Status.DRAFT, Status.SUBMITTED, Status.REFUSED)
    received = now - dt.timedelta(days=rng.uniform(0.2, 4) if recent else rng.uniform(1, 365))
    received = received.replace(hour=rng.randint(1, 9), minute=rng.randint(0, 59))  # 08:00–16:59 in Vietnam
    received = min(received, now - dt.timedelta(hours=1))
    history: list = []
    fields: dict = {"created_at": received - dt.timedelta(hours=rng.uniform(0, 30) if channel == "online" else 0)}

    def add(action, actor, status, step, at, comment=""):
        history.append((action, actor, status, step, min(at, now), comment))

    add("create", filer, Status.DRAFT, "", fields["created_at"])
    if fate == Status.DRAFT:
        return _Plan(route, channel, fate, citizen, applicant_name, desk, history, fields)
    add("submit", filer, Status.SUBMITTED, "", received - dt.timedelta(minutes=5))
    fields["submitted_at"] = received - dt.timedelta(minutes=5)
    if fate == Status.SUBMITTED:
        return _Plan(route, channel, fate, citizen, applicant_name, desk, history, fields)
    if fate == Status.REFUSED:
        add("refuse", desk, Status.REFUSED, "", received, "Hồ sơ không đúng thẩm quyền giải quyết")
        fields["closed_at"] = received
        return _Plan(route, channel, fate, citizen, applicant_name, desk, history, fields)

    due = calendar.add(received, limit)
    fields.update(received_at=received, due_at=due)
    add("receive", desk, Status.RECEIVED, route.flow.start, received)
    # How long this dossier takes: most on time, some late.
    share = Decimal(str(round(rng.uniform(0.3, 1.0) if rng.random() < 0.88 else rng.uniform(1.05, 1.6), 1)))
    end = calendar.add(received, max(Decimal("0.5"), (limit * share * 2).to_integral_value() / 2))
    open_fates = (Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT, Status.WITHDRAWN, Status.CANCELLED)
    if fate in open_fates:
        end = min(end, now)
    steps = route.path
    if fate == Status.AWAITING_SUPPLEMENT:
        if route.supplement_at is None:
            fate = Status.PROCESSING
        else:
            steps = steps[: route.supplement_at]
    if fate == Status.RECEIVED:
        steps = []
    elif fate in (Status.PROCESSING, Status.WITHDRAWN, Status.CANCELLED):
        steps = steps[: rng.randint(1, len(steps))] if steps else []
    span = max((end - received).total_seconds(), 60.0)
    moments = sorted(received + dt.timedelta(seconds=span * rng.uniform(0.05, 0.9)) for _ in steps)
    status = Status.RECEIVED
    for (step, action, target), at in zip(steps, moments, strict=True):
        status = Status.PROCESSING
        add(action, people.officer(agency_id, route.flow.step(step).role) or desk, status, target, at)
    current = steps[-1][2] if steps else route.flow.start
    if fate == Status.AWAITING_SUPPLEMENT:
        step, action = route.supplement
        add(action, people.officer(agency_id, route.flow.step(step).role) or desk, fate, current, end)
        fields.update(paused_at=end, remaining_days=calendar.remaining(end, due), step_remaining_days=Decimal(0))
        return _Plan(route, channel, fate, citizen, applicant_name, desk, history, fields)
    if fate in (Status.WITHDRAWN, Status.CANCELLED):
        actor = (citizen or desk) if fate == Status.WITHDRAWN else people.officer(agency_id, Role.HEAD) or desk
        action = "withdraw" if fate == Status.WITHDRAWN else "cancel"
        add(action, actor, fate, current, end, "" if fate == Status.WITHDRAWN else "Dừng xử lý theo đề nghị")
        fields["closed_at"] = end
        return _Plan(route, channel, fate, citizen, applicant_name, desk, history, fields)
    if fate in (Status.RECEIVED, Status.PROCESSING):
        return _Plan(route, channel, status, citizen, applicant_name, desk, history, fields)

    head = people.officer(agency_id, route.flow.step(current).role) or desk
    approved = fate != Status.REJECTED or route.reject is None
    add(route.approve if approved else route.reject, head, Status.APPROVED if approved else Status.REJECTED, "", end)
    fields.update(finished_at=end, finished_late=end > due)
    if not approved:
        fields["closed_at"] = end
        return _Plan(route, channel, Status.REJECTED, citizen, applicant_name, desk, history, fields)
    if fate in (Status.SIGNED, Status.RETURNED):
        signed = end + dt.timedelta(hours=rng.uniform(0.5, 4))
        add("sign", people.officer(agency_id, Role.SIGNER) or desk, Status.SIGNED, "", signed)
    if fate == Status.RETURNED:
        returned = end + dt.timedelta(hours=rng.uniform(4, 30))
        add("return", desk, Status.RETURNED, "", returned)
        fields["returned_at"] = min(returned, now)
    return _Plan(route, channel, fate, citizen, applicant_name, desk, history, fields)


def _pending_role(plan: _Plan, status: str, step: str) -> str:
    if status == Status.SUBMITTED:
        return Role.DESK
    if status in (Status.RECEIVED, Status.PROCESSING):
        return plan.route.flow.step(step).role
    return {Status.APPROVED: Role.SIGNER, Status.SIGNED: Role.DESK}.get(status, "")


def _dossier(plan: _Plan, counters: dict[tuple[int, dt.date], int]) -> Dossier:
    procedure = plan.route.procedure
    _action, _actor, status, step, _at, _comment = plan.history[-1]
    day = timezone.localdate(plan.fields["created_at"])
    key = (procedure.agency_id, day)
    counters[key] = counters.get(key, 0) + 1
    step = step if status in (Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT) else ""
    dossier = Dossier(
        code=f"{procedure.agency.code}-{day:%y%m%d}-{counters[key]:04d}",
        procedure=procedure,
        flow_version_id=plan.route.version_id,
        agency_id=procedure.agency_id,
        channel=plan.channel,
        applicant=plan.applicant,
        applicant_name=plan.applicant_name,
        applicant_email=getattr(plan.applicant, "email", "") or "",
        created_by=plan.history[0][1],
        step=step,
        pending_role=_pending_role(plan, status, step),
        version=len(plan.history),
        **plan.fields,
    )
    Dossier.status.field.set_state(dossier, status)  # seeding writes the state directly, as a migration would
    return dossier


def _events(dossier: Dossier, plan: _Plan) -> Iterator[AuditEvent]:
    prev_hash, prev_status, prev_step = GENESIS, "", ""
    for seq, (action, actor, status, step, at, comment) in enumerate(plan.history, start=1):
        event = AuditEvent(
            dossier=dossier,
            seq=seq,
            action=action,
            actor=actor,
            actor_name=str(actor),
            from_status=prev_status,
            to_status=status,
            from_step=prev_step,
            to_step=step,
            comment=comment,
            changes={"status": [prev_status or None, status]} if status != prev_status else {},
            created_at=at,
            prev_hash=prev_hash,
        )
        event.hash = event.compute_hash()
        prev_hash, prev_status, prev_step = event.hash, status, step
        yield event
    dossier.audit_head = prev_hash


def _documents_for(dossier_id: int) -> int:
    """Issue the receipt and, once signed, the result of a seeded dossier, as the engine would have."""
    dossier = Dossier.objects.select_related("procedure", "agency", "agency__parent").get(pk=dossier_id)
    made = 0
    receive = dossier.events.filter(action="receive").first()
    if receive is not None:
        issue_notice(dossier.pk, Document.Kind.RECEIPT, receive.seq)
        made += 1
    sign = dossier.events.filter(action="sign").select_related("actor").first()
    if sign is not None and not dossier.documents.filter(kind=Document.Kind.RESULT).exists():
        signer = sign.actor
        if person_certificate(signer) is None:
            issue_person_certificate(signer, dossier.agency)
        with transaction.atomic():
            issue_result(dossier, signer=signer, event_seq=sign.seq)
        made += 1
    return made


def issue_documents(dossier_ids: list[int], *, progress: Callable[[int], None] | None = None) -> int:
    """Give seeded dossiers their signed receipts and results, on all cores."""
    init_pki()
    made = 0
    for count in parallel_map(_documents_for, [(pk,) for pk in dossier_ids]):
        made += count
        if progress:
            progress(1)
    return made
