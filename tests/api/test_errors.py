"""Every 4xx of the API has the one shape {"error", "detail", "fields"}."""

from __future__ import annotations

import pytest

from tests.api.conftest import FORM_DATA, api_for, error_of


def test_token_gives_a_token_that_authenticates(cast):
    response = api_for().post("/api/v1/auth/token/", {"username": "an", "password": "secret-pass-1"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    client = api_for()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/dossiers/").status_code == 200
    again = api_for().post("/api/v1/auth/token/", {"username": "an", "password": "secret-pass-1"}, format="json")
    assert again.json()["token"] == token


def test_wrong_password_is_400_naming_the_field(cast):
    response = api_for().post("/api/v1/auth/token/", {"username": "an", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert error_of(response)["error"] == "invalid_credentials"
    assert "password" in error_of(response)["fields"]


def test_missing_credentials_name_the_fields(db):
    response = api_for().post("/api/v1/auth/token/", {}, format="json")
    body = error_of(response)
    assert response.status_code == 400 and body["error"] == "invalid"
    assert set(body["fields"]) == {"username", "password"}


def test_session_login_works_for_the_browser(cast, client):
    client.force_login(cast.citizen)
    assert client.get("/api/v1/dossiers/").status_code == 200


def test_anonymous_is_401_with_a_challenge(db):
    response = api_for().get("/api/v1/dossiers/")
    assert response.status_code == 401
    assert error_of(response)["error"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_bad_token_is_401(db):
    client = api_for()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/v1/dossiers/")
    assert response.status_code == 401 and error_of(response)["error"] == "authentication_failed"


def test_token_of_a_deactivated_user_is_401(cast):
    client = api_for(cast.citizen)
    assert client.get("/api/v1/dossiers/").status_code == 200
    cast.citizen.is_active = False
    cast.citizen.save(update_fields=["is_active"])
    response = client.get("/api/v1/dossiers/")
    assert response.status_code == 401 and error_of(response)["error"] == "authentication_failed"


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/", "/api/v1/dossiers", "/api/v1/metrics/zzz/"])
def test_unknown_paths_are_404_in_the_error_shape(db, path):
    for method in ("get", "post", "delete"):
        response = getattr(api_for(), method)(path)
        assert response.status_code == 404, (method, path)
        assert error_of(response)["error"] == "not_found"


def test_wrong_method_is_405(cast):
    response = api_for(cast.citizen).delete("/api/v1/dossiers/")
    assert response.status_code == 405
    assert error_of(response)["error"] == "method_not_allowed"


def test_malformed_json_is_400_parse_error(cast):
    response = api_for(cast.citizen).post("/api/v1/dossiers/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["error"] == "parse_error"


def test_unsupported_media_type_is_415(cast):
    response = api_for(cast.citizen).post("/api/v1/dossiers/", "x", content_type="text/plain")
    assert response.status_code == 415
    assert error_of(response)["error"] == "unsupported_media_type"


def test_validation_errors_name_nested_fields(cast):
    response = api_for(cast.desk).post(
        "/api/v1/dossiers/",
        {"procedure": cast.procedure.code, "channel": "counter", "applicant": {"phone": "0905"}, "data": []},
        format="json",
    )
    body = error_of(response)
    assert response.status_code == 400 and body["error"] == "invalid"
    assert set(body["fields"]) == {"applicant.full_name", "data"}


def test_form_errors_name_the_form_field(cast):
    data = {**FORM_DATA, "area_m2": "lots", "colour": "red"}
    response = api_for(cast.citizen).post(
        "/api/v1/dossiers/", {"procedure": cast.procedure.code, "data": data}, format="json"
    )
    body = error_of(response)
    assert response.status_code == 400
    assert set(body["fields"]) == {"data.area_m2", "data.colour"}


def test_token_endpoint_is_throttled_with_retry_after(db, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "2/minute", "verify": "2/minute"})
    responses = [
        api_for().post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json") for _ in range(3)
    ]
    assert [r.status_code for r in responses] == [400, 400, 429]
    assert error_of(responses[2])["error"] == "throttled"
    assert int(responses[2]["Retry-After"]) > 0


def test_text_the_database_cannot_store_is_400_not_500(cast):
    dossier = cast.in_review()
    client = api_for(cast.head)
    path = f"/api/v1/dossiers/{dossier.code}/actions/assign/"
    response = client.post(path, {"data": {"assignee": "a\x00b"}}, format="json", HTTP_IF_MATCH=dossier.etag)
    assert response.status_code == 400 and "data" in error_of(response)["fields"]
    response = client.post(path, {"comment": "a\x00b"}, format="json", HTTP_IF_MATCH=dossier.etag)
    assert response.status_code == 400 and "comment" in error_of(response)["fields"]
    paths = ("/api/v1/dossiers/a%00b/", "/api/v1/procedures/a%00/", f"/api/v1/dossiers/{dossier.code}/actions/a%00/")
    for bad in paths:
        assert error_of(client.get(bad))["error"] == "not_found"
