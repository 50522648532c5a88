"""The lifecycle and the step engine, through services and perform_action."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from procedures.services import create_flow_draft, publish_flow_version
from tests.factories import flow_definition
from tests.workflow.conftest import FORM_DATA
from workflow.engine import available_actions, perform_action
from workflow.errors import ConflictError, InvalidInput, KeyReused, NotPermitted, StaleVersion, UnknownAction
from workflow.models import AuditEvent, Dossier, Status
from workflow.services import create_dossier

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def names(dossier, user):
    return [a.name for a in available_actions(dossier, user)]


def test_full_route_with_send_back_and_supplement(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        d = cast.draft()
        assert (d.status, d.national_status_code) == (Status.DRAFT, None)
        d = cast.act(d, "submit", cast.citizen)
        assert (d.status, d.national_status_code, d.pending_role) == (Status.SUBMITTED, 1, "desk")
        assert names(d, cast.desk) == ["receive", "refuse"]
        d = cast.act(d, "receive", cast.desk)
        assert (d.status, d.national_status_code, d.step) == (Status.RECEIVED, 2, "intake")
        assert d.due_at is not None and d.step_due_at is not None
        d = cast.act(d, "accept", cast.desk)
        assert (d.status, d.national_status_code, d.step, d.pending_role) == (
            Status.PROCESSING,
            4,
            "review",
            "specialist",
        )
        d = cast.act(d, "propose", cast.specialist)
        d = cast.act(d, "send_back", cast.head, comment="Thiếu bản vẽ mặt cắt")
        assert d.step == "review"
        d = cast.act(d, "ask_more", cast.specialist, comment="Bổ sung bản vẽ")
        assert (d.status, d.national_status_code, d.pending_role) == (Status.AWAITING_SUPPLEMENT, 5, "")
        assert d.remaining_days is not None and d.paused_at is not None
        d = cast.act(d, "supplement_submitted", cast.citizen, data={"data": {"area_m2": 130}})
        assert (d.status, d.step, d.data["area_m2"]) == (Status.PROCESSING, "review", 130)
        assert d.paused_at is None and d.remaining_days is None
        d = cast.act(d, "propose", cast.specialist)
        d = cast.act(d, "approve", cast.head)
        assert (d.status, d.national_status_code, d.pending_role, d.step) == (Status.APPROVED, 9, "signer", "")
        assert d.finished_at is not None and d.finished_late is False
        d = cast.act(d, "sign", cast.signer)
        assert (d.status, d.national_status_code) == (Status.SIGNED, 9)
        d = cast.act(d, "return", cast.desk)
        assert (d.status, d.national_status_code) == (Status.RETURNED, 10)

    actions = list(d.events.values_list("action", flat=True))
    assert actions == [
        "create", "attach", "submit", "receive", "accept", "propose", "send_back", "ask_more",
        "supplement_submitted", "propose", "approve", "sign", "return",
    ]  # fmt: skip
    assert d.version == len(actions)
    send_back = d.events.get(action="send_back")
    assert (send_back.from_step, send_back.to_step, send_back.comment) == ("decide", "review", "Thiếu bản vẽ mặt cắt")
    assert send_back.actor == cast.head
    subjects = [m.body for m in mail.outbox]
    assert any("was received" in body for body in subjects)
    assert any("needs more papers" in body for body in subjects)
    assert all(m.to == ["an@example.vn"] for m in mail.outbox)


@pytest.mark.parametrize(
    ("stage", "action", "who"),
    [
        ("draft", "receive", "desk"),
        ("draft", "sign", "signer"),
        ("submitted", "submit", "citizen"),
        ("submitted", "cancel", "head"),
        ("received", "receive", "desk"),
        ("received", "supplement_submitted", "citizen"),
        ("in_review", "refuse", "desk"),
        ("in_review", "sign", "signer"),
        ("approved", "return", "desk"),  # no result is returned unsigned
        ("approved", "withdraw", "citizen"),
        ("approved", "cancel", "head"),
    ],
)
def test_transitions_refused_from_the_wrong_state(cast, stage, action, who):
    d = getattr(cast, stage)()
    version = d.version
    with pytest.raises(ConflictError):
        cast.act(d, action, getattr(cast, who), comment="lý do")
    d.refresh_from_db()
    assert d.version == version and d.events.count() == version


# Each lifecycle action and a flow action, with someone who could take it in an open dossier.
EVERY_ACTION = [
    ("submit", "citizen"), ("receive", "desk"), ("refuse", "desk"), ("withdraw", "citizen"),
    ("supplement_submitted", "citizen"), ("sign", "signer"), ("return", "desk"), ("cancel", "head"),
    ("claim", "specialist"), ("assign", "head"), ("apologize", "head"), ("propose", "specialist"),
]  # fmt: skip
CLOSED = {
    "refused": lambda cast: cast.act(cast.submitted(), "refuse", cast.desk, comment="Sai thẩm quyền"),
    "withdrawn": lambda cast: cast.act(cast.received(), "withdraw", cast.citizen),
    "cancelled": lambda cast: cast.act(cast.in_review(), "cancel", cast.head, comment="Dừng xử lý"),
    "rejected": lambda cast: cast.act(
        cast.act(cast.in_review(), "propose", cast.specialist), "reject", cast.head, comment="Không đủ ĐK"
    ),
    "signed": lambda cast: cast.act(cast.approved(), "sign", cast.signer),
    "returned": lambda cast: cast.act(cast.act(cast.approved(), "sign", cast.signer), "return", cast.desk),
}


@pytest.mark.parametrize("state", CLOSED)
def test_a_closed_or_signed_dossier_refuses_every_other_action(cast, state):
    d = CLOSED[state](cast)
    assert d.status == state
    for action, who in EVERY_ACTION:
        if (state, action) == ("signed", "return"):
            continue  # the one way on from signed
        with pytest.raises(ConflictError):
            cast.act(d, action, getattr(cast, who), comment="lý do", data={"assignee": cast.specialist.username})
    d.refresh_from_db()
    assert d.status == state and d.events.count() == d.version


@pytest.mark.parametrize(("stage", "action", "who"), [
    ("awaiting_supplement", "withdraw", "citizen"),
    ("awaiting_supplement", "cancel", "head"),
    ("received", "cancel", "head"),
])  # fmt: skip
def test_withdrawal_and_stopping_from_the_other_open_states(cast, stage, action, who):
    d = cast.received()
    if stage == "awaiting_supplement":
        d = cast.act(cast.act(d, "accept", cast.desk), "ask_more", cast.specialist, comment="Bổ sung bản vẽ")
    d = cast.act(d, action, getattr(cast, who), comment="Theo đề nghị")
    expected = (Status.WITHDRAWN, 7) if action == "withdraw" else (Status.CANCELLED, 8)
    assert (d.status, d.national_status_code, d.pending_role) == (*expected, "")
    assert d.closed_at is not None and d.events.order_by("-seq").first().action == action


def test_refuse_at_intake_needs_a_reason(cast):
    d = cast.submitted()
    with pytest.raises(InvalidInput) as err:
        cast.act(d, "refuse", cast.desk)
    assert "comment" in err.value.fields
    d = cast.act(d, "refuse", cast.desk, comment="Hồ sơ không thuộc thẩm quyền")
    assert (d.status, d.national_status_code, d.closed_at is not None) == (Status.REFUSED, 3, True)


@pytest.mark.parametrize("stage", ["draft", "submitted", "received", "in_review"])
def test_applicant_withdraws_an_open_dossier(cast, stage):
    d = cast.act(getattr(cast, stage)(), "withdraw", cast.citizen)
    assert (d.status, d.national_status_code, d.pending_role) == (Status.WITHDRAWN, 7, "")


def test_head_stops_processing_with_a_reason(cast):
    d = cast.in_review()
    with pytest.raises(NotPermitted):
        cast.act(d, "cancel", cast.specialist, comment="x")
    d = cast.act(d, "cancel", cast.head, comment="Người nộp đề nghị dừng")
    assert (d.status, d.national_status_code) == (Status.CANCELLED, 8)


def test_rejection_closes_the_dossier(cast):
    d = cast.act(cast.act(cast.in_review(), "propose", cast.specialist), "reject", cast.head, comment="Không đủ ĐK")
    assert (d.status, d.national_status_code, d.pending_role) == (Status.REJECTED, 9, "")
    assert names(d, cast.signer) == []


@pytest.mark.parametrize(
    "action, who, stage", [("ask_more", "specialist", "in_review"), ("reject", "head", "proposed")]
)
def test_a_supplement_request_or_a_rejection_needs_a_reason(cast, action, who, stage):
    """The citizen's signed notice or result says why: the engine refuses both without one, and says so ahead."""
    dossier = cast.in_review()
    if stage == "proposed":
        dossier = cast.act(dossier, "propose", cast.specialist)
    officer = getattr(cast, who)
    offered = {a.name: a for a in available_actions(dossier, officer)}
    assert offered[action].needs_comment
    for empty in ("", None):
        with pytest.raises(InvalidInput) as err:
            cast.act(dossier, action, officer, comment=empty)
        assert "comment" in err.value.fields
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version
    assert cast.act(dossier, action, officer, comment="Thiếu bản vẽ").status in ("awaiting_supplement", "rejected")
    propose = next(a for a in available_actions(cast.in_review(), cast.specialist) if a.name == "propose")
    assert not propose.needs_comment


