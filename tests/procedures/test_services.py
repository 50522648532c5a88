"""Flow versions through the catalog services: one draft per procedure, made
from the published version; publishing validates and freezes; numbers grow."""

import pytest

from procedures.errors import FlowValidationError, FlowVersionFrozen
from procedures.models import FlowVersion, Procedure
from procedures.selectors import draft_version, latest_published_version
from procedures.services import create_flow_draft, publish_flow_version, update_flow_draft
from tests.factories import ProcedureFactory, UserFactory, flow_definition

pytestmark = pytest.mark.django_db


def numbers(procedure):
    return list(procedure.flow_versions.order_by("number").values_list("number", "status"))


def test_a_draft_copies_the_current_published_version():
    procedure = ProcedureFactory()
    v1 = latest_published_version(procedure)

    draft = create_flow_draft(procedure=procedure)

    assert draft.number == 2
    assert draft.status == FlowVersion.Status.DRAFT
    assert draft.definition == v1.definition


def test_a_draft_records_who_created_it():
    procedure = ProcedureFactory()
    user = UserFactory()

    draft = create_flow_draft(procedure=procedure, user=user)

    assert draft.created_by == user


def test_a_procedure_has_one_draft_at_a_time():
    procedure = ProcedureFactory()

    first = create_flow_draft(procedure=procedure)
    second = create_flow_draft(procedure=procedure)

    assert second.pk == first.pk
    assert numbers(procedure) == [(1, "published"), (2, "draft")]


def test_an_open_draft_is_returned_as_it_is_even_with_a_definition():
    procedure = ProcedureFactory()
    draft = create_flow_draft(procedure=procedure)
    update_flow_draft(version=draft, definition={"start": "half-written"})

    again = create_flow_draft(procedure=procedure, definition=flow_definition())

    assert again.pk == draft.pk
    assert again.definition == {"start": "half-written"}


def test_the_first_draft_of_a_procedure_without_a_flow_is_empty():
    procedure = ProcedureFactory(flow=False)

    draft = create_flow_draft(procedure=procedure)

    assert draft.number == 1
    assert draft.definition == {"start": "", "steps": []}


def test_update_replaces_the_draft_definition_in_canonical_form():
    procedure = ProcedureFactory()
    draft = create_flow_draft(procedure=procedure)
    flow = flow_definition()
    flow["steps"][1]["days"] = 9.0
    flow["steps"][0]["actions"][0]["outcome"] = None

    update_flow_draft(version=draft, definition=flow)

    draft.refresh_from_db()
    days = draft.definition["steps"][1]["days"]
    assert days == 9 and isinstance(days, int)
    assert draft.definition["steps"][0]["actions"][0] == {"id": "accept", "label": "Chuyển thụ lý", "to": "review"}


def test_update_keeps_an_ill_formed_draft_as_typed():
    draft = create_flow_draft(procedure=ProcedureFactory())
    broken = {"start": "intake", "steps": [{"id": "intake", "days": "ten"}]}

    update_flow_draft(version=draft, definition=broken)

    draft.refresh_from_db()
    assert draft.definition == broken
    assert draft.status == FlowVersion.Status.DRAFT


def test_update_refuses_a_published_version():
    procedure = ProcedureFactory()
    v1 = latest_published_version(procedure)

    with pytest.raises(FlowVersionFrozen, match="A published flow version cannot be changed"):
        update_flow_draft(version=v1, definition={"start": "x", "steps": []})

    v1.refresh_from_db()
    assert v1.definition == flow_definition()


def test_publish_freezes_the_draft_and_records_who_and_when():
    procedure = ProcedureFactory()
    user = UserFactory()
    draft = create_flow_draft(procedure=procedure)

    published = publish_flow_version(version=draft, user=user)

    draft.refresh_from_db()
    assert draft.status == FlowVersion.Status.PUBLISHED
    assert draft.published_by == user
    assert draft.published_at is not None
    assert published.pk == draft.pk


def test_publish_refuses_an_invalid_draft_and_lists_every_issue():
    procedure = ProcedureFactory()
    draft = create_flow_draft(procedure=procedure)
    flow = flow_definition()
    flow["start"] = "welcome"
    flow["steps"][2]["role"] = "boss"
    update_flow_draft(version=draft, definition=flow)

    with pytest.raises(FlowValidationError) as exc_info:
        publish_flow_version(version=draft)

    assert [str(issue) for issue in exc_info.value.issues] == [
        "start: the start step 'welcome' does not exist",
        "steps[2].role: step 'decide': role 'boss' does not exist (known roles: desk, specialist, head, signer, clerk)",
    ]
    draft.refresh_from_db()
    assert draft.status == FlowVersion.Status.DRAFT
    assert draft.published_at is None
    assert latest_published_version(procedure).number == 1


def test_publish_checks_the_flow_against_the_procedure_time_limit():
    procedure = ProcedureFactory()
    draft = create_flow_draft(procedure=procedure)
    Procedure.objects.filter(pk=procedure.pk).update(time_limit_days=12)

    with pytest.raises(FlowValidationError, match="more than the legal time limit of 12"):
        publish_flow_version(version=draft)


def test_publish_refuses_a_published_version():
    v1 = latest_published_version(ProcedureFactory())

    with pytest.raises(FlowVersionFrozen):
        publish_flow_version(version=v1)


def test_version_numbers_increase_with_each_publication():
    procedure = ProcedureFactory()
    for days in (9, 8):
        draft = create_flow_draft(procedure=procedure)
        flow = flow_definition()
        flow["steps"][1]["days"] = days
        update_flow_draft(version=draft, definition=flow)
        publish_flow_version(version=draft)

    assert numbers(procedure) == [(1, "published"), (2, "published"), (3, "published")]
    assert draft_version(procedure) is None


def test_latest_published_version_is_the_newest_published_never_a_draft():
    procedure = ProcedureFactory()
    publish_flow_version(version=create_flow_draft(procedure=procedure))
    create_flow_draft(procedure=procedure)

    latest = latest_published_version(procedure)

    assert numbers(procedure) == [(1, "published"), (2, "published"), (3, "draft")]
    assert latest.number == 2
    assert latest.status == FlowVersion.Status.PUBLISHED


def test_latest_published_version_is_none_before_any_publication():
    procedure = ProcedureFactory(flow=False)
    create_flow_draft(procedure=procedure)

    assert latest_published_version(procedure) is None


def test_latest_published_version_belongs_to_the_procedure():
    procedure = ProcedureFactory()
    other = ProcedureFactory()
    publish_flow_version(version=create_flow_draft(procedure=other))

    assert latest_published_version(procedure).procedure == procedure
    assert latest_published_version(procedure).number == 1
