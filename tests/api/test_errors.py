"""Every 4xx of the API has the one shape {"error", "detail", "fields"}."""

from __future__ import annotations

import json

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


def test_a_forwarded_for_header_does_not_escape_the_throttle(db, monkeypatch):
    """Without trusted proxies (DJANGO_NUM_PROXIES=0) the client's own X-Forwarded-For is not its identity."""
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "2/minute", "verify": "2/minute"})
    wrong = {"username": "x", "password": "y"}
    statuses = [
        api_for().post("/api/v1/auth/token/", wrong, format="json", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
        for i in range(4)
    ]
    assert statuses == [400, 400, 429, 429]


def test_a_body_over_the_upload_limit_is_413_in_the_error_shape(cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"procedure": cast.procedure.code, "data": {"note": "x" * 2000}})
    response = api_for(cast.citizen).post("/api/v1/dossiers/", body, content_type="application/json")
    assert response.status_code == 413 and error_of(response)["error"] == "too_large"


def test_too_many_form_fields_is_400_in_the_error_shape(db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = "&".join(f"f{i}=1" for i in range(20))
    response = api_for().post("/api/v1/auth/token/", fields, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and error_of(response)["error"] == "invalid"


def test_a_body_that_is_not_utf8_is_a_parse_error_in_plain_words(cast):
    response = api_for(cast.citizen).post("/api/v1/dossiers/", b'{"x": "\xff"}', content_type="application/json")
    body = error_of(response)
    assert response.status_code == 400 and body["error"] == "parse_error"
    assert "codec" not in body["detail"] and "utf-8" not in body["detail"]


def test_every_answer_is_json_even_when_a_browser_asks_for_html(cast):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = api_for(cast.citizen).get("/api/v1/dossiers/NOPE/", HTTP_ACCEPT=browser)
    assert response["Content-Type"] == "application/json" and error_of(response)["error"] == "not_found"
    only_html = api_for(cast.citizen).get("/api/v1/dossiers/NOPE/", HTTP_ACCEPT="text/html")
    assert only_html.status_code == 406 and error_of(only_html)["error"] == "not_acceptable"
    assert api_for(cast.citizen).get("/api/v1/dossiers/?format=api").status_code == 404


def test_a_missing_final_slash_is_named_in_the_404(cast):
    response = api_for(cast.citizen).post("/api/v1/dossiers", {}, format="json")
    assert response.status_code == 404 and "/api/v1/dossiers/" in error_of(response)["detail"]
    for path in ("/api/v1", "/api/docs", "/api/schema", "/api", "/api/v2/dossiers/"):
        response = api_for().post(path, {}, format="json")
        assert response.status_code == 404 and error_of(response)["error"] == "not_found", path
    # The pages a person types into the address bar are sent on to their address.
    assert api_for().get("/api/docs").headers["Location"] == "/api/docs/"


def test_the_swagger_page_answers_options_without_failing(db):
    response = api_for().options("/api/docs/")
    assert response.status_code == 405
    assert api_for().get("/api/docs/").status_code == 200