def test_roles_and_agencies_decide_who_acts(cast):
    d = cast.submitted()
    with pytest.raises(NotPermitted):
        cast.act(d, "receive", cast.citizen)
    with pytest.raises(NotPermitted):
        cast.act(d, "withdraw", cast.other_citizen)
    d = cast.act(cast.act(d, "receive", cast.desk), "accept", cast.desk)
    assert names(d, cast.other_specialist) == []
    with pytest.raises(NotPermitted):
        cast.act(d, "propose", cast.other_specialist)
    with pytest.raises(NotPermitted):
        cast.act(d, "propose", cast.head)
    assert "propose" in names(d, cast.specialist)


def test_claim_and_assign(cast):
    d = cast.in_review()
    assert "claim" in names(d, cast.specialist)
    d = cast.act(d, "claim", cast.specialist)
    assert d.assignee == cast.specialist
    assert names(d, cast.second_specialist) == []
    with pytest.raises(NotPermitted):
        cast.act(d, "propose", cast.second_specialist)
    with pytest.raises(InvalidInput) as err:
        cast.act(d, "assign", cast.head, data={"assignee": cast.desk.username})
    assert "assignee" in err.value.fields
    d = cast.act(d, "assign", cast.head, data={"assignee": cast.second_specialist.username})
    assert d.assignee == cast.second_specialist
    d = cast.act(d, "propose", cast.second_specialist)
    assert (d.step, d.assignee) == ("decide", None)


