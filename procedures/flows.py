"""Processing flows as data: the typed form the engine reads, the canonical
form that is stored and compared, and the validation that guards publishing.

A flow is a graph of steps. Each step is done by one role and takes a share of
the procedure's legal time limit, in working days (halves allowed). Each
action of a step either moves the dossier to another step (``to``) or ends
the flow with a lifecycle outcome (``outcome``): ``approve`` and ``reject``
finish the dossier; ``supplement`` asks the applicant for more papers and
brings the dossier back to the same step when they arrive.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from procedures.issues import Issue
from procedures.roles import Role
from procedures.schemas import schema_issues

OUTCOMES = ("approve", "reject", "supplement")
# Names the dossier's audit trail already uses (workflow.engine's lifecycle actions and
# the services' create/update/attach); a flow action may not take one.
LIFECYCLE_ACTION_IDS = frozenset(
    {"submit", "receive", "refuse", "withdraw", "supplement_submitted", "sign", "return", "cancel", "claim", "assign"}
    | {"apologize"}
)
RESERVED_ACTION_IDS = LIFECYCLE_ACTION_IDS | {"create", "update", "attach", "pay", "rate"}
FINAL_OUTCOMES = frozenset({"approve", "reject"})


@dataclass(frozen=True)
class Action:
    id: str
    label: str
    to: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class Step:
    id: str
    name: str
    role: str
    days: Decimal
    actions: tuple[Action, ...]

    def action(self, action_id: str) -> Action | None:
        return next((a for a in self.actions if a.id == action_id), None)


@dataclass(frozen=True)
class Flow:
    start: str
    steps: tuple[Step, ...]

    @classmethod
    def from_definition(cls, definition: Mapping[str, Any]) -> Flow:
        return cls(
            start=definition["start"],
            steps=tuple(
                Step(
                    id=s["id"],
                    name=s["name"],
                    role=s["role"],
                    days=Decimal(str(s["days"])),
                    actions=tuple(
                        Action(id=a["id"], label=a["label"], to=a.get("to"), outcome=a.get("outcome"))
                        for a in s["actions"]
                    ),
                )
                for s in definition["steps"]
            ),
        )

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    @property
    def total_days(self) -> Decimal:
        return sum((s.days for s in self.steps), Decimal(0))


def number(value: Decimal | float | int) -> int | float:
    """A day count as it is written in YAML and JSON: ``10`` rather than ``10.0``."""
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


def canonical_flow(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The flow with keys in a fixed order and day counts normalised.

    Stored definitions are canonical, so two flows are the same flow exactly
    when their canonical forms are equal.
    """
    steps = []
    for step in definition["steps"]:
        actions = []
        for action in step["actions"]:
            item = {"id": action["id"], "label": action["label"]}
            for key in ("to", "outcome"):
                if action.get(key) is not None:
                    item[key] = action[key]
            actions.append(item)
        steps.append(
            {
                "id": step["id"],
                "name": step["name"],
                "role": step["role"],
                "days": number(step["days"]),
                "actions": actions,
            }
        )
    return {"start": definition["start"], "steps": steps}


