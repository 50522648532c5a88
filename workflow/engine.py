"""The step engine: what a user may do to a dossier now, and doing it.

Two kinds of action meet here. Lifecycle actions (submit, receive, refuse,
withdraw, supplement_submitted, sign, return, cancel) and queue actions
(claim, assign, apologize) are the same for every procedure. Flow actions are
the ids of the current step's actions in the dossier's pinned flow version;
their ``to`` or ``outcome`` drives the lifecycle.

``perform_action`` runs one action in one transaction: it locks the dossier
row, checks the caller's version, applies the action, bumps the version,
writes the audit event and queues side effects to run after commit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procedures.flows import LIFECYCLE_ACTION_IDS, Step
from procedures.form_spec import clean_application_data, is_blank
from procedures.models import FlowVersion, Role
from workflow import side_effects
from workflow.audit import new_event, snapshot
from workflow.calendar import WorkingCalendar, working_calendar
from workflow.compiled import CompiledQuery, insert_and_update
from workflow.documents import issue_result
from workflow.errors import ConflictError, InvalidInput, NotPermitted, StaleVersion, UnknownAction
from workflow.models import IN_FLOW_STATES, Apology, Attachment, Channel, Document, Dossier, Status
from workflow.roles import holds
from workflow.selectors import procedure_of


@dataclass(frozen=True)
class AvailableAction:
    """An action the user can take now; ``needs_comment`` when a reason is required."""

    name: str
    label: str
    kind: str
    needs_comment: bool = False


@dataclass
class Context:
    dossier: Dossier
    user: AbstractBaseUser
    now: dt.datetime
    comment: str
    data: dict[str, Any]
    calendar: WorkingCalendar
    extra: dict[str, Any] = field(default_factory=dict)
    # Undo steps for what the database cannot roll back (files written), run if the action fails.
    on_rollback: list[Callable[[], None]] = field(default_factory=list)


@dataclass(frozen=True)
class LifecycleAction:
    name: str
    label: Any
    may: Callable[[Dossier, AbstractBaseUser], bool]
    apply: Callable[[Context], None]
    possible: Callable[[Dossier], bool]
    needs_comment: bool = False
    # Reads the procedure (its form, papers or time limit): the lock reads it in the same query.
    reads_procedure: bool = False


# Who may act ----------------------------------------------------------------


def _is_applicant(dossier: Dossier, user: AbstractBaseUser) -> bool:
    return dossier.applicant_id is not None and dossier.applicant_id == user.pk


def _for_applicant(dossier: Dossier, user: AbstractBaseUser) -> bool:
    """The applicant, or for a walk-in or postal dossier the desk acting for them."""
    if dossier.channel == Channel.ONLINE:
        return _is_applicant(dossier, user)
    return _is_applicant(dossier, user) or holds(user, dossier.agency_id, Role.DESK)


def _officer(*roles: str) -> Callable[[Dossier, AbstractBaseUser], bool]:
    return lambda dossier, user: holds(user, dossier.agency_id, *roles)


def _current_step(dossier: Dossier) -> Step | None:
    return dossier.flow_version.flow.step(dossier.step) if dossier.step else None


def _may_work_step(dossier: Dossier, user: AbstractBaseUser) -> bool:
    step = _current_step(dossier)
    return step is not None and holds(user, dossier.agency_id, step.role) and dossier.assignee_id in (None, user.pk)


# What each lifecycle action does -----------------------------------------------


def _paper_names(d: Dossier) -> set[str]:
    """The names of the locked dossier's papers: read with the lock on PostgreSQL, here elsewhere."""
    names = getattr(d, "paper_names", None)
    return set(names) if names is not None else {paper.name for paper in PAPER_NAMES.all(d.pk)}


def _state_is(*states: str) -> Callable[[Dossier], bool]:
    return lambda dossier: dossier.status in states


def _submit(ctx: Context) -> None:
    d = ctx.dossier
    procedure = procedure_of(d)
    cleaned, errors = clean_application_data(procedure.form, d.data)
    incomplete = InvalidInput.in_form(_("The application is not complete."), errors)
    if d.channel == Channel.ONLINE:
        present = _paper_names(d)
        for spec in procedure.attachments:
            if spec.get("required") and spec["name"] not in present:
                incomplete.fields[f"attachments.{spec['name']}"] = [
                    _("The paper '%(label)s' is required.") % {"label": spec["label"]}
                ]
    if incomplete.fields:
        raise incomplete
    d.data = cleaned
    d.submit()
    d.submitted_at = ctx.now
    d.pending_role = Role.DESK