def test_stale_version_writes_nothing(cast):
    d = cast.received()
    with pytest.raises(StaleVersion):
        perform_action(d, "accept", cast.desk, expected_version=d.version - 1)
    d.refresh_from_db()
    assert d.step == "intake" and d.events.count() == d.version


def test_unknown_and_out_of_place_actions(cast):
    d = cast.received()
    with pytest.raises(UnknownAction):
        cast.act(d, "teleport", cast.desk)
    with pytest.raises(ConflictError):  # a flow action of another step
        cast.act(d, "approve", cast.head)


def test_submit_checks_the_form_and_the_required_papers(cast):
    d = cast.draft(data={"area_m2": 5}, attach=False)
    with pytest.raises(InvalidInput) as err:
        cast.act(d, "submit", cast.citizen)
    assert set(err.value.fields) == {"data.owner_name", "attachments.land_title"}
    assert Dossier.objects.get(pk=d.pk).status == Status.DRAFT


def test_draft_data_is_checked_field_by_field(cast):
    with pytest.raises(InvalidInput) as err:
        create_dossier(procedure=cast.procedure, user=cast.citizen, data={"area_m2": "nhiều", "colour": "đỏ"})
    assert set(err.value.fields) == {"data.area_m2", "data.colour"}
    assert not Dossier.objects.exists()


