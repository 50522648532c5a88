"""Synthetic dossiers for the demo and for load tests.

Each dossier gets a consistent history: its dates follow the working-day
calendar, its state is one the lifecycle can reach along its pinned flow,
and its audit events form a valid hash chain (``verify_audit`` passes).
Rows are written with bulk inserts, in batches, so millions are practical.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from procedures.flows import Flow
from procedures.models import Agency, Procedure, Role
from procedures.selectors import latest_published_version
from signing.pki import init_pki, issue_person_certificate, person_certificate
from workflow.audit import GENESIS
from workflow.calendar import working_calendar
from workflow.documents import issue_notice, issue_result
from workflow.models import (
    FINISHED_STATES,
    AuditEvent,
    Channel,
    DemoDocumentsOwed,
    Document,
    Dossier,
    DossierCounter,
    Payment,
    Status,
)
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
CHANNELS = [(Channel.ONLINE, 65), (Channel.COUNTER, 30), (Channel.POSTAL, 5)]
RATINGS = [(5, 50), (4, 28), (3, 12), (2, 6), (1, 4)]
# How often the desk scans every paper of a counter or postal dossier, by the agency's level.
SCANNED = {"city": 0.6, "province": 0.6, "district": 0.45, "commune": 0.3}
SPAN_DAYS = 540  # about 18 months
OPEN_FATES = (Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT)
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


@dataclass
class _Setting:
    """What every batch plans with: read once, inherited by forked workers."""

    routes: list[_Route]
    people: _People
    calendar: object
    now: dt.datetime
    levels: dict[int, str]
    documents: bool


_setting: _Setting | None = None


def generate_dossiers(
    count: int,
    *,
    seed: int | None = None,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    documents: bool = False,
) -> list[int]:
    """Create ``count`` dossiers over the last 18 months; return their ids.

    Batches of ``batch_size`` dossiers are planned and written by worker
    processes on PostgreSQL (in this process elsewhere, or for one batch),
    each in its own transaction with COPY: ids are taken from the sequence
    first, so each audit chain and the dossier's head are written once. With
    ``seed`` the data are the same whatever the number of workers. With
    ``documents``, each received or signed dossier is noted as owing its receipt
    and result, which ``issue_documents`` then issues.
    """
    global _setting
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    routes = [r for r in (_route(p) for p in Procedure.objects.filter(is_active=True)) if r is not None]
    if not routes or count <= 0:
        return []
    _setting = _Setting(
        routes,
        _People(),
        working_calendar(),
        timezone.now(),
        dict(Agency.objects.values_list("pk", "level__code")),
        documents,
    )
    jobs = [(rng.randrange(2**63), min(batch_size, count - start)) for start in range(0, count, batch_size)]
    if connection.vendor == "postgresql" and len(jobs) > 1:
        batches = parallel_map(_make_batch, jobs, workers=workers)
    else:
        batches = (_make_batch(*job) for job in jobs)
    created: list[int] = []
    for ids in batches:
        created += ids
        if progress:
            progress(len(ids))
    return created


def _make_batch(seed: int, size: int) -> list[int]:
    setting = _setting
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    plans = [
        _plan(rng, rng.choice(setting.routes), setting.people, setting.calendar, setting.now, setting.levels)
        for _ in range(size)
    ]
    codes = _allocate_codes(plans)
    with transaction.atomic():
        ids = _take_ids(Dossier, size)
        dossiers, events, payments = [], [], []
        for pk, plan, code in zip(ids, plans, codes, strict=True):
            row = _dossier_row(pk, plan, code)
            row["audit_head"] = _event_rows(pk, plan, events)
            dossiers.append(row)
            payments += _payment_rows(pk, plan)
        _insert(Dossier, dossiers)
        _insert(AuditEvent, events)
        _insert(Payment, payments)
        if setting.documents:
            owed = [pk for pk, plan in zip(ids, plans, strict=True) if _owes_documents(plan)]
            _insert(DemoDocumentsOwed, [{"dossier_id": pk} for pk in owed])
    return ids


def _owes_documents(plan: _Plan) -> bool:
    """A received dossier is owed its receipt (and, once signed, its result: only a received one is)."""
    return any(action == "receive" for action, *_rest in plan.history)


def _allocate_codes(plans: list[_Plan]) -> list[str]:
    """``{agency}-{yymmdd}-{seq}`` for each plan: one upsert takes each agency-day's numbers,
    in a short transaction of its own (a failed batch leaves a gap, never a duplicate)."""
    keys = [(plan.route.procedure.agency_id, timezone.localdate(plan.fields["created_at"])) for plan in plans]
    wanted: dict[tuple[int, dt.date], int] = {}
    for key in keys:
        wanted[key] = wanted.get(key, 0) + 1
    table = DossierCounter._meta.db_table
    ordered = sorted(wanted.items())  # the same lock order in every worker
    last: dict[tuple[int, str], int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for chunk in range(0, len(ordered), 1000):
            part = ordered[chunk : chunk + 1000]
            cursor.execute(
                f"INSERT INTO {table} (agency_id, day, last) VALUES {', '.join(['(%s, %s, %s)'] * len(part))} "  # noqa: S608
                f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + excluded.last "
                "RETURNING agency_id, day, last",
                [value for (agency_id, day), n in part for value in (agency_id, day, n)],
            )
            last.update({(agency_id, str(day)): value for agency_id, day, value in cursor.fetchall()})
    next_seq = {key: last[(key[0], str(key[1]))] - n + 1 for key, n in wanted.items()}
    codes = []
    for plan, key in zip(plans, keys, strict=True):
        codes.append(f"{plan.route.procedure.agency.code}-{key[1]:%y%m%d}-{next_seq[key]:04d}")
        next_seq[key] += 1
    return codes


def _take_ids(model, count: int) -> list[int]:
    """``count`` new primary keys for ``model``, reserved before the rows are written."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [pk for (pk,) in cursor.fetchall()]
        # Elsewhere (SQLite) the open transaction holds the write lock: the next ids stay free.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - table name from the model
        (last,) = cursor.fetchone()
    return list(range(last + 1, last + 1 + count))