def _receive(ctx: Context) -> None:
    d = ctx.dossier
    d.receive()
    d.received_at = ctx.now
    present, procedure = _paper_names(d), procedure_of(d)
    d.papers_digitised = all(spec["name"] in present for spec in procedure.attachments if spec.get("required"))
    d.due_at = ctx.calendar.add(ctx.now, procedure.time_limit_days)
    _enter_step(ctx, d.flow_version.flow.start)


def _close(method: str) -> Callable[[Context], None]:
    def apply(ctx: Context) -> None:
        d = ctx.dossier
        getattr(d, method)()
        d.closed_at = ctx.now
        _leave_route(d)

    return apply


def _supplement_submitted(ctx: Context) -> None:
    d = ctx.dossier
    answers_changed = False
    if "data" in ctx.data:
        if not isinstance(ctx.data["data"], dict):
            raise InvalidInput(_("'data' must be an object."), fields={"data": [_("Must be an object.")]})
        cleaned, errors = clean_application_data(procedure_of(d).form, {**d.data, **ctx.data["data"]})
        if errors:
            raise InvalidInput.in_form(_("The application is not complete."), errors)
        answers_changed = _given(cleaned) != _given(d.data)
        d.data = cleaned
    # A supplement answers the request: a changed answer, a paper added since the
    # request, or at least a note (an original brought to the desk, say).
    if not (answers_changed or ctx.comment or _papers_added_since(d, d.paused_at)):
        raise InvalidInput(
            _("Nothing was added or changed: add the papers or answers asked for, or explain in a note."),
            fields={"comment": [_("Add a paper, change an answer, or write a note.")]},
        )
    d.supplement_submitted()
    # The clock resumes with the working days that were left when it paused.
    d.due_at = ctx.calendar.add(ctx.now, d.remaining_days or 0)
    d.step_due_at = ctx.calendar.add(ctx.now, d.step_remaining_days or 0)
    d.paused_at = d.remaining_days = d.step_remaining_days = None
    d.pending_role = _current_step(d).role