def test_dossier_stays_on_the_flow_version_it_started_on(cast):
    old = cast.draft()
    flow = flow_definition()
    flow["steps"][0]["actions"][0]["to"] = "decide"  # v2 skips the review
    publish_flow_version(version=create_flow_draft(procedure=cast.procedure, definition=flow))
    new = cast.draft()
    assert (old.flow_version.number, new.flow_version.number) == (1, 2)
    old = cast.act(cast.act(cast.act(old, "submit", cast.citizen), "receive", cast.desk), "accept", cast.desk)
    assert old.step == "review"
    new = cast.act(cast.act(cast.act(new, "submit", cast.citizen), "receive", cast.desk), "accept", cast.desk)
    assert new.step == "decide"


def test_codes_are_per_agency_and_day(cast):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=HCM), tick=False):
        first, second = cast.draft(attach=False), cast.draft(attach=False)
    assert (first.code, second.code) == ("SXD-260302-0001", "SXD-260302-0002")


def test_a_retried_creation_returns_the_same_dossier(cast):
    first, created = create_dossier(procedure=cast.procedure, user=cast.citizen, client_key="k-1")
    again, created_again = create_dossier(procedure=cast.procedure, user=cast.citizen, client_key="k-1")
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Dossier.objects.count() == 1


def test_a_client_key_reused_for_other_content_is_refused(cast):
    first, _ = create_dossier(procedure=cast.procedure, user=cast.citizen, client_key="k-1", data={"owner_name": "An"})
    for changed in (
        {"data": {"owner_name": "Bình"}},
        {"data": {"owner_name": "An"}, "channel": "postal", "applicant": {"full_name": "An"}},
    ):
        with pytest.raises(KeyReused) as refused:
            create_dossier(procedure=cast.procedure, user=cast.citizen, client_key="k-1", **changed)
        assert first.code in refused.value.detail and "client_key" in refused.value.fields
    assert Dossier.objects.count() == 1
    # A dossier filed before request digests were kept takes any retry.
    Dossier.objects.filter(pk=first.pk).update(client_key_digest="")
    again, created = create_dossier(procedure=cast.procedure, user=cast.citizen, client_key="k-1", data={"x": 1})
    assert (again.pk, created) == (first.pk, False)


def test_a_retry_after_the_form_changed_still_gets_its_dossier(cast):
    """The answers are judged after the key: a field the agency has since removed does not
    turn an identical resend into an error."""
    first, _ = create_dossier(procedure=cast.procedure, user=cast.citizen, client_key="k-1", data=FORM_DATA)
    cast.procedure.form = [f for f in cast.procedure.form if f["name"] != "area_m2"]
    cast.procedure.save()
    again, created = create_dossier(procedure=cast.procedure, user=cast.citizen, client_key="k-1", data=FORM_DATA)
    assert (again.pk, created) == (first.pk, False)
    with pytest.raises(InvalidInput):  # without the key, the same answers no longer fit
        create_dossier(procedure=cast.procedure, user=cast.citizen, data=FORM_DATA)


def test_an_applicant_detail_left_out_or_sent_empty_is_the_same_retry(cast):
    applicant = {"full_name": "Lê Văn Cường", "id_number": "012345678901"}
    first, _ = create_dossier(
        procedure=cast.procedure, user=cast.desk, channel="counter", applicant=applicant, client_key="w-1"
    )
    again, created = create_dossier(
        procedure=cast.procedure, user=cast.desk, channel="counter", client_key="w-1",
        applicant={**applicant, "full_name": " Lê Văn Cường ", "phone": "", "email": ""},
    )  # fmt: skip
    assert (again.pk, created) == (first.pk, False)


