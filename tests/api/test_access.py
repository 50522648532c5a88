"""Who sees what: two citizens, two agencies, each role. A dossier the
caller may not see is a 404 on every endpoint, exactly like one that does
not exist; one they see but may not act on is a 403 or 409 with the reason."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import api_for, error_of
from tests.factories import MembershipFactory, ProcedureFactory
from workflow.models import AuditEvent, Document, Dossier

SEES = ["citizen", "desk", "specialist", "head", "signer", "clerk", "second_specialist"]
BLIND = ["other_citizen", "other_specialist", "other_desk"]


@pytest.fixture
def world(cast):
    cast.other_desk = MembershipFactory(agency=cast.other_agency, role="desk", user__username="stp.desk").user
    other_procedure = ProcedureFactory(agency=cast.other_agency)
    cast.other_dossier = cast.draft(user=cast.other_citizen, procedure=other_procedure, attach=False)
    return cast


def requests_on(code: str):
    """Every call that names a dossier, with a body that is valid for its shape."""
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")
    return [
        ("get", f"/api/v1/dossiers/{code}/", None, {}),
        ("patch", f"/api/v1/dossiers/{code}/", {"data": {"area_m2": 5}}, {"format": "json"}),
        ("post", f"/api/v1/dossiers/{code}/actions/withdraw/", {}, {"format": "json"}),
        (
            "post",
            f"/api/v1/dossiers/{code}/attachments/",
            {"name": "land_title", "file": upload},
            {"format": "multipart"},
        ),
        ("delete", f"/api/v1/dossiers/{code}/attachments/1/", None, {}),
        ("post", f"/api/v1/dossiers/{code}/payment/", {"method": "counter"}, {"format": "json"}),
        ("post", f"/api/v1/dossiers/{code}/rating/", {"rating": 5}, {"format": "json"}),
    ]


@pytest.mark.parametrize("who", BLIND)
def test_a_dossier_out_of_sight_is_404_everywhere_like_a_missing_one(world, who):
    dossier = world.submitted()
    client = api_for(getattr(world, who))
    events = AuditEvent.objects.count()
    for (method, path, body, extra), (_m, missing_path, _b, _e) in zip(
        requests_on(dossier.code), requests_on("SXD-000000-9999"), strict=True
    ):
        headers = {"HTTP_IF_MATCH": dossier.etag}
        response = getattr(client, method)(path, body, **extra, **headers)
        missing = getattr(client, method)(missing_path, body, **extra, **headers)
        assert response.status_code == missing.status_code == 404, (method, path, response.content)
        assert error_of(response)["error"] == error_of(missing)["error"] == "not_found"
        assert error_of(response)["detail"].replace(dossier.code, "X") == error_of(missing)["detail"].replace(
            "SXD-000000-9999", "X"
        )
    assert AuditEvent.objects.count() == events
    listed = {d["code"] for d in client.get("/api/v1/dossiers/").json()["results"]}
    assert dossier.code not in listed


@pytest.mark.parametrize("who", SEES)
def test_the_applicant_and_the_agency_see_it(world, who):
    dossier = world.submitted()
    client = api_for(getattr(world, who))
    response = client.get(f"/api/v1/dossiers/{dossier.code}/")
    assert response.status_code == 200 and response.json()["code"] == dossier.code
    listed = {d["code"] for d in client.get("/api/v1/dossiers/").json()["results"]}
    assert dossier.code in listed
    assert world.other_dossier.code not in listed


def test_lists_do_not_leak_across_citizens_or_agencies(world):
    own = world.draft(attach=False)
    filed = world.submitted()
    counter = world.draft(user=world.desk, channel="counter", applicant={"full_name": "Khách"}, attach=False)

    def listed(user):
        return {d["code"] for d in api_for(user).get("/api/v1/dossiers/").json()["results"]}

    assert listed(world.citizen) == {own.code, filed.code}
    assert listed(world.other_citizen) == {world.other_dossier.code}
    # The agency sees what was filed and the desk's own drafts, not a citizen's unsent application.
    assert listed(world.specialist) == {filed.code, counter.code}
    assert listed(world.other_specialist) == set()


# (user, expected status) for the desk's flow action "accept" on a received dossier.
ACCEPT = [
    ("desk", 200),
    ("specialist", 403),
    ("head", 403),
    ("signer", 403),
    ("clerk", 403),
    ("citizen", 403),
    ("other_citizen", 404),
    ("other_specialist", 404),
    ("other_desk", 404),
]


@pytest.mark.parametrize(("who", "expected"), ACCEPT)
def test_each_role_on_a_step_action(world, who, expected):
    dossier = world.received()
    response = api_for(getattr(world, who)).post(
        f"/api/v1/dossiers/{dossier.code}/actions/accept/", {}, format="json", HTTP_IF_MATCH=dossier.etag
    )
    assert response.status_code == expected, response.content
    if expected != 200:
        error_of(response)
        assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


# (user, expected) for the lifecycle action "receive" on a submitted dossier.
RECEIVE = [("desk", 200), ("clerk", 403), ("head", 403), ("citizen", 403), ("other_desk", 404)]


@pytest.mark.parametrize(("who", "expected"), RECEIVE)
def test_each_role_on_a_lifecycle_action(world, who, expected):
    dossier = world.submitted()
    response = api_for(getattr(world, who)).post(
        f"/api/v1/dossiers/{dossier.code}/actions/receive/", {}, format="json", HTTP_IF_MATCH=dossier.etag
    )
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("who", [w for w in SEES if w != "citizen"])
def test_an_online_application_is_the_citizens_own_until_submitted(world, who):
    draft = world.draft()
    officer = api_for(getattr(world, who))
    for method, path, body, extra in requests_on(draft.code):
        response = getattr(officer, method)(path, body, **extra, HTTP_IF_MATCH=draft.etag)
        assert response.status_code == 404, (method, path, response.content)
    assert draft.code not in [row["code"] for row in officer.get("/api/v1/dossiers/").json()["results"]]

    submitted = api_for(world.citizen).post(
        f"/api/v1/dossiers/{draft.code}/actions/submit/", {}, format="json", HTTP_IF_MATCH=draft.etag
    )
    assert submitted.status_code == 200, submitted.content
    assert officer.get(f"/api/v1/dossiers/{draft.code}/").status_code == 200
    assert draft.code in [row["code"] for row in officer.get("/api/v1/dossiers/").json()["results"]]


def test_an_online_application_withdrawn_unsent_never_reaches_the_agency(world):
    draft = world.draft()
    withdrawn = api_for(world.citizen).post(
        f"/api/v1/dossiers/{draft.code}/actions/withdraw/", {}, format="json", HTTP_IF_MATCH=draft.etag
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn", withdrawn.content
    assert api_for(world.citizen).get(f"/api/v1/dossiers/{draft.code}/").status_code == 200
    for who in ("desk", "specialist", "head"):
        officer = api_for(getattr(world, who))
        assert officer.get(f"/api/v1/dossiers/{draft.code}/").status_code == 404
        assert draft.code not in [row["code"] for row in officer.get("/api/v1/dossiers/").json()["results"]]


def test_a_counter_draft_is_the_agencys_and_citizens_cannot_take_counter_fees(world):
    counter = api_for(world.desk).post(
        "/api/v1/dossiers/",
        {
            "procedure": world.procedure.code,
            "channel": "counter",
            "applicant": {"full_name": "Trần Thị Hoa", "id_number": "079190000001"},
            "data": {},
        },
        format="json",
    )
    assert counter.status_code == 201, counter.content
    assert api_for(world.specialist).get(f"/api/v1/dossiers/{counter.json()['code']}/").status_code == 200

    draft = world.draft(attach=False)
    response = api_for(world.citizen).post(
        f"/api/v1/dossiers/{draft.code}/payment/", {"method": "counter"}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("who", "expected"), [("citizen", 200), ("desk", 200), ("signer", 200)] + [(w, 404) for w in BLIND]
)
def test_documents_download_only_for_who_sees_the_dossier(world, django_capture_on_commit_callbacks, who, expected):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = world.received()
    document = Document.objects.get(dossier=dossier)
    response = api_for(getattr(world, who)).get(f"/api/v1/documents/{document.pk}/download/")
    assert response.status_code == expected
    if expected == 404:
        assert error_of(response)["error"] == "not_found"
        missing = api_for(getattr(world, who)).get(f"/api/v1/documents/{document.pk + 1000}/download/")
        assert error_of(missing) == error_of(response)


def test_anonymous_sees_the_catalog_but_no_dossier(world):
    dossier = world.submitted()
    anonymous = api_for()
    assert anonymous.get("/api/v1/procedures/").status_code == 200
    assert anonymous.get(f"/api/v1/procedures/{world.procedure.code}/").status_code == 200
    for method, path, body, extra in requests_on(dossier.code):
        response = getattr(anonymous, method)(path, body, **extra)
        assert response.status_code == 401 and error_of(response)["error"] == "not_authenticated"


def test_a_refused_download_is_json_even_when_a_pdf_was_asked_for(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = world.received()
    document = Document.objects.get(dossier=dossier)
    response = api_for(world.other_citizen).get(
        f"/api/v1/documents/{document.pk}/download/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["error"] == "not_found"
    ok = api_for(world.citizen).get(f"/api/v1/documents/{document.pk}/download/", HTTP_ACCEPT="application/pdf")
    assert ok.status_code == 200 and ok["Content-Type"] == "application/pdf"
