"""Dossiers through the API: filing, idempotent retries, papers, the list
and its filters, the detail, actions with If-Match, payment and rating."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.api.serializers import DocumentSerializer, DossierDetailSerializer
from tests.api.conftest import FORM_DATA, api_for, error_of
from workflow.models import AuditEvent, Dossier, Payment

PDF = b"%PDF-1.4 scan"


def file_dossier(client, procedure, data=None, key=None, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    body = {"procedure": procedure.code, "data": data or FORM_DATA, **extra}
    return client.post("/api/v1/dossiers/", body, format="json", **headers)


def act(client, code, action, etag, **body):
    headers = {"HTTP_IF_MATCH": etag} if etag is not None else {}
    return client.post(f"/api/v1/dossiers/{code}/actions/{action}/", body, format="json", **headers)


def attach(client, code, name="land_title", content=PDF, filename="so-do.pdf"):
    upload = SimpleUploadedFile(filename, content, content_type="application/pdf")
    return client.post(f"/api/v1/dossiers/{code}/attachments/", {"name": name, "file": upload}, format="multipart")


def detail(client, code):
    response = client.get(f"/api/v1/dossiers/{code}/")
    assert response.status_code == 200, response.content
    return response


# Filing -----------------------------------------------------------------------------


def test_citizen_files_a_draft(cast):
    response = file_dossier(api_for(cast.citizen), cast.procedure)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft" and body["channel"] == "online" and body["status_code"] is None
    assert body["procedure"] == cast.procedure.code
    assert body["data"] == FORM_DATA
    assert [a["name"] for a in body["available_actions"]] == ["submit", "withdraw"]
    assert response["ETag"] == body["etag"] == Dossier.objects.get(code=body["code"]).etag
    assert [e["action"] for e in body["history"]] == ["create"]


@pytest.mark.parametrize("who", ["citizen", "desk"])
def test_the_answer_to_a_filing_is_the_dossiers_detail(cast, who):
    """Built from what the service wrote, without reading it back: the same as reading it."""
    client = api_for(getattr(cast, who))
    extra = {"channel": "counter", "applicant": {"full_name": "Lê Văn Cường"}} if who == "desk" else {}
    created = file_dossier(client, cast.procedure, data={**FORM_DATA, "area_m2": 120.5}, **extra)
    assert created.status_code == 201
    read = client.get(f"/api/v1/dossiers/{created.json()['code']}/")
    assert created.json() == read.json()
    assert created["ETag"] == read["ETag"]


def test_unknown_procedure_names_the_field(cast):
    response = api_for(cast.citizen).post("/api/v1/dossiers/", {"procedure": "0.000"}, format="json")
    assert response.status_code == 400 and "procedure" in error_of(response)["fields"]
    assert not Dossier.objects.exists()


def test_inactive_procedure_is_409(cast):
    cast.procedure.is_active = False
    cast.procedure.save()
    response = file_dossier(api_for(cast.citizen), cast.procedure)
    assert response.status_code == 409 and error_of(response)["error"] == "conflict"


def test_fifty_retries_with_one_idempotency_key_make_one_dossier(cast):
    client = api_for(cast.citizen)
    responses = [file_dossier(client, cast.procedure, key="k-1") for _ in range(50)]
    assert [r.status_code for r in responses] == [201] + [200] * 49
    assert all(r.json() == responses[0].json() for r in responses)
    assert Dossier.objects.count() == 1
    # The key is the caller's: another citizen with the same key gets their own dossier.
    other = file_dossier(api_for(cast.other_citizen), cast.procedure, key="k-1")
    assert other.status_code == 201 and other.json()["code"] != responses[0].json()["code"]


def test_an_idempotency_key_reused_for_other_content_is_422_and_nothing_changes(cast):
    client = api_for(cast.citizen)
    first = file_dossier(client, cast.procedure, key="k-1", data={"owner_name": "An"})
    assert first.status_code == 201
    other = file_dossier(client, cast.procedure, key="k-1", data={"owner_name": "Bình"})
    assert other.status_code == 422
    body = error_of(other)
    assert body["error"] == "key_reused" and "Idempotency-Key" in body["fields"]
    assert first.json()["code"] in body["detail"]
    assert Dossier.objects.get().data == {"owner_name": "An"}
    # The same content again is still a retry.
    again = file_dossier(client, cast.procedure, key="k-1", data={"owner_name": "An"})
    assert again.status_code == 200 and again.json()["code"] == first.json()["code"]
    # What counts is what would be stored: 120 and 120.0 are one area.
    first = file_dossier(client, cast.procedure, key="k-2", data={"owner_name": "An", "area_m2": 120})
    again = file_dossier(client, cast.procedure, key="k-2", data={"owner_name": "An", "area_m2": 120.0})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["code"] == first.json()["code"]


def test_too_long_idempotency_key_is_400_naming_the_header(cast):
    response = file_dossier(api_for(cast.citizen), cast.procedure, key="k" * 129)
    assert response.status_code == 400 and "Idempotency-Key" in error_of(response)["fields"]


def test_desk_files_a_counter_dossier_for_a_walk_in_applicant(cast):
    applicant = {"full_name": "Lê Văn Cường", "id_number": "048123456789", "phone": "0905123456", "email": ""}
    response = file_dossier(api_for(cast.desk), cast.procedure, channel="counter", applicant=applicant)
    assert response.status_code == 201
    body = response.json()
    assert body["channel"] == "counter"
    assert body["applicant"] == {**applicant, "email": ""}
    assert Dossier.objects.get(code=body["code"]).applicant_id is None


def test_citizen_may_not_file_at_the_counter(cast):
    applicant = {"full_name": "Lê Văn Cường"}
    response = file_dossier(api_for(cast.citizen), cast.procedure, channel="counter", applicant=applicant)
    assert response.status_code == 403 and error_of(response)["error"] == "forbidden"
    response = file_dossier(api_for(cast.other_specialist), cast.procedure, channel="postal", applicant=applicant)
    assert response.status_code == 403
    assert not Dossier.objects.exists()


def test_a_number_with_a_huge_exponent_is_a_400_naming_the_field(cast):
    response = file_dossier(api_for(cast.citizen), cast.procedure, data={**FORM_DATA, "area_m2": "1e10000000"})
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"data.area_m2": ["Ensure that there are no more than 15 digits in total."]}
    assert not Dossier.objects.exists()


def test_bad_applicant_details_name_the_field(cast):
    applicant = {"full_name": "Lê Văn Cường", "id_number": "123", "phone": "12345"}
    response = file_dossier(api_for(cast.desk), cast.procedure, channel="counter", applicant=applicant)
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"applicant.id_number", "applicant.phone"}
    assert not Dossier.objects.exists()


# Papers -------------------------------------------------------------------------------


def test_upload_a_paper(cast):
    client = api_for(cast.citizen)
    code = file_dossier(client, cast.procedure).json()["code"]
    response = attach(client, code)
    assert response.status_code == 201
    assert response.json()["name"] == "land_title" and response.json()["size"] == len(PDF)
    assert response["ETag"] == detail(client, code)["ETag"]
    assert [a["file_name"] for a in detail(client, code).json()["attachments"]] == ["so-do.pdf"]


@pytest.mark.parametrize(
    ("name", "filename", "content", "field"),
    [("nope", "a.pdf", PDF, "name"), ("land_title", "a.exe", PDF, "file"), ("land_title", "a.pdf", b"", "file")],
)
def test_bad_papers_name_the_field(cast, name, filename, content, field):
    client = api_for(cast.citizen)
    code = file_dossier(client, cast.procedure).json()["code"]
    response = attach(client, code, name=name, content=content, filename=filename)
    assert response.status_code == 400 and field in error_of(response)["fields"]
    assert not detail(client, code).json()["attachments"]


def test_upload_without_a_file_is_400(cast):
    client = api_for(cast.citizen)
    code = file_dossier(client, cast.procedure).json()["code"]
    response = client.post(f"/api/v1/dossiers/{code}/attachments/", {"name": "land_title"}, format="multipart")
    assert response.status_code == 400 and "file" in error_of(response)["fields"]


def test_papers_cannot_be_added_by_the_applicant_once_submitted(cast):
    dossier = cast.submitted()
    response = attach(api_for(cast.citizen), dossier.code)
    assert response.status_code == 409
    assert attach(api_for(cast.desk), dossier.code).status_code == 201  # the desk scans papers in


def remove(client, code, attachment_id, etag):
    headers = {"HTTP_IF_MATCH": etag} if etag is not None else {}
    return client.delete(f"/api/v1/dossiers/{code}/attachments/{attachment_id}/", **headers)


def test_take_back_a_paper_from_a_draft(cast, django_capture_on_commit_callbacks):
    client = api_for(cast.citizen)
    code = file_dossier(client, cast.procedure).json()["code"]
    paper = attach(client, code).json()
    stored = Dossier.objects.get(code=code).attachment_files.get().file
    assert stored.storage.exists(stored.name)
    with django_capture_on_commit_callbacks(execute=True):
        response = remove(client, code, paper["id"], detail(client, code)["ETag"])
    assert response.status_code == 200, response.content
    assert response.json()["attachments"] == [] and response["ETag"] == detail(client, code)["ETag"]
    assert not stored.storage.exists(stored.name)
    event = AuditEvent.objects.filter(dossier__code=code).latest("seq")
    assert event.action == "detach" and event.changes["removed"]["sha256"] == paper["sha256"]


def test_taking_back_a_paper_refuses_cleanly_and_keeps_it(cast):
    client = api_for(cast.citizen)
    code = file_dossier(client, cast.procedure).json()["code"]
    paper = attach(client, code).json()
    etag = detail(client, code)["ETag"]
    stale = f'"{Dossier.objects.get(code=code).pk}-1"'
    cases = [
        (client, paper["id"], None, 428),  # If-Match is required
        (client, paper["id"], stale, 412),
        (client, paper["id"] + 1000, etag, 404),
        (client, 2**63, etag, 404),
        (api_for(cast.other_citizen), paper["id"], etag, 404),
        (api_for(cast.desk), paper["id"], etag, 404),  # an unsent online application is not the agency's
    ]
    for who, attachment_id, if_match, expected in cases:
        response = remove(who, code, attachment_id, if_match)
        assert response.status_code == expected, (attachment_id, if_match, response.content)
        assert error_of(response)["detail"]
    assert [a["id"] for a in detail(client, code).json()["attachments"]] == [paper["id"]]

    submitted = act(client, code, "submit", etag)
    assert submitted.status_code == 200, submitted.content
    response = remove(client, code, paper["id"], submitted["ETag"])
    assert response.status_code == 409  # the agency has it now
    response = remove(api_for(cast.desk), code, paper["id"], submitted["ETag"])
    assert response.status_code == 403  # an online applicant's papers are theirs
    assert [a["id"] for a in detail(client, code).json()["attachments"]] == [paper["id"]]


# Actions ------------------------------------------------------------------------------


def test_submit_and_walk_the_flow_through_the_api(cast, django_capture_on_commit_callbacks):
    citizen = api_for(cast.citizen)
    code = file_dossier(citizen, cast.procedure).json()["code"]
    etag = attach(citizen, code)["ETag"]
    response = act(citizen, code, "submit", etag)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted" and response.json()["status_code"] == 1
    steps = [(cast.desk, "receive", "received"), (cast.desk, "accept", "processing"),
             (cast.specialist, "propose", "processing"), (cast.head, "approve", "approved")]  # fmt: skip
    for user, action, state in steps:
        with django_capture_on_commit_callbacks(execute=True):  # the signed receipt is issued after commit
            response = act(api_for(user), code, action, response["ETag"], comment="ok")
        assert response.status_code == 200, (action, response.content)
        assert response.json()["status"] == state
    body = response.json()
    assert body["status_code"] == 9 and body["due_date"]
    assert [d["kind"] for d in body["documents"]] == ["receipt"]
    assert [e["action"] for e in body["history"]] == [
        "create",
        "attach",
        "submit",
        "receive",
        "accept",
        "propose",
        "approve",
    ]
    assert response["ETag"] == f'"{Dossier.objects.get(code=code).pk}-7"'


def test_submit_of_an_incomplete_draft_names_the_missing_paper(cast):
    client = api_for(cast.citizen)
    created = file_dossier(client, cast.procedure)
    response = act(client, created.json()["code"], "submit", created["ETag"])
    assert response.status_code == 400
    assert "attachments.land_title" in error_of(response)["fields"]
    assert Dossier.objects.get().status == "draft"


def test_action_without_if_match_is_428(cast):
    dossier = cast.submitted()
    response = act(api_for(cast.desk), dossier.code, "receive", None)
    assert response.status_code == 428
    assert error_of(response)["error"] == "precondition_required" and "If-Match" in error_of(response)["fields"]
    dossier.refresh_from_db()
    assert dossier.status == "submitted"


@pytest.mark.parametrize("etag", ["stale", '"1-1"', "weak", "other versions"])
def test_if_match_of_another_version_or_dossier_is_412(cast, etag):
    dossier = cast.submitted()
    current, stale = f'"{dossier.pk}-{dossier.version}"', f'"{dossier.pk}-{dossier.version - 1}"'
    # A weak tag never matches If-Match (RFC 9110's strong comparison), even of the current version.
    header = {"stale": stale, "weak": f"W/{current}", "other versions": f'{stale}, "1-1"'}.get(etag, etag)
    response = act(api_for(cast.desk), dossier.code, "receive", header)
    assert response.status_code == 412 and error_of(response)["error"] == "stale"
    assert "If-Match" in error_of(response)["fields"]
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


def test_if_match_listing_the_current_etag_among_others_acts(cast):
    dossier = cast.submitted()
    header = f'"{dossier.pk}-{dossier.version - 1}", "{dossier.pk}-{dossier.version}"'
    response = act(api_for(cast.desk), dossier.code, "receive", header)
    assert response.status_code == 200 and response.json()["status"] == "received"


def test_if_match_any_is_refused_as_no_precondition(cast):
    """``*`` would act on whatever version is current: the lost update If-Match is there to prevent."""
    dossier = cast.submitted()
    response = act(api_for(cast.desk), dossier.code, "receive", "*")
    assert response.status_code == 428 and "If-Match" in error_of(response)["fields"]
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


@pytest.mark.parametrize("header", ["current", "weak", "list", "*"])
def test_if_none_match_naming_the_current_etag_is_304(cast, header):
    dossier = cast.submitted()
    current = f'"{dossier.pk}-{dossier.version}"'
    value = {"current": current, "weak": f"W/{current}", "list": f'"1-1", {current}', "*": "*"}[header]
    response = api_for(cast.desk).get(f"/api/v1/dossiers/{dossier.code}/", HTTP_IF_NONE_MATCH=value)
    assert response.status_code == 304 and response["ETag"] == current
    other = api_for(cast.desk).get(f"/api/v1/dossiers/{dossier.code}/", HTTP_IF_NONE_MATCH='"1-1"')
    assert other.status_code == 200


def test_second_action_with_the_same_etag_is_412_and_writes_nothing(cast):
    dossier = cast.submitted()
    desk = api_for(cast.desk)
    assert act(desk, dossier.code, "receive", dossier.etag).status_code == 200
    events = AuditEvent.objects.filter(dossier=dossier).count()
    response = act(desk, dossier.code, "refuse", dossier.etag, comment="late")
    assert response.status_code == 412
    assert AuditEvent.objects.filter(dossier=dossier).count() == events


def test_action_not_possible_in_this_state_is_409_with_the_reason(cast):
    dossier = cast.submitted()
    response = act(api_for(cast.signer), dossier.code, "sign", dossier.etag)
    assert response.status_code == 409 and "“Sign the result”" in error_of(response)["detail"]
    response = act(api_for(cast.head), dossier.code, "approve", dossier.etag)
    assert response.status_code == 409


def test_action_not_allowed_to_the_caller_is_403(cast):
    dossier = cast.submitted()
    response = act(api_for(cast.specialist), dossier.code, "receive", dossier.etag)
    assert response.status_code == 403 and error_of(response)["error"] == "forbidden"
    dossier = cast.in_review()
    response = act(api_for(cast.head), dossier.code, "propose", dossier.etag)
    assert response.status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


def test_unknown_action_is_404(cast):
    dossier = cast.submitted()
    response = act(api_for(cast.desk), dossier.code, "teleport", dossier.etag)
    assert response.status_code == 404 and error_of(response)["error"] == "unknown_action"


def test_refuse_needs_a_reason(cast):
    dossier = cast.submitted()
    response = act(api_for(cast.desk), dossier.code, "refuse", dossier.etag)
    assert response.status_code == 400 and "comment" in error_of(response)["fields"]
    response = act(api_for(cast.desk), dossier.code, "refuse", dossier.etag, comment="Thiếu giấy tờ")
    assert response.status_code == 200 and response.json()["status"] == "refused"
    assert response.json()["history"][-1]["comment"] == "Thiếu giấy tờ"


def test_action_data_must_be_an_object(cast):
    dossier = cast.submitted()
    response = act(api_for(cast.desk), dossier.code, "receive", dossier.etag, data=[1])
    assert response.status_code == 400 and "data" in error_of(response)["fields"]


def test_assign_with_data(cast):
    dossier = cast.in_review()
    head = api_for(cast.head)
    response = act(head, dossier.code, "assign", dossier.etag, data={"assignee": "sxd.specialist2"})
    assert response.status_code == 200 and response.json()["assignee"] == "sxd.specialist2"
    etag = response["ETag"]
    for wrong in ({"assignee": "stp.specialist"}, {}, {"assignee": None}, {"assignee": {"a": 1}}, {"assignee": " "}):
        response = act(head, dossier.code, "assign", etag, data=wrong)
        body = error_of(response)
        assert response.status_code == 400 and "assignee" in body["fields"], wrong
        assert "None" not in body["fields"]["assignee"][0] and "{" not in body["fields"]["assignee"][0]


def test_supplement_round_trip(cast):
    dossier = cast.in_review()
    response = act(api_for(cast.specialist), dossier.code, "ask_more", dossier.etag, comment="Thiếu bản vẽ")
    assert response.json()["status"] == "awaiting_supplement" and response.json()["status_code"] == 5
    citizen = api_for(cast.citizen)
    actions = [a["name"] for a in detail(citizen, dossier.code).json()["available_actions"]]
    assert "supplement_submitted" in actions
    response = act(citizen, dossier.code, "supplement_submitted", response["ETag"], data={"data": {"area_m2": 99}})
    assert response.status_code == 200 and response.json()["status"] == "processing"
    assert response.json()["data"]["area_m2"] == 99


def test_available_actions_depend_on_the_caller(cast):
    dossier = cast.in_review()
    names = {
        user.username: [a["name"] for a in detail(api_for(user), dossier.code).json()["available_actions"]]
        for user in (cast.citizen, cast.specialist, cast.head, cast.desk)
    }
    assert names["an"] == ["withdraw"]
    assert names["sxd.specialist"] == ["claim", "propose", "ask_more"]
    assert "assign" in names["sxd.head"] and "propose" not in names["sxd.head"]
    assert names["sxd.desk"] == []


# Editing a draft ------------------------------------------------------------------------


def test_patch_updates_a_draft(cast):
    client = api_for(cast.citizen)
    created = file_dossier(client, cast.procedure)
    code = created.json()["code"]
    response = client.patch(
        f"/api/v1/dossiers/{code}/", {"data": {"area_m2": 80}}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert response.status_code == 200
    assert response.json()["data"] == {**FORM_DATA, "area_m2": 80}
    assert response["ETag"] != created["ETag"]
    # the old ETag is now stale; a missing one is 428; a bad field is named
    stale = client.patch(
        f"/api/v1/dossiers/{code}/", {"data": {"area_m2": 70}}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert stale.status_code == 412
    assert client.patch(f"/api/v1/dossiers/{code}/", {"data": {}}, format="json").status_code == 428
    bad = client.patch(
        f"/api/v1/dossiers/{code}/", {"data": {"area_m2": 0}}, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert bad.status_code == 400 and "data.area_m2" in error_of(bad)["fields"]
    assert Dossier.objects.get(code=code).data["area_m2"] == 80


def test_a_patch_that_changes_nothing_keeps_the_version_and_writes_no_event(cast):
    client = api_for(cast.citizen)
    created = file_dossier(client, cast.procedure)
    code = created.json()["code"]
    events = AuditEvent.objects.filter(dossier__code=code).count()
    for data in ({}, {"area_m2": FORM_DATA["area_m2"]}):
        response = client.patch(
            f"/api/v1/dossiers/{code}/", {"data": data}, format="json", HTTP_IF_MATCH=created["ETag"]
        )
        assert response.status_code == 200
        assert response["ETag"] == created["ETag"]
    assert AuditEvent.objects.filter(dossier__code=code).count() == events
    # A real change after them still goes through on the same version.
    changed = client.patch(
        f"/api/v1/dossiers/{code}/", {"data": {"area_m2": 80}}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert changed.status_code == 200 and changed["ETag"] != created["ETag"]
    assert AuditEvent.objects.filter(dossier__code=code).count() == events + 1


def test_patch_of_a_submitted_dossier_is_409(cast):
    dossier = cast.submitted()
    response = api_for(cast.citizen).patch(
        f"/api/v1/dossiers/{dossier.code}/", {"data": {"area_m2": 80}}, format="json", HTTP_IF_MATCH=dossier.etag
    )
    assert response.status_code == 409


def test_if_none_match_gives_304(cast):
    dossier = cast.submitted()
    client = api_for(cast.citizen)
    response = client.get(f"/api/v1/dossiers/{dossier.code}/", HTTP_IF_NONE_MATCH=dossier.etag)
    assert response.status_code == 304 and response["ETag"] == dossier.etag


# List -----------------------------------------------------------------------------------


def test_list_filters(cast):
    draft = cast.draft()
    in_review = cast.in_review()
    submitted = cast.submitted()
    Dossier.objects.filter(pk=in_review.pk).update(due_at="2020-01-01T10:00:00Z")  # overdue
    specialist = api_for(cast.specialist)

    def codes(**params):
        response = specialist.get("/api/v1/dossiers/", params)
        assert response.status_code == 200, response.content
        return {d["code"] for d in response.json()["results"]}

    # The citizen's unsent draft is not the agency's to see.
    assert codes() == {in_review.code, submitted.code}
    assert draft.code not in codes(status="draft")
    assert codes(status="submitted") == {submitted.code}
    assert codes(step="review") == {in_review.code}
    assert codes(overdue="true") == {in_review.code}
    assert codes(overdue="false") == {submitted.code}
    assert codes(assigned_to_me="true") == set()
    act(specialist, in_review.code, "claim", Dossier.objects.get(pk=in_review.pk).etag)
    assert codes(assigned_to_me="true") == {in_review.code}


@pytest.mark.parametrize("params", [{"status": "lost"}, {"overdue": "maybe"}, {"assigned_to_me": "2"}])
def test_bad_filters_name_the_parameter(cast, params):
    response = api_for(cast.specialist).get("/api/v1/dossiers/", params)
    assert response.status_code == 400 and set(error_of(response)["fields"]) == set(params)


def test_list_is_paginated(cast):
    for _ in range(3):
        cast.draft(attach=False)
    response = api_for(cast.citizen).get("/api/v1/dossiers/", {"page": 1})
    assert response.json()["count"] == 3
    response = api_for(cast.citizen).get("/api/v1/dossiers/", {"page": 9})
    assert response.status_code == 404 and error_of(response)["error"] == "not_found"


# Payment and rating ------------------------------------------------------------------------


def test_applicant_pays_online_once(cast):
    dossier = cast.submitted()
    client = api_for(cast.citizen)
    response = client.post(f"/api/v1/dossiers/{dossier.code}/payment/", {}, format="json")
    assert response.status_code == 201
    assert response.json()["amount_vnd"] == 75000 and response.json()["method"] == "online"
    assert response.json()["provider"] == "test"
    assert response["ETag"] == detail(client, dossier.code)["ETag"]
    assert detail(client, dossier.code).json()["paid_via"] == "online"
    again = client.post(f"/api/v1/dossiers/{dossier.code}/payment/", {}, format="json")
    assert again.status_code == 409
    assert Payment.objects.count() == 1


def test_desk_takes_the_fee_at_the_counter(cast):
    dossier = cast.submitted()
    assert api_for(cast.desk).post(f"/api/v1/dossiers/{dossier.code}/payment/", {}, format="json").status_code == 403
    response = api_for(cast.desk).post(
        f"/api/v1/dossiers/{dossier.code}/payment/", {"method": "counter"}, format="json"
    )
    assert response.status_code == 201 and response.json()["method"] == "counter"
    bad = api_for(cast.desk).post(f"/api/v1/dossiers/{dossier.code}/payment/", {"method": "cash"}, format="json")
    assert bad.status_code == 400 and "method" in error_of(bad)["fields"]


def test_rating_after_closing(cast):
    dossier = cast.submitted()
    client = api_for(cast.citizen)
    early = client.post(f"/api/v1/dossiers/{dossier.code}/rating/", {"rating": 5}, format="json")
    assert early.status_code == 409
    cast.act(dossier, "refuse", cast.desk, comment="Sai thủ tục")
    bad = client.post(f"/api/v1/dossiers/{dossier.code}/rating/", {"rating": 9}, format="json")
    assert bad.status_code == 400 and "rating" in error_of(bad)["fields"]
    assert (
        api_for(cast.desk).post(f"/api/v1/dossiers/{dossier.code}/rating/", {"rating": 1}, format="json").status_code
        == 403
    )
    response = client.post(f"/api/v1/dossiers/{dossier.code}/rating/", {"rating": 4, "comment": "Nhanh"}, format="json")
    assert response.status_code == 200
    assert (response.json()["rating"], response.json()["rating_comment"]) == (4, "Nhanh")


# Documents --------------------------------------------------------------------------------


def test_each_answer_is_built_for_its_own_request(cast, django_capture_on_commit_callbacks, settings):
    """The answer serializers copy their fields shallowly: nothing of one request stays in the next."""
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    with django_capture_on_commit_callbacks(execute=True):
        dossier = cast.received()
    for host in ("one.example", "two.example", "one.example"):
        answer = api_for(cast.citizen).get(f"/api/v1/dossiers/{dossier.code}/", HTTP_HOST=host).json()
        assert answer["documents"][0]["download_url"].startswith(f"http://{host}/api/v1/documents/")
        assert answer["documents"][0]["verify_url"].startswith(f"http://{host}/verify/")
    for serializer in (DossierDetailSerializer, DocumentSerializer):
        for field in serializer._declared_fields.values():
            assert getattr(field, "parent", None) is None and getattr(field, "field_name", None) is None


def test_download_and_verify_a_receipt(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = cast.received()
    client = api_for(cast.citizen)
    documents = detail(client, dossier.code).json()["documents"]
    assert [d["kind"] for d in documents] == ["receipt"]
    url = documents[0]["download_url"]
    assert url.startswith("http://testserver/api/v1/documents/")
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")

    verified = api_for().post("/api/v1/verify/", {"file": io.BytesIO(pdf)}, format="multipart")
    assert verified.status_code == 200
    body = verified.json()
    assert body["valid"] is True and body["signed_at"]
    assert [c["name"] for c in body["checks"]] == ["integrity", "chain", "validity", "revocation"]
    assert all(c["ok"] and c["message"] for c in body["checks"])

    tampered = pdf.replace(b"%PDF-1.7", b"%PDF-1.6", 1) + b"\n% tampered"
    assert (
        api_for().post("/api/v1/verify/", {"file": io.BytesIO(tampered)}, format="multipart").json()["valid"] is False
    )


def test_verify_rejects_what_is_not_a_signed_pdf(db):
    response = api_for().post("/api/v1/verify/", {"file": io.BytesIO(b"hello")}, format="multipart")
    assert response.status_code == 200
    assert response.json()["valid"] is False and response.json()["checks"][0]["name"] == "format"
    missing = api_for().post("/api/v1/verify/", {}, format="multipart")
    assert missing.status_code == 400 and "file" in error_of(missing)["fields"]


def test_a_body_key_the_operation_does_not_take_or_a_number_for_text_is_named(cast):
    client = api_for(cast.citizen)
    created = file_dossier(client, cast.procedure)
    code, etag = created.json()["code"], created["ETag"]
    patch = client.patch(
        f"/api/v1/dossiers/{code}/", {"data": {}, "status": "approved"}, format="json", HTTP_IF_MATCH=etag
    )
    assert patch.status_code == 400
    assert error_of(patch)["fields"] == {"status": ["There is no such field."]}
    submit = act(client, code, "submit", etag, comment=123)
    assert submit.status_code == 400
    assert error_of(submit)["fields"] == {"comment": ["Not a valid string."]}
    online = file_dossier(client, cast.procedure, applicant={"full_name": "Người khác"})
    assert online.status_code == 400 and set(error_of(online)["fields"]) == {"applicant"}
    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.version, Dossier.objects.count()) == ("draft", 1, 1)
