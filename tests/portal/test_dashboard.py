"""The KPI dashboard, its CSV export and the /api/v1/metrics/ endpoints: who
may read them, bad filters, and the same figures as ``manage.py kpi``."""

from __future__ import annotations

import csv
import io
import json

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, UserFactory
from tests.workflow.conftest import Cast
from tests.workflow.test_kpi import NOW, Month

MARCH = {"from": "2027-03-01", "to": "2027-03-31"}


@pytest.fixture
def month(db) -> Month:
    return Month(Cast())


@pytest.fixture
def leader(db):
    return MembershipFactory(role="head", user__username="leader").user


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
def test_dashboard_is_for_staff_heads_and_signers(leader):
    assert client_for(None).get("/dashboard/").status_code == 302  # to the login page
    assert client_for(UserFactory(username="citizen")).get("/dashboard/").status_code == 403
    specialist = MembershipFactory(role="specialist", user__username="sp").user
    assert client_for(specialist).get("/dashboard/").status_code == 403
    assert client_for(specialist).get("/dashboard/export.csv").status_code == 403
    signer = MembershipFactory(role="signer", user__username="sg").user
    for user in (leader, signer, UserFactory(username="staff", is_staff=True)):
        assert client_for(user).get("/dashboard/").status_code == 200, user


@pytest.mark.django_db
def test_metrics_api_is_for_officers_and_staff(leader):
    assert client_for(None).get("/api/v1/metrics/online-rate/").status_code == 401
    assert client_for(UserFactory(username="citizen")).get("/api/v1/metrics/online-rate/").status_code == 403
    specialist = MembershipFactory(role="specialist", user__username="sp").user
    for url in [
        "/api/v1/metrics/",
        "/api/v1/metrics/online-rate/",
        "/api/v1/metrics/on-time-rate/",
        "/api/v1/metrics/overdue/",
        "/api/v1/metrics/digitisation/",
        "/api/v1/metrics/online-payment/",
        "/api/v1/metrics/full-online-coverage/",
        "/api/v1/metrics/satisfaction/",
    ]:
        assert client_for(specialist).get(url).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [("from=2027-02-30", "from"), ("to=nope", "to"), ("from=2027-04-01&to=2027-03-01", "to"), ("agency=X", "agency")],
)
def test_bad_filters_are_400_naming_the_field(leader, query, field):
    response = client_for(leader).get(f"/api/v1/metrics/online-rate/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error", "detail", "fields"} and list(body["fields"]) == [field]
    page = client_for(leader).get(f"/dashboard/?{query}")
    assert page.status_code == 400 and "The filters are not valid." in page.content.decode()
    assert client_for(leader).get(f"/dashboard/export.csv?{query}").status_code == 400


@pytest.mark.django_db
def test_bad_filters_are_named_by_their_label_in_vietnamese(leader):
    query = "from=2026-10-01&to=2026-01-01&agency=NOPE"
    page = client_for(leader).get(f"/dashboard/?{query}", HTTP_ACCEPT_LANGUAGE="vi")
    html = page.content.decode()
    assert page.status_code == 400
    assert "<li>Đến ngày: Ngày cuối kỳ không được trước ngày đầu kỳ.</li>" in html
    assert "<li>Cơ quan: Không có cơ quan nào có mã &#x27;NOPE&#x27;.</li>" in html
    assert "to:" not in html and "agency:" not in html
    # The message is also beside the field it is about.
    assert 'id="kpi-to-error"><li>Ngày cuối kỳ không được trước ngày đầu kỳ.</li>' in html
    assert 'aria-describedby="kpi-to-error"' in html and "kpi-from-error" not in html
    exported = client_for(leader).get(f"/dashboard/export.csv?{query}", HTTP_ACCEPT_LANGUAGE="vi")
    assert exported.content.decode().splitlines()[0] == "Đến ngày: Ngày cuối kỳ không được trước ngày đầu kỳ."


def test_command_api_and_dashboard_give_the_same_figures(month, leader):
    with time_machine.travel(NOW, tick=False):
        out = io.StringIO()
        call_command("kpi", "--from", MARCH["from"], "--to", MARCH["to"], "--format", "json", stdout=out)
        command = json.loads(out.getvalue())
        api_all = client_for(leader).get("/api/v1/metrics/", MARCH).json()
        online = client_for(leader).get("/api/v1/metrics/online-rate/", {**MARCH, "agency": "SXD"}).json()
        on_time = client_for(leader).get("/api/v1/metrics/on-time-rate/", MARCH).json()
        digitisation = client_for(leader).get("/api/v1/metrics/digitisation/", MARCH).json()
        page = client_for(leader).get("/dashboard/", MARCH)
        exported = client_for(leader).get("/dashboard/export.csv", MARCH)

    assert api_all == command
    assert online == {
        "filters": {**MARCH, "agency": "SXD"},
        "online": 4,
        "counter": 1,
        "postal": 1,
        "total": 6,
        "rate": 0.6667,
        "target": 0.6,
        "met": True,
    }
    assert on_time["rate"] == command["on_time_rate"]["rate"] == 0.6667
    assert digitisation["dossiers"] == command["dossier_digitisation"]
    assert digitisation["results"] == command["result_digitisation"]

    assert page.status_code == 200
    assert json.loads(json.dumps(page.context["report"])) == command
    html = page.content.decode()
    assert "66.7%" in html and "not met" not in html.split("Online rate", 1)[1].split("</li>", 1)[0]
    assert "portal/vendor/chart-4.6.1.umd.min.js" in html

    body = exported.content.decode("utf-8")
    assert body.startswith("\ufeff") and exported["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    whole = rows[0]
    assert (whole["Received"], whole["Online"], whole["Online rate"]) == ("6", "4", "0.6667")
    assert (whole["Finished"], whole["On time"], whole["Overdue now"]) == ("3", "2", "1")
    agency = next(row for row in rows if row["Code"] == "SXD")
    assert agency["Name"] == "Sở Xây dựng"


def test_chart_library_is_served_locally():
    path = finders.find("portal/vendor/chart-4.6.1.umd.min.js")
    assert path is not None
    with open(path, encoding="utf-8") as handle:
        assert "Chart.js v4.6.1" in handle.read(200)
