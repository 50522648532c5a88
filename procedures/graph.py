"""A picture of a flow: steps as boxes, actions as labelled arrows, outcomes
as coloured ends. Rendered to SVG by Graphviz on the server, so the admin
needs no internet access to show it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import graphviz
from django.utils.translation import gettext as _

from procedures.flows import Flow, number
from procedures.roles import Role
from procedures.schemas import schema_issues

logger = logging.getLogger(__name__)

_OUTCOME_STYLE = {
    "approve": {"color": "#1b7f3b", "fontcolor": "#1b7f3b"},
    "reject": {"color": "#b42318", "fontcolor": "#b42318"},
}


def flow_svg(definition: Mapping[str, Any]) -> str | None:
    """The flow as an SVG document, or ``None`` if the definition is not
    well-formed enough to draw or Graphviz is not installed."""
    if schema_issues(definition, definition="flow"):
        return None
    flow = Flow.from_definition(definition)
    graph = graphviz.Digraph(
        graph_attr={"rankdir": "LR", "fontname": "DejaVu Sans", "bgcolor": "transparent"},
        node_attr={"shape": "box", "style": "rounded,filled", "fillcolor": "#eef4fb", "fontname": "DejaVu Sans"},
        edge_attr={"fontname": "DejaVu Sans", "fontsize": "10"},
    )
    known = {step.id for step in flow.steps}
    graph.node("__start", label="", shape="circle", width="0.2", style="filled", fillcolor="#333333")
    if flow.start in known:
        graph.edge("__start", f"step_{flow.start}")
    roles = dict(Role.choices)
    outcome_labels = {"approve": _("Approved"), "reject": _("Rejected")}
    for step in flow.steps:
        days = _("%(days)s day(s)") % {"days": number(step.days)}
        graph.node(f"step_{step.id}", label=f"{step.name}\n{roles.get(step.role, step.role)} · {days}")
        for action in step.actions:
            if action.to is not None:
                target = f"step_{action.to}" if action.to in known else f"missing_{action.to}"
                if action.to not in known:
                    graph.node(target, label=f"? {action.to}", color="#b42318", style="dashed")
                graph.edge(f"step_{step.id}", target, label=action.label)
            elif action.outcome == "supplement":
                graph.edge(f"step_{step.id}", f"step_{step.id}", label=f"{action.label} ↺", style="dashed")
            elif action.outcome in _OUTCOME_STYLE:
                end = f"end_{action.outcome}"
                graph.node(
                    end,
                    label=outcome_labels[action.outcome],
                    shape="oval",
                    fillcolor="white",
                    **_OUTCOME_STYLE[action.outcome],
                )
                graph.edge(f"step_{step.id}", end, label=action.label, **_OUTCOME_STYLE[action.outcome])
    try:
        return graph.pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        logger.warning("Graphviz 'dot' is not installed; flow pictures are not shown.")
        return None
