"""Flow validation: the base flow passes, and each rule is broken once by a
flow that breaks only it; the error names the place and the reason."""

from decimal import Decimal

import pytest

from procedures.flows import Flow, canonical_flow, validate_flow
from tests.factories import flow_definition


def messages(definition, limit=15):
    return [str(issue) for issue in validate_flow(definition, time_limit_days=limit)]


def test_the_documented_flow_is_valid():
    assert messages(flow_definition()) == []


def test_start_step_must_exist():
    flow = flow_definition()
    flow["start"] = "welcome"
    assert messages(flow) == ["start: the start step 'welcome' does not exist"]


def test_step_ids_must_be_unique():
    flow = flow_definition()
    flow["steps"][2]["id"] = "review"
    assert "steps[2].id: step id 'review' is used twice (also steps[1])" in messages(flow)


def test_action_ids_must_be_unique_within_a_step():
    flow = flow_definition()
    flow["steps"][2]["actions"][1]["id"] = "approve"
    assert messages(flow) == ["steps[2].actions[1].id: step 'decide': action id 'approve' is used twice"]


def test_action_target_must_exist():
    flow = flow_definition()
    flow["steps"][1]["actions"][0]["to"] = "decid"
    assert messages(flow) == [
        "steps[1].actions[0].to: step 'review', action 'propose': target step 'decid' does not exist"
    ]


def test_role_must_exist():
    flow = flow_definition()
    flow["steps"][2]["role"] = "boss"
    assert messages(flow) == [
        "steps[2].role: step 'decide': role 'boss' does not exist (known roles: desk, specialist, head, signer, clerk)"
    ]


@pytest.mark.parametrize("keys", [{}, {"to": "decide", "outcome": "approve"}])
def test_action_needs_exactly_one_of_target_and_outcome(keys):
    flow = flow_definition()
    flow["steps"][1]["actions"][0] = {"id": "propose", "label": "Trình", **keys}
    assert any(
        m.startswith("steps[1].actions[0]: step 'review', action 'propose': give either 'to'") for m in messages(flow)
    )


def test_every_step_must_be_reachable():
    flow = flow_definition()
    flow["steps"].append(
        {
            "id": "archive",
            "name": "Lưu",
            "role": "clerk",
            "days": 0,
            "actions": [{"id": "done", "label": "Xong", "outcome": "approve"}],
        }
    )
    assert messages(flow) == ["steps[3]: step 'archive' cannot be reached from the start step 'intake'"]


def test_every_step_must_be_able_to_finish():
    flow = flow_definition()
    # review can now only loop to itself or ask for papers: it never reaches approve/reject.
    flow["steps"][1]["actions"] = [
        {"id": "again", "label": "Làm lại", "to": "review"},
        {"id": "ask_more", "label": "Yêu cầu bổ sung", "outcome": "supplement"},
    ]
    assert "steps[1]: step 'review' can never reach an 'approve' or 'reject' outcome" in messages(flow)
    assert "steps[0]: step 'intake' can never reach an 'approve' or 'reject' outcome" in messages(flow)


def test_some_action_must_approve():
    flow = flow_definition()
    flow["steps"][2]["actions"] = [{"id": "reject", "label": "Từ chối", "outcome": "reject"}]
    assert messages(flow) == ["steps: no action has the outcome 'approve', so no dossier could be approved"]


def test_step_days_must_fit_the_legal_time_limit():
    flow = flow_definition()
    flow["steps"][1]["days"] = 11
    assert messages(flow, limit=15) == [
        "steps: the steps take 16 working days in all, more than the legal time limit of 15"
    ]
    assert messages(flow, limit=Decimal("16")) == []


def test_days_are_counted_in_half_days():
    flow = flow_definition()
    flow["steps"][0]["days"] = 0.3
    assert messages(flow) == ["steps[0].days: must be a multiple of 0.5"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: f["steps"][0].update(colour="red"), "steps[0].colour: unknown key 'colour'"),
        (lambda f: f["steps"][0].pop("role"), "steps[0].role: required key is missing"),
        (lambda f: f["steps"][0].update(days="ten"), "steps[0].days: must be a number, not 'ten'"),
        (lambda f: f["steps"][0].update(id="Intake Step"), "steps[0].id: 'Intake Step' has the wrong form"),
        (
            lambda f: f["steps"][2]["actions"][0].update(outcome="maybe"),
            "steps[2].actions[0].outcome: 'maybe' is not one of",
        ),
        (lambda f: f["steps"][0].update(actions=[]), "steps[0].actions: needs at least 1 item(s)"),
    ],
)
def test_shape_errors_name_the_place(change, expected):
    flow = flow_definition()
    change(flow)
    assert any(m.startswith(expected) for m in messages(flow)), messages(flow)


def test_canonical_form_orders_keys_and_normalises_days():
    flow = flow_definition()
    flow["steps"][1]["days"] = 10.0
    flow["steps"][0] = dict(reversed(list(flow["steps"][0].items())))
    canonical = canonical_flow(flow)
    assert canonical == canonical_flow(flow_definition())
    assert list(canonical["steps"][0]) == ["id", "name", "role", "days", "actions"]
    assert canonical["steps"][1]["days"] == 10 and isinstance(canonical["steps"][1]["days"], int)


def test_typed_flow_reads_steps_and_actions():
    flow = Flow.from_definition(flow_definition())
    assert flow.start == "intake"
    assert flow.total_days == Decimal("15")
    assert flow.step("decide").action("send_back").to == "review"
    assert flow.step("review").action("ask_more").outcome == "supplement"
    assert flow.step("nowhere") is None


def test_action_ids_of_the_lifecycle_are_reserved():
    flow = flow_definition()
    flow["steps"][2]["actions"][0]["id"] = "sign"
    assert messages(flow) == [
        "steps[2].actions[0].id: step 'decide': the action id 'sign' is reserved for the dossier lifecycle"
    ]