def validate_flow(definition: Any, *, time_limit_days: Decimal | float | int | None) -> list[Issue]:
    """Every reason ``definition`` cannot be published, each naming its place.

    Checks, in order: the shape (keys, types, identifiers), unique ids, the
    start step, roles, action targets, that every step is reachable from the
    start, that every step can reach a final outcome, that some path approves,
    and that the steps' days fit in the legal time limit.
    """
    issues = schema_issues(definition, definition="flow")
    if issues:
        return issues

    steps = definition["steps"]
    ids = [s["id"] for s in steps]
    known = set(ids)

    seen: dict[str, int] = {}
    for i, step in enumerate(steps):
        if step["id"] in seen:
            issues.append(
                Issue(
                    ("steps", i, "id"),
                    _("step id '%(id)s' is used twice (also steps[%(other)s])")
                    % {"id": step["id"], "other": seen[step["id"]]},
                )
            )
        seen.setdefault(step["id"], i)

    if definition["start"] not in known:
        issues.append(Issue(("start",), _("the start step '%(id)s' does not exist") % {"id": definition["start"]}))

    roles = set(Role.values)
    for i, step in enumerate(steps):
        sid = step["id"]
        if step["role"] not in roles:
            issues.append(
                Issue(
                    ("steps", i, "role"),
                    _("step '%(step)s': role '%(role)s' does not exist (known roles: %(roles)s)")
                    % {"step": sid, "role": step["role"], "roles": ", ".join(Role.values)},
                )
            )
        action_ids: set[str] = set()
        for j, action in enumerate(step["actions"]):
            where = ("steps", i, "actions", j)
            names = {"step": sid, "action": action["id"]}
            if action["id"] in action_ids:
                issues.append(Issue((*where, "id"), _("step '%(step)s': action id '%(action)s' is used twice") % names))
            action_ids.add(action["id"])
            if action["id"] in RESERVED_ACTION_IDS:
                issues.append(
                    Issue(
                        (*where, "id"),
                        _("step '%(step)s': the action id '%(action)s' is reserved for the dossier lifecycle") % names,
                    )
                )
            has_to, has_outcome = "to" in action, "outcome" in action
            if has_to == has_outcome:
                issues.append(
                    Issue(
                        where,
                        _(
                            "step '%(step)s', action '%(action)s': "
                            "give either 'to' (a step) or 'outcome', not both or neither"
                        )
                        % names,
                    )
                )
            elif has_to and action["to"] not in known:
                issues.append(
                    Issue(
                        (*where, "to"),
                        _("step '%(step)s', action '%(action)s': target step '%(target)s' does not exist")
                        % {**names, "target": action["to"]},
                    )
                )

    if issues:
        return issues

    issues.extend(_graph_issues(definition))

    if time_limit_days is not None:
        total = sum(Decimal(str(s["days"])) for s in steps)
        limit = Decimal(str(time_limit_days))
        if total > limit:
            issues.append(
                Issue(
                    ("steps",),
                    _("the steps take %(total)s working days in all, more than the legal time limit of %(limit)s")
                    % {"total": number(total), "limit": number(limit)},
                )
            )
    return issues


def _graph_issues(definition: Mapping[str, Any]) -> list[Issue]:
    steps = definition["steps"]
    index = {s["id"]: i for i, s in enumerate(steps)}
    edges = {s["id"]: [a["to"] for a in s["actions"] if "to" in a] for s in steps}
    issues: list[Issue] = []

    reachable = _closure([definition["start"]], edges)
    for step in steps:
        if step["id"] not in reachable:
            issues.append(
                Issue(
                    ("steps", index[step["id"]]),
                    _("step '%(step)s' cannot be reached from the start step '%(start)s'")
                    % {"step": step["id"], "start": definition["start"]},
                )
            )

    reverse: dict[str, list[str]] = {sid: [] for sid in edges}
    for source, targets in edges.items():
        for target in targets:
            reverse[target].append(source)
    finishing = [s["id"] for s in steps if any(a.get("outcome") in FINAL_OUTCOMES for a in s["actions"])]
    can_finish = _closure(finishing, reverse)
    for step in steps:
        if step["id"] not in can_finish:
            issues.append(
                Issue(
                    ("steps", index[step["id"]]),
                    _("step '%(step)s' can never reach an 'approve' or 'reject' outcome") % {"step": step["id"]},
                )
            )

    approving = [s["id"] for s in steps if any(a.get("outcome") == "approve" for a in s["actions"])]
    if not approving:
        issues.append(Issue(("steps",), _("no action has the outcome 'approve', so no dossier could be approved")))
    return issues


def _closure(roots: list[str], edges: Mapping[str, list[str]]) -> set[str]:
    seen = set(roots)
    queue = deque(roots)
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