def test_an_online_filing_takes_no_separate_applicant(cast):
    with pytest.raises(InvalidInput) as err:
        create_dossier(procedure=cast.procedure, user=cast.citizen, applicant={"full_name": "Người khác"})
    assert set(err.value.fields) == {"applicant"}
    assert not Dossier.objects.exists()


def test_desk_enters_a_walk_in_dossier(cast):
    applicant = {"full_name": "Lê Văn Cường", "id_number": "012345678901", "phone": "0905123456"}
    with pytest.raises(NotPermitted):
        create_dossier(procedure=cast.procedure, user=cast.citizen, channel="counter", applicant=applicant)
    with pytest.raises(InvalidInput) as err:
        create_dossier(
            procedure=cast.procedure, user=cast.desk, channel="counter", applicant={"id_number": "12", "phone": "0905"}
        )
    assert set(err.value.fields) == {"applicant.full_name", "applicant.id_number", "applicant.phone"}
    d, _ = create_dossier(
        procedure=cast.procedure, user=cast.desk, channel="counter", applicant=applicant, data={"owner_name": "Cường"}
    )
    d = cast.act(cast.act(d, "submit", cast.desk), "receive", cast.desk)  # papers handed in on paper
    assert (d.channel, d.applicant, d.applicant_name, d.status) == ("counter", None, "Lê Văn Cường", Status.RECEIVED)


def test_paused_clock_resumes_with_the_days_left(cast):
    # Received Mon 2 Mar 2026 09:00 with 15 working days: Mar 2–6, 9–13, 16–20 → due Fri 20 Mar 17:00.
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=HCM), tick=False):
        d = cast.in_review()
    assert d.due_at == dt.datetime(2026, 3, 20, 17, 0, tzinfo=HCM)
    # Paused Wed 4 Mar 09:00: left are Wed 4 (whole day, the clock counts the half it is in) … Fri 20 = 13 days.
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, 0, tzinfo=HCM), tick=False):
        d = cast.act(d, "ask_more", cast.specialist, comment="Bổ sung")
    assert d.remaining_days == 13
    # Resumed Wed 11 Mar 09:00, one working week later: 13 days are Mar 11–13, 16–20, 23–27 → Fri 27 Mar.
    with time_machine.travel(dt.datetime(2026, 3, 11, 9, 0, tzinfo=HCM), tick=False):
        d = cast.act(d, "supplement_submitted", cast.citizen, comment="Đã nộp bản chính tại bộ phận một cửa")
    assert d.due_at == dt.datetime(2026, 3, 27, 17, 0, tzinfo=HCM)
    # Decided Thu 26 Mar: late without the pause, on time with it.
    with time_machine.travel(dt.datetime(2026, 3, 26, 10, 0, tzinfo=HCM), tick=False):
        d = cast.act(cast.act(d, "propose", cast.specialist), "approve", cast.head)
    assert d.finished_late is False


