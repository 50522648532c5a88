"""Queries per request stay flat: no N+1 over papers, documents, history or list rows."""

from __future__ import annotations

from tests.api.conftest import FORM_DATA, api_for


def test_detail_reads_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    dossier = cast.in_review()
    client = api_for(cast.specialist)
    client.get(f"/api/v1/dossiers/{dossier.code}/")  # warm the per-process flow cache
    # token+user, memberships, the dossier, papers, documents, history
    with django_assert_max_num_queries(6):
        response = client.get(f"/api/v1/dossiers/{dossier.code}/")
    assert response.status_code == 200 and len(response.json()["history"]) >= 5


def test_list_does_not_grow_with_rows(cast, django_assert_max_num_queries):
    for _ in range(15):
        cast.draft(attach=False)
    client = api_for(cast.citizen)
    # token+user, memberships, count, page
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/dossiers/")
    assert response.json()["count"] == 15


def test_create_and_act_stay_small(cast, django_assert_max_num_queries):
    client = api_for(cast.desk)
    applicant = {"full_name": "Khách"}
    body = {"procedure": cast.procedure.code, "channel": "counter", "applicant": applicant, "data": FORM_DATA}
    client.post("/api/v1/dossiers/", body, format="json")
    with django_assert_max_num_queries(14):
        created = client.post("/api/v1/dossiers/", body, format="json")
    assert created.status_code == 201
    with django_assert_max_num_queries(13):  # + the flow version, read once per process
        submitted = client.post(
            f"/api/v1/dossiers/{created.json()['code']}/actions/submit/",
            {},
            format="json",
            HTTP_IF_MATCH=created["ETag"],
        )
    assert submitted.status_code == 200, submitted.content


def test_procedure_list_and_detail(cast, django_assert_max_num_queries):
    client = api_for()
    with django_assert_max_num_queries(2):
        assert client.get("/api/v1/procedures/").status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get(f"/api/v1/procedures/{cast.procedure.code}/").status_code == 200