def _given(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers given: a blank, an empty list or an unticked box is no answer, stored or not."""
    return {name: value for name, value in answers.items() if not (value is False or is_blank(value))}


def _papers_added_since(d: Dossier, moment: dt.datetime | None) -> bool:
    papers = Attachment.objects.filter(dossier_id=d.pk)
    return (papers.filter(uploaded_at__gte=moment) if moment else papers).exists()


def _sign(ctx: Context) -> None:
    d = ctx.dossier
    d.sign()
    # The result is rendered and signed with the signer's own certificate as part of the action.
    issue_result(d, signer=ctx.user, event_seq=d.version + 1, on_rollback=ctx.on_rollback)
    d.result_digitised = True
    d.pending_role = Role.DESK


def _return(ctx: Context) -> None:
    if not ctx.dossier.result_issued:
        raise ConflictError(_("No result is returned unsigned: the dossier has no signed result."))
    ctx.dossier.return_result()
    ctx.dossier.returned_at = ctx.now
    ctx.dossier.pending_role = ""


def _claim(ctx: Context) -> None:
    ctx.dossier.assignee = ctx.user


def _assign(ctx: Context) -> None:
    d = ctx.dossier
    username = ctx.data.get("assignee")
    if not isinstance(username, str) or not username.strip():
        raise InvalidInput(
            _("Name the officer to assign by their username."),
            fields={"assignee": [_("Give the officer's username.")]},
        )
    step = _current_step(d)
    assignee = get_user_model().objects.filter(username=username).first()
    if assignee is None or not holds(assignee, d.agency_id, step.role):
        raise InvalidInput(
            _("Choose an officer of this agency with the role of the step."),
            fields={"assignee": [_("'%(user)s' cannot work on this step.") % {"user": username}]},
        )
    d.assignee = assignee


def _apologize(ctx: Context) -> None:
    d = ctx.dossier
    raw = ctx.data.get("new_due_date")
    new_date = parse_date(raw) if isinstance(raw, str) else None
    if new_date is None:
        raise InvalidInput(
            _("Give the new appointment date."), fields={"new_due_date": [_("Enter a date as YYYY-MM-DD.")]}
        )
    new_due = dt.datetime.combine(new_date, settings.WORKDAY_END, tzinfo=timezone.get_default_timezone())
    # A working day after today: the applicant is owed at least a day, not the rest of this one.
    if new_date <= timezone.localdate(ctx.now) or not ctx.calendar.is_working_day(new_date):
        raise InvalidInput(
            _("The new appointment must be a future working day."),
            fields={"new_due_date": [_("Choose a working day after today.")]},
        )
    Apology.objects.create(
        dossier=d, previous_due_at=d.due_at, new_due_at=new_due, reason=ctx.comment, created_by=ctx.user
    )
    d.due_at = new_due
    ctx.extra["apology"] = {"new_due_date": new_date.isoformat()}


def _is_overdue(dossier: Dossier) -> bool:
    return dossier.is_overdue


LIFECYCLE: dict[str, LifecycleAction] = {
    a.name: a
    for a in [
        LifecycleAction(
            "submit", gettext_lazy("Submit"), _for_applicant, _submit, _state_is(Status.DRAFT), reads_procedure=True
        ),
        LifecycleAction(
            "receive",
            gettext_lazy("Receive"),
            _officer(Role.DESK),
            _receive,
            _state_is(Status.SUBMITTED),
            reads_procedure=True,
        ),
        LifecycleAction(
            "refuse",
            gettext_lazy("Refuse to receive"),
            _officer(Role.DESK),
            _close("refuse"),
            _state_is(Status.SUBMITTED),
            needs_comment=True,
        ),
        LifecycleAction(
            "withdraw",
            gettext_lazy("Withdraw"),
            _for_applicant,
            _close("withdraw"),
            _state_is(Status.DRAFT, Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT),
        ),
        LifecycleAction(
            "supplement_submitted",
            gettext_lazy("Send the supplement"),
            _for_applicant,
            _supplement_submitted,
            _state_is(Status.AWAITING_SUPPLEMENT),
            reads_procedure=True,
        ),
        LifecycleAction(
            "sign",
            gettext_lazy("Sign the result"),
            _officer(Role.SIGNER),
            _sign,
            _state_is(Status.APPROVED),
            reads_procedure=True,
        ),
        LifecycleAction(
            "return",
            gettext_lazy("Return the result"),
            _officer(Role.DESK, Role.CLERK),
            _return,
            _state_is(Status.SIGNED),
        ),
        LifecycleAction(
            "cancel",
            gettext_lazy("Stop processing"),
            _officer(Role.HEAD),
            _close("cancel"),
            _state_is(Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT),
            needs_comment=True,
        ),
        LifecycleAction(
            "claim",
            gettext_lazy("Take this dossier"),
            lambda d, u: _may_work_step(d, u) and d.assignee_id != u.pk,
            _claim,
            _state_is(*IN_FLOW_STATES),
        ),
        LifecycleAction("assign", gettext_lazy("Assign"), _officer(Role.HEAD), _assign, _state_is(*IN_FLOW_STATES)),
        LifecycleAction(
            "apologize",
            gettext_lazy("Apologise and set a new date"),
            _officer(Role.HEAD, Role.DESK),
            _apologize,
            _is_overdue,
            needs_comment=True,
        ),
    ]
}
assert set(LIFECYCLE) == LIFECYCLE_ACTION_IDS, "procedures.flows.LIFECYCLE_ACTION_IDS must name the lifecycle actions"


# Flow actions -------------------------------------------------------------------


def _enter_step(ctx: Context, step_id: str) -> None:
    d = ctx.dossier
    step = d.flow_version.flow.step(step_id)
    d.step = step.id
    d.step_due_at = ctx.calendar.add(ctx.now, step.days)
    d.pending_role = step.role
    d.assignee = None


def _pause(ctx: Context) -> None:
    d = ctx.dossier
    d.request_supplement()
    d.paused_at = ctx.now
    d.remaining_days = ctx.calendar.remaining(ctx.now, d.due_at)
    d.step_remaining_days = ctx.calendar.remaining(ctx.now, d.step_due_at) if d.step_due_at else Decimal(0)
    d.pending_role = ""


def _leave_route(d: Dossier, *, waiting_for: str = "") -> None:
    """Past the flow's steps (decided or closed): at no step, in no one's hands, in the
    queue of ``waiting_for`` only. The trail keeps the step the dossier left."""
    d.step, d.step_due_at, d.assignee = "", None, None
    d.pending_role = waiting_for


def _finish(ctx: Context, *, approved: bool) -> None:
    d = ctx.dossier
    d.approve() if approved else d.reject()
    d.finished_at = ctx.now
    d.finished_late = ctx.now > d.due_at or d.apologized
    _leave_route(d, waiting_for=Role.SIGNER if approved else "")
    if not approved:
        d.closed_at = ctx.now


# Flow outcomes the citizen is told about in a signed notice or result: the officer must say why.
REASONED_OUTCOMES = frozenset({"supplement", "reject"})


def _apply_flow_action(ctx: Context, action_id: str) -> None:
    action = _current_step(ctx.dossier).action(action_id)
    if action.outcome in REASONED_OUTCOMES and not ctx.comment:
        raise InvalidInput(_("Give a reason."), fields={"comment": [_("A reason is required.")]})
    if action.to is not None:
        ctx.dossier.move()
        _enter_step(ctx, action.to)
    elif action.outcome == "supplement":
        _pause(ctx)
    else:
        _finish(ctx, approved=action.outcome == "approve")


# The public surface ---------------------------------------------------------------


def available_actions(dossier: Dossier, user: AbstractBaseUser) -> list[AvailableAction]:
    """What ``user`` can do to ``dossier`` now, lifecycle actions first."""
    found = [
        AvailableAction(a.name, str(a.label), "lifecycle", a.needs_comment)
        for a in LIFECYCLE.values()
        if a.possible(dossier) and a.may(dossier, user)
    ]
    if dossier.status in IN_FLOW_STATES and _may_work_step(dossier, user):
        step = _current_step(dossier)
        found += [AvailableAction(a.id, a.label, "flow", a.outcome in REASONED_OUTCOMES) for a in step.actions]
    return found


def perform_action(
    dossier: Dossier,
    action: str,
    user: AbstractBaseUser,
    *,
    expected_version: int,
    comment: str = "",
    data: dict[str, Any] | None = None,
    client_ip: str | None = None,
) -> Dossier:
    """Perform ``action`` on ``dossier`` as ``user`` and return the updated dossier.

    Raises ``StaleVersion`` if the dossier is no longer at ``expected_version``,
    ``UnknownAction``, ``ConflictError`` if the state does not allow it,
    ``NotPermitted`` if the user may not, ``InvalidInput`` for a missing
    reason or bad data. On any error nothing is written.
    """
    lifecycle = LIFECYCLE.get(action)
    return change(
        dossier,
        action=action,
        user=user,
        expected_version=expected_version,
        apply=lambda ctx: _run(ctx, action),
        comment=comment,
        data=data,
        client_ip=client_ip,
        with_procedure=lifecycle is not None and lifecycle.reads_procedure,
    )


def change(
    dossier: Dossier,
    *,
    action: str,
    user: AbstractBaseUser,
    expected_version: int | None,
    apply: Callable[[Context], None],
    comment: str = "",
    data: dict[str, Any] | None = None,
    client_ip: str | None = None,
    with_procedure: bool = False,
) -> Dossier:
    """The one way a dossier changes: lock the row, check the version (unless
    ``expected_version`` is None), ``apply``, bump the version, write the
    audit event and queue the side effects for after commit. ``with_procedure``
    when ``apply`` reads the procedure: the lock reads it in the same query."""
    comment = (comment or "").strip()
    undo: list[Callable[[], None]] = []
    try:
        return _change_locked(
            dossier, action, user, expected_version, apply, comment, data, client_ip, with_procedure, undo
        )
    except BaseException:
        for step in undo:
            with contextlib.suppress(Exception):
                step()
        raise


def _change_locked(
    dossier, action, user, expected_version, apply, comment, data, client_ip, with_procedure, undo
) -> Dossier:
    with transaction.atomic():
        locked = lock_dossier(dossier.pk, with_procedure=with_procedure)
        locked.flow_version = pinned_version(locked.flow_version_id)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion(
                _("The dossier has changed (version %(current)s, you had %(expected)s); reload it.")
                % {"current": locked.version, "expected": expected_version}
            )
        ctx = Context(locked, user, timezone.now(), comment, data or {}, working_calendar(), on_rollback=undo)
        before = snapshot(locked)
        stored = _column_values(locked)
        apply(ctx)
        locked.version += 1
        event = new_event(
            locked,
            action=action,
            actor=user,
            before=before,
            at=ctx.now,
            comment=comment,
            client_ip=client_ip,
            extra=ctx.extra,
        )
        insert_and_update(event, locked, _changed_columns(stored, locked))
        effects = {
            "action": action,
            "status": locked.status,
            "previous_status": before["status"],
            "seq": locked.version,
        }
        transaction.on_commit(lambda: side_effects.dossier_changed(locked.pk, **effects))
    return locked


# The dossier row, locked until the transaction ends (call inside ``transaction.atomic()``),
# read with what actions check beside it, so that most actions read once: whether it
# was ever given a new date with an apology, whether its signed result was issued, and
# on PostgreSQL the names of its papers. Every writer of those rows locks the dossier
# first, so they cannot change before the action ends. ``with_procedure`` adds the
# procedure for the actions that read the form, papers or time limit.
def _for_update(*, with_procedure: bool, paper_names: bool) -> CompiledQuery[Dossier]:
    def build(pk: int) -> QuerySet[Dossier]:
        locked = Dossier.objects.select_for_update(of=("self",)).filter(pk=pk)
        locked = locked.annotate(
            apologized=Exists(Apology.objects.filter(dossier_id=OuterRef("pk"))),
            result_issued=Exists(Document.objects.filter(dossier_id=OuterRef("pk"), kind=Document.Kind.RESULT)),
        )
        if paper_names:
            papers = Attachment.objects.filter(dossier_id=OuterRef("pk")).order_by().values("name")
            locked = locked.annotate(paper_names=ArraySubquery(papers))
        return locked.select_related("procedure") if with_procedure else locked

    return CompiledQuery(build, -1)


FOR_UPDATE = {
    (with_procedure, on_postgresql): _for_update(with_procedure=with_procedure, paper_names=on_postgresql)
    for with_procedure in (False, True)
    for on_postgresql in (False, True)
}
PAPER_NAMES = CompiledQuery(lambda pk: Attachment.objects.filter(dossier_id=pk).only("name").order_by(), -1)


def lock_dossier(pk: int, *, with_procedure: bool = False) -> Dossier:
    """``Dossier.objects.select_for_update(of=("self",)).get(pk=pk)``, with the
    query compiled once per process (on every action, compiling it cost more
    than running it) and the annotations above. ``with_procedure`` reads the
    procedure in the same query (only the dossier row is locked)."""
    locked = FOR_UPDATE[with_procedure, connection.vendor == "postgresql"].first(pk)
    if locked is None:
        raise Dossier.DoesNotExist(f"No dossier with id {pk}.")
    return locked


@lru_cache(maxsize=4096)
def pinned_version(version_id: int) -> FlowVersion:
    """A flow version dossiers are pinned to, read once per process: published
    versions never change and cannot be deleted while a dossier uses them."""
    return FlowVersion.objects.get(pk=version_id)


# The dossier's columns, read all at once before and after an action to find what changed.
_COLUMNS = tuple(f for f in Dossier._meta.concrete_fields if not f.primary_key)
_column_values = operator.attrgetter(*(f.attname for f in _COLUMNS))


def _changed_columns(before: tuple[Any, ...], dossier: Dossier) -> list[str]:
    return [f.name for f, old, new in zip(_COLUMNS, before, _column_values(dossier), strict=True) if old != new]


def _run(ctx: Context, action: str) -> None:
    d, user = ctx.dossier, ctx.user
    lifecycle = LIFECYCLE.get(action)
    step = _current_step(d) if d.status in IN_FLOW_STATES else None
    if lifecycle is None and (step is None or step.action(action) is None):
        labels = {a.id: a.label for s in d.flow_version.flow.steps for a in s.actions}
        if action in labels:
            step = _current_step(d)
            raise ConflictError(
                _("“%(action)s” is not possible at this point of the dossier (%(status)s, step “%(step)s”).")
                % {"action": labels[action], "status": d.get_status_display(), "step": step.name if step else "—"}
            )
        raise UnknownAction(_("There is no action '%(action)s'.") % {"action": action})
    if lifecycle is not None:
        if not lifecycle.possible(d):
            raise ConflictError(
                _("“%(action)s” is not possible while the dossier is “%(status)s”.")
                % {"action": lifecycle.label, "status": d.get_status_display()}
            )
        if not lifecycle.may(d, user):
            raise NotPermitted(_("You may not do “%(action)s” on this dossier.") % {"action": lifecycle.label})
        if lifecycle.needs_comment and not ctx.comment:
            raise InvalidInput(_("Give a reason."), fields={"comment": [_("A reason is required.")]})
        lifecycle.apply(ctx)
        return
    if not _may_work_step(d, user):
        raise NotPermitted(
            _("Only an officer with the role '%(role)s' at %(agency)s (or the assignee) can act on this step.")
            % {"role": Role(step.role).label, "agency": d.agency.code}
        )
    _apply_flow_action(ctx, action)