def test_overdue_dossier_gets_a_new_date_only_with_an_apology(cast):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=HCM), tick=False):
        d = cast.in_review()
        assert "apologize" not in names(d, cast.head)
    # Mon 23 Mar 2026: past the due date of Fri 20 Mar.
    with time_machine.travel(dt.datetime(2026, 3, 23, 9, 0, tzinfo=HCM), tick=False):
        assert d.is_overdue
        assert "apologize" in names(d, cast.head)
        with pytest.raises(InvalidInput) as err:
            cast.act(d, "apologize", cast.head, data={"new_due_date": "2026-03-27"})
        assert "comment" in err.value.fields
        for refused in ("2026-03-28", "2026-03-23"):  # a Saturday; today, a working day
            with pytest.raises(InvalidInput) as err:
                cast.act(d, "apologize", cast.head, comment="Xin lỗi", data={"new_due_date": refused})
            assert "new_due_date" in err.value.fields
        d = cast.act(
            d, "apologize", cast.head, comment="Chờ ý kiến cơ quan phối hợp", data={"new_due_date": "2026-03-27"}
        )
        assert d.due_at == dt.datetime(2026, 3, 27, 17, 0, tzinfo=HCM)
        apology = d.apologies.get()
        assert apology.previous_due_at == dt.datetime(2026, 3, 20, 17, 0, tzinfo=HCM)
        assert not d.is_overdue
    with time_machine.travel(dt.datetime(2026, 3, 25, 9, 0, tzinfo=HCM), tick=False):
        d = cast.act(cast.act(d, "propose", cast.specialist), "approve", cast.head)
    assert d.finished_late is True  # an apology keeps it late


def test_audit_chain_verifies_and_detects_tampering(cast):
    d = cast.approved()
    other = cast.received()
    call_command("verify_audit")
    event = d.events.get(action="propose")
    AuditEvent.objects.filter(pk=event.pk).update(comment="sửa lén")
    with pytest.raises(CommandError, match=rf"{d.code} event #{event.seq} \(id {event.pk}\): was changed"):
        call_command("verify_audit")
    AuditEvent.objects.filter(pk=event.pk).update(comment=event.comment)
    call_command("verify_audit")
    other.events.order_by("-seq").first().delete()
    with pytest.raises(CommandError, match=rf"{other.code} .*missing"):
        call_command("verify_audit")


def test_event_records_who_what_and_the_change(cast):
    d = cast.received()
    d = cast.act(d, "accept", cast.desk, comment="Đủ hồ sơ", client_ip="10.0.0.7")
    event = d.events.order_by("-seq").first()
    assert (event.action, event.actor, event.from_status, event.to_status) == (
        "accept",
        cast.desk,
        "received",
        "processing",
    )
    assert (event.from_step, event.to_step, event.client_ip) == ("intake", "review", "10.0.0.7")
    assert event.changes["step"] == ["intake", "review"]
    assert event.changes["pending_role"] == ["desk", "specialist"]


def test_a_supplement_that_adds_nothing_is_refused_and_the_clock_stays_paused(cast):
    d = cast.act(cast.in_review(), "ask_more", cast.specialist, comment="Bổ sung bản vẽ")
    for nothing in ({}, {"data": {"data": {"area_m2": FORM_DATA["area_m2"]}}}):
        with pytest.raises(InvalidInput) as refused:
            cast.act(d, "supplement_submitted", cast.citizen, **nothing)
        assert "comment" in refused.value.fields
    d.refresh_from_db()
    assert d.status == Status.AWAITING_SUPPLEMENT and d.paused_at is not None
    assert d.events.count() == d.version
    # A paper added since the request is an answer.
    d = cast.act(cast.attach(d, cast.citizen, "ban-ve.pdf"), "supplement_submitted", cast.citizen)
    assert d.status == Status.PROCESSING


def test_blank_answers_sent_for_unanswered_questions_are_not_a_supplement(cast):
    """A page posts every field, blanks included; a stored answer left out is the same blank."""
    d = cast.act(cast.in_review(data={"owner_name": "Nguyễn Văn An"}), "ask_more", cast.specialist, comment="Bổ sung")
    assert "area_m2" not in d.data
    with pytest.raises(InvalidInput) as refused:
        cast.act(
            d, "supplement_submitted", cast.citizen, data={"data": {"owner_name": "Nguyễn Văn An", "area_m2": None}}
        )
    assert "comment" in refused.value.fields
    d = cast.act(d, "supplement_submitted", cast.citizen, data={"data": {"area_m2": 0.5 + 0.5}})
    assert (d.status, d.data["area_m2"]) == (Status.PROCESSING, 1)