def _insert(model, rows: list[dict]) -> None:
    """Write ``rows`` (attname → value; a missing column takes the field's default) in one go."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in rows[0]]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    defaults = {f.attname: f.get_default() for f in fields}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # JSON columns: values are dumped here unless the row carries them already as text.
            dump = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
            defaults.update({name: json.dumps(defaults[name]) for name in dump})
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    values = [row.get(f.attname, defaults[f.attname]) for f in fields]
                    if dump:
                        values = [
                            json.dumps(v) if f.attname in dump and not isinstance(v, str) else v
                            for f, v in zip(fields, values, strict=True)
                        ]
                    copy.write_row(values)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        json_text = {f.attname for f in fields if f.get_internal_type() == "JSONField"}

        def prep(field, value):
            return (
                value
                if field.attname in json_text and isinstance(value, str)
                else field.get_db_prep_save(value, connection)
            )

        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({placeholders})",  # noqa: S608 - names from the model
            [[prep(f, row.get(f.attname, defaults[f.attname])) for f in fields] for row in rows],
        )


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
    payment: tuple[str, object, dt.datetime] | None = None  # method, paid by, at


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _plan(rng: random.Random, route: _Route, people: _People, calendar, now: dt.datetime, levels: dict) -> _Plan:
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
    fee = route.procedure.fee_vnd

    # Drafts and dossiers at the desk are days old; open ones were received within their time limit
    # or a little over it (a few are overdue); the rest spread over the last 18 months.
    late = rng.random() < 0.1
    if fate in (Status.DRAFT, Status.SUBMITTED, Status.REFUSED):
        age = rng.uniform(0.2, 4)
    elif fate in OPEN_FATES:
        calendar_days = float(limit) * 7 / 5
        age = rng.uniform(calendar_days, calendar_days * 1.6 + 2) if late else rng.uniform(0.3, calendar_days * 0.9)
    else:
        age = rng.uniform(1, SPAN_DAYS)
    received = now - dt.timedelta(days=age)
    received = received.replace(hour=rng.randint(1, 9), minute=rng.randint(0, 59))  # 08:00–16:59 in Vietnam
    received = min(received, now - dt.timedelta(hours=1))
    if fate in OPEN_FATES and not late and calendar.add(received, limit) <= now:
        received = now - dt.timedelta(hours=rng.uniform(1, 3))  # on time: received recently enough
    history: list = []
    fields: dict = {
        "created_at": received - dt.timedelta(hours=rng.uniform(0, 30) if channel == "online" else 0),
        "fee_vnd": fee,
    }
    plan = _Plan(route, channel, fate, citizen, applicant_name, desk, history, fields)

    def add(action, actor, status, step, at, comment=""):
        history.append((action, actor, status, step, min(at, now), comment))

    def pay(at):
        # Most online applicants pay online; at the counter the desk takes the fee.
        online = channel == Channel.ONLINE and rng.random() < 0.8
        method, payer = ("online", citizen) if online else ("counter", desk)
        plan.payment = (method, payer, min(at, now))
        fields.update(paid_via=method, paid_at=min(at, now))
        add("pay", payer, history[-1][2], history[-1][3], at)

    add("create", filer, Status.DRAFT, "", fields["created_at"])
    if fate == Status.DRAFT:
        return plan
    add("submit", filer, Status.SUBMITTED, "", received - dt.timedelta(minutes=5))
    fields["submitted_at"] = received - dt.timedelta(minutes=5)
    if fate == Status.SUBMITTED:
        return plan
    if fate == Status.REFUSED:
        add("refuse", desk, Status.REFUSED, "", received, "Hồ sơ không đúng thẩm quyền giải quyết")
        fields["closed_at"] = received
        return _rated(rng, plan, received, now)

    due = calendar.add(received, limit)
    # Online papers are files by construction; paper dossiers are scanned more often at higher levels.
    scanned = rng.random() < SCANNED.get(levels.get(agency_id), 0.4)
    fields.update(received_at=received, due_at=due, papers_digitised=channel == Channel.ONLINE or scanned)
    add("receive", desk, Status.RECEIVED, route.flow.start, received)
    if fee and rng.random() < 0.9:
        pay(received + dt.timedelta(minutes=rng.uniform(5, 600)))
    # How long this dossier takes: most on time, some late.
    share = Decimal(str(round(rng.uniform(0.3, 1.0) if rng.random() < 0.88 else rng.uniform(1.05, 1.6), 1)))
    end = calendar.add(received, max(Decimal("0.5"), (limit * share * 2).to_integral_value() / 2))
    end = min(end, now - dt.timedelta(minutes=30)) if fate in FINISHED_STATES else min(end, now)
    if history[-1][4] > end:  # paid after the decision would be: pay at receipt
        history.pop()
        fields.update(paid_at=received)
        plan.payment = (*plan.payment[:2], received)
        add("pay", plan.payment[1], Status.RECEIVED, route.flow.start, received)
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
    start = history[-1][4]
    span = max((end - start).total_seconds(), 60.0)
    moments = sorted(start + dt.timedelta(seconds=span * rng.uniform(0.05, 0.9)) for _ in steps)
    status = Status.RECEIVED
    for (step, action, target), at in zip(steps, moments, strict=True):
        status = Status.PROCESSING
        add(action, people.officer(agency_id, route.flow.step(step).role) or desk, status, target, at)
    current = steps[-1][2] if steps else route.flow.start
    plan.fate = fate
    if fate == Status.AWAITING_SUPPLEMENT:
        step, action = route.supplement
        add(action, people.officer(agency_id, route.flow.step(step).role) or desk, fate, current, end)
        fields.update(paused_at=end, remaining_days=calendar.remaining(end, due), step_remaining_days=Decimal(0))
        return plan
    if fate in (Status.WITHDRAWN, Status.CANCELLED):
        actor = (citizen or desk) if fate == Status.WITHDRAWN else people.officer(agency_id, Role.HEAD) or desk
        action = "withdraw" if fate == Status.WITHDRAWN else "cancel"
        add(action, actor, fate, "", end, "" if fate == Status.WITHDRAWN else "Dừng xử lý theo đề nghị")
        fields["closed_at"] = end
        return _rated(rng, plan, end, now) if fate == Status.CANCELLED else plan
    if fate in (Status.RECEIVED, Status.PROCESSING):
        plan.fate = status
        return plan

    head = people.officer(agency_id, route.flow.step(current).role) or desk
    approved = fate != Status.REJECTED or route.reject is None
    add(route.approve if approved else route.reject, head, Status.APPROVED if approved else Status.REJECTED, "", end)
    fields.update(finished_at=end, finished_late=end > due)
    if not approved:
        fields["closed_at"] = end
        plan.fate = Status.REJECTED
        return _rated(rng, plan, end, now)
    if fate in (Status.SIGNED, Status.RETURNED):
        signed = end + dt.timedelta(hours=rng.uniform(0.5, 4))
        add("sign", people.officer(agency_id, Role.SIGNER) or desk, Status.SIGNED, "", signed)
        fields["result_digitised"] = True  # the engine signs every result electronically
    if fate == Status.RETURNED:
        returned = min(end + dt.timedelta(hours=rng.uniform(4, 30)), now)
        add("return", desk, Status.RETURNED, "", returned)
        fields["returned_at"] = history[-1][4]
        return _rated(rng, plan, returned, now)
    return plan


def _rated(rng: random.Random, plan: _Plan, closed: dt.datetime, now: dt.datetime) -> _Plan:
    """About a third of applicants with an account rate the service once it is closed."""
    if plan.applicant is None or rng.random() > 0.35:
        return plan
    at = min(closed + dt.timedelta(hours=rng.uniform(1, 72)), now)
    score = _pick(rng, RATINGS)
    plan.fields.update(rating=score, rated_at=at)
    _action, _actor, status, step, _at, _comment = plan.history[-1]
    plan.history.append(("rate", plan.applicant, status, step, at, ""))
    return plan


def _pending_role(plan: _Plan, status: str, step: str) -> str:
    if status == Status.SUBMITTED:
        return Role.DESK
    if status in (Status.RECEIVED, Status.PROCESSING):
        return plan.route.flow.step(step).role
    return {Status.APPROVED: Role.SIGNER, Status.SIGNED: Role.DESK}.get(status, "")


def _dossier_row(pk: int, plan: _Plan, code: str) -> dict:
    procedure = plan.route.procedure
    _action, _actor, status, step, _at, _comment = plan.history[-1]
    step = step if status in (Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT) else ""
    # Seeding writes the state directly, as a migration would.
    return {
        "id": pk,
        "code": code,
        "procedure_id": procedure.pk,
        "flow_version_id": plan.route.version_id,
        "agency_id": procedure.agency_id,
        "channel": plan.channel,
        "applicant_id": getattr(plan.applicant, "pk", None),
        "applicant_name": plan.applicant_name,
        "applicant_email": getattr(plan.applicant, "email", "") or "",
        "created_by_id": plan.history[0][1].pk,
        "status": status,
        "step": step,
        "pending_role": _pending_role(plan, status, step),
        "version": len(plan.history),
        **plan.fields,
    }


def _event_rows(dossier_id: int, plan: _Plan, out: list[dict]) -> str:
    """Append the dossier's audit events to ``out`` as rows; return the chain's head."""
    prev_hash, prev_status, prev_step = GENESIS, "", ""
    for seq, (action, actor, status, step, at, comment) in enumerate(plan.history, start=1):
        changes = {"status": [prev_status or None, status]} if status != prev_status else {}
        if action == "pay":
            changes = {"payment": {"amount_vnd": plan.fields["fee_vnd"], "method": plan.payment[0]}}
        event = SimpleNamespace(
            dossier_id=dossier_id,
            seq=seq,
            action=action,
            actor_id=actor.pk,
            actor_name=str(actor),
            from_status=prev_status,
            to_status=status,
            from_step=prev_step,
            to_step=step,
            comment=comment,
            changes=changes,
            client_ip=None,
            created_at=at,
            prev_hash=prev_hash,
        )
        event.hash = AuditEvent.compute_hash(event)  # the model's one definition of the hash
        out.append({**vars(event), "changes": _json_text(changes)})
        prev_hash, prev_status, prev_step = event.hash, status, step
    return prev_hash


_json_texts: dict[str, str] = {}


def _json_text(value) -> str:
    """The JSON text of a small, often repeated value (an event's changes), dumped once."""
    key = repr(value)
    text = _json_texts.get(key)
    if text is None:
        text = _json_texts[key] = json.dumps(value)
    return text


def _payment_rows(dossier_id: int, plan: _Plan) -> list[dict]:
    if plan.payment is None:
        return []
    method, payer, at = plan.payment
    return [
        {
            "dossier_id": dossier_id,
            "amount_vnd": plan.fields["fee_vnd"],
            "method": method,
            "provider": "demo",
            "reference": f"DEMO-{dossier_id}",
            "paid_by_id": payer.pk,
            "paid_at": at,
        }
    ]


def _documents_for(dossier_id: int) -> int:
    """Issue the receipt and, once signed, the result of a seeded dossier, as the engine would
    have; then it owes none. Each document is issued once, however often this runs."""
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
    DemoDocumentsOwed.objects.filter(dossier_id=dossier_id).delete()
    return made


def dossiers_lacking_documents() -> list[int]:
    """Seeded dossiers still owed their receipt or result, in id order: those just made,
    and those a stopped run left."""
    return list(DemoDocumentsOwed.objects.order_by("pk").values_list("dossier_id", flat=True))


def issue_documents(dossier_ids: list[int], *, progress: Callable[[int], None] | None = None) -> int:
    """Give seeded dossiers their signed receipts and results, on all cores."""
    init_pki()
    made = 0
    for count in parallel_map(_documents_for, [(pk,) for pk in dossier_ids]):
        made += count
        if progress:
            progress(1)
    return made
