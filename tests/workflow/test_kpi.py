"""KPIs on a hand-built month of dossiers, made through the services and the
engine with the clock moved, against numbers worked out by hand below.

March 2027 (1 March is a Monday; no public holiday in the month). Agency SXD
is city level. Procedures: ``cast.procedure`` (15 working days, full online)
and ``short`` (2 working days, not full online). Every dossier has a fee.

| dossier | channel | what happens                                                    | counts as
| A       | online  | received 10/3, decided 12/3, signed, returned 13/3, fee paid    | received, on time, returned,
|         |         | online, rated 5                                                 | paid online, rating
| B       | counter | entered without papers, received 31/3 at 23:30, fee at counter  | received (last day), no files
| C       | online  | refused at intake 15/3, rated 2                                 | not received; rating
| D       | online  | received 5/3, withdrawn 6/3                                     | received
| E       | online  | short: received 2/3 (due 3/3 17:00), supplement asked 3/3 9:00, | received, on time (the clock
|         |         | answered 16/3 9:00 (due 16/3 17:00), decided 16/3 14:00         | paused while waiting)
| F       | postal  | short: desk scans the papers, received 2/3, apology 8/3 with a  | received, late
|         |         | new date 19/3, decided 10/3                                     |
| G       | online  | received 1/4 at 00:30 (still 31/3 in UTC)                       | outside the period
| H       | online  | short: received 2/3, still in review                            | received; overdue now
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from procedures.models import AdministrativeLevel
from tests.factories import AgencyFactory, MembershipFactory, ProcedureFactory, UserFactory, flow_definition
from tests.workflow.conftest import FORM_DATA
from workflow.errors import InvalidInput
from workflow.kpi import KpiFilters, compute_kpis, parse_filters, rebuild_rollup, rollup_snapshot
from workflow.models import Dossier, KpiTarget, Status
from workflow.services import create_dossier, pay_fee, rate_dossier

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = KpiFilters(dt.date(2027, 3, 1), dt.date(2027, 3, 31))
APPLICANT = {"full_name": "Lê Văn Cường", "id_number": "012345678901"}
NOW = dt.datetime(2027, 4, 2, 10, 0, tzinfo=HCM)


def at(day, hour=9, minute=0, month=3):
    return time_machine.travel(dt.datetime(2027, month, day, hour, minute, tzinfo=HCM), tick=False)


class Month:
    """The dossiers of the table above, by letter."""

    def __init__(self, cast) -> None:
        self.cast = cast
        flow = flow_definition()
        for step, days in zip(flow["steps"], (0.5, 1, 0.5), strict=True):
            step["days"] = days
        self.short = ProcedureFactory(agency=cast.agency, time_limit_days=Decimal(2), full_online=False, flow=flow)
        ProcedureFactory(agency=cast.agency, full_online=True, flow=False)  # no published flow: not offered
        ProcedureFactory(agency=cast.agency, full_online=True, is_active=False)  # withdrawn from the catalog
        act = cast.act
        with at(9):
            a = cast.submitted()
            pay_fee(dossier=a, user=cast.citizen, method="online")
            a.refresh_from_db()
        with at(10):
            a = act(a, "receive", cast.desk)
            a = act(a, "accept", cast.desk)
        with at(12):
            a = act(a, "propose", cast.specialist)
            a = act(a, "approve", cast.head)
            a = act(a, "sign", cast.signer)
        with at(13):
            a = act(a, "return", cast.desk)
        with at(14):
            rate_dossier(dossier=a, user=cast.citizen, score=5)

        with at(31, 10):
            b, _ = create_dossier(
                procedure=cast.procedure, user=cast.desk, channel="counter", applicant=APPLICANT, data=FORM_DATA
            )
            b = act(b, "submit", cast.desk)
            pay_fee(dossier=b, user=cast.desk, method="counter")
            b.refresh_from_db()
        with at(31, 23, 30):
            act(b, "receive", cast.desk)

        with at(15):
            c = cast.submitted()
            c = act(c, "refuse", cast.desk, comment="Không đúng thẩm quyền")
        with at(16):
            rate_dossier(dossier=c, user=cast.citizen, score=2)

        with at(5):
            d = cast.received()
        with at(6):
            act(d, "withdraw", cast.citizen)

        with at(2):
            e = cast.in_review(procedure=self.short)
        with at(3):
            e = act(e, "ask_more", cast.specialist, comment="Bổ sung bản vẽ")
        with at(16):
            e = act(e, "supplement_submitted", cast.citizen, comment="Đã bổ sung bản vẽ")
        with at(16, 14):
            e = act(e, "propose", cast.specialist)
            e = act(e, "approve", cast.head)
        self.e = e

        with at(1, 8):
            f, _ = create_dossier(
                procedure=self.short, user=cast.desk, channel="postal", applicant=APPLICANT, data=FORM_DATA
            )
            f = act(cast.attach(f, cast.desk, "scan.pdf"), "submit", cast.desk)
        with at(2):
            f = act(f, "receive", cast.desk)
            f = act(f, "accept", cast.desk)
        with at(8):
            f = act(f, "apologize", cast.head, comment="Chờ ý kiến phối hợp", data={"new_due_date": "2027-03-19"})
        with at(10):
            f = act(f, "propose", cast.specialist)
            f = act(f, "approve", cast.head)
        self.f = f

        with at(31, 23, 0):
            g = cast.submitted()
        with at(1, 0, 30, month=4):
            act(g, "receive", cast.desk)

        with at(2):
            self.h = cast.in_review(procedure=self.short)


@pytest.fixture
def month(cast) -> Month:
    return Month(cast)


def test_each_kpi_on_a_hand_built_month(month):
    assert month.e.finished_late is False  # 2 working days, paused for the 13 days of the supplement
    assert month.f.finished_late is True  # decided before the apology's new date, still late
    report = compute_kpis(MARCH, now=NOW)

    assert report["online_rate"] == {
        "online": 4,  # A, D, E, H (C refused, G in April)
        "counter": 1,  # B, received at 23:30 on the last day
        "postal": 1,  # F
        "total": 6,
        "rate": 0.6667,
        "target": 0.6,
        "met": True,
    }
    assert report["on_time_rate"] == {
        "finished": 3,
        "on_time": 2,
        "late": 1,
        "rate": 0.6667,
        "target": None,
        "met": None,
    }
    assert report["overdue"] == {"overdue": 1, "in_flow": 3, "rate": 0.3333}  # H; B, G and H in the flow
    assert report["dossier_digitisation"] == {
        "digitised": 5,  # all but B, entered at the counter without files
        "received": 6,
        "rate": 0.8333,
        "target": 0.7,  # city level
        "met": True,
    }
    assert report["result_digitisation"] == {"digitised": 1, "returned": 1, "rate": 1.0, "target": 0.7, "met": True}
    assert report["online_payment"] == {
        "paid_online": 1,
        "with_fee": 6,
        "rate": 0.1667,
        "target": None,
        "met": None,
    }
    assert report["full_online_coverage"] == {
        "full_online": 1,
        "published": 2,
        "rate": 0.5,
        "target": None,
        "met": None,
    }
    assert report["satisfaction"] == {"mean": 3.5, "count": 2, "target": None, "met": None}

    march = next(row for row in report["trend"] if row["month"] == "2027-03")
    assert (march["received"], march["online"], march["finished"], march["on_time"]) == (6, 4, 3, 2)
    assert [row["month"] for row in report["trend"]] == ["2027-03"]
    (sxd,) = report["by_agency"]
    assert (sxd["agency"], sxd["received"], sxd["online_rate"], sxd["overdue"]) == ("SXD", 6, 0.6667, 1)
    (city,) = report["by_level"]
    assert (city["level"], city["received"], city["dossier_digitisation_target"]) == ("city", 6, 0.7)
    assert report["top_overdue_procedures"] == [
        {"procedure": month.short.code, "name": month.short.name, "agency": "SXD", "overdue": 1}
    ]


def test_period_ends_are_vietnam_local_dates(month):
    april = compute_kpis(KpiFilters(dt.date(2027, 4, 1), dt.date(2027, 4, 30)), now=NOW)
    assert (april["online_rate"]["total"], april["online_rate"]["online"]) == (1, 1)  # G only
    last_day = compute_kpis(KpiFilters(dt.date(2027, 3, 31), dt.date(2027, 3, 31)), now=NOW)
    assert last_day["online_rate"]["counter"] == last_day["online_rate"]["total"] == 1  # B


def test_filters_by_agency_level_and_channel(month):
    other = AgencyFactory(code="UBND_X", level=AdministrativeLevel.objects.get(code="commune"))
    assert (
        compute_kpis(KpiFilters(MARCH.date_from, MARCH.date_to, agency="UBND_X"), now=NOW)["online_rate"]["total"] == 0
    )
    commune = compute_kpis(KpiFilters(MARCH.date_from, MARCH.date_to, level="commune"), now=NOW)
    assert commune["online_rate"]["total"] == 0 and commune["dossier_digitisation"]["target"] == 0.55
    assert commune["full_online_coverage"]["published"] == 0
    assert other.code == "UBND_X"
    counter = compute_kpis(KpiFilters(MARCH.date_from, MARCH.date_to, channel="counter"), now=NOW)
    assert counter["online_rate"] == {**counter["online_rate"], "online": 0, "counter": 1, "total": 1, "rate": 0.0}
    assert counter["overdue"]["overdue"] == 0
    sxd = compute_kpis(KpiFilters(MARCH.date_from, MARCH.date_to, agency="SXD"), now=NOW)
    assert sxd["online_rate"]["total"] == 6


def test_targets_are_configurable_per_level(month):
    city = AdministrativeLevel.objects.get(code="city")
    KpiTarget.objects.filter(kpi="dossier_digitisation", level=city).update(target=Decimal("0.9"))
    KpiTarget.objects.create(kpi="on_time_rate", target=Decimal("0.95"))
    report = compute_kpis(MARCH, now=NOW)
    assert (report["dossier_digitisation"]["target"], report["dossier_digitisation"]["met"]) == (0.9, False)
    assert (report["on_time_rate"]["target"], report["on_time_rate"]["met"]) == (0.95, False)


def test_digitisation_target_is_weighted_by_level(cast):
    commune = AdministrativeLevel.objects.get(code="commune")
    ward = AgencyFactory(code="UBND_P1", level=commune)
    ward_procedure = ProcedureFactory(agency=ward)
    ward_desk = MembershipFactory(agency=ward, role="desk").user
    with at(3):
        cast.received()  # city
        for _ in range(3):
            d = cast.submitted(procedure=ward_procedure)
            cast.act(d, "receive", ward_desk)
    report = compute_kpis(MARCH, now=NOW)
    # (1 × 70% + 3 × 55%) / 4
    assert report["dossier_digitisation"]["target"] == 0.5875
    levels = {row["level"]: row["dossier_digitisation_target"] for row in report["by_level"]}
    assert levels == {"city": 0.7, "commune": 0.55}


def test_the_daily_counts_stay_exact_as_dossiers_change(month):
    maintained = rollup_snapshot()
    assert maintained
    rebuild_rollup()
    assert rollup_snapshot() == maintained
    Dossier.objects.filter(pk=month.h.pk).delete()  # even a delete outside the engine
    maintained = rollup_snapshot()
    rebuild_rollup()
    assert rollup_snapshot() == maintained
    assert compute_kpis(MARCH, now=NOW)["online_rate"]["total"] == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2027-02-30"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2027-13-01"}, "to"),
        ({"from": "2027-03-31", "to": "2027-03-01"}, "to"),
        ({"agency": "NOPE"}, "agency"),
        ({"level": "galaxy"}, "level"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_filters_name_the_field(db, params, field):
    with pytest.raises(InvalidInput) as caught:
        parse_filters(params)
    assert list(caught.value.fields) == [field]


def test_kpi_command_prints_the_same_figures(month):
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("kpi", "--from", "2027-03-01", "--to", "2027-03-31", "--format", "json", stdout=out)
        report = json.loads(out.getvalue())
        assert report == json.loads(json.dumps(compute_kpis(MARCH)))
        table = io.StringIO()
        call_command("kpi", "--from", "2027-03-01", "--to", "2027-03-31", "--agency", "SXD", stdout=table)
    assert "66.7%" in table.getvalue() and "4/6" in table.getvalue()
    for args in (["--from", "2027-02-30"], ["--agency", "NOPE"]):
        with pytest.raises(CommandError) as caught:
            call_command("kpi", *args, stdout=io.StringIO())
        assert "\n" not in str(caught.value)


def test_status_of_the_built_dossiers(month):
    """The table above is what the engine made."""
    assert month.h.status == Status.PROCESSING
    assert Dossier.objects.filter(status=Status.REFUSED).count() == 1


def test_a_kpi_target_out_of_range_or_twice_for_every_level_is_refused_in_the_admin(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    add = "/admin/workflow/kpitarget/add/"
    for kpi, target in (("on_time_rate", "95"), ("satisfaction", "-4")):
        response = client.post(add, {"kpi": kpi, "target": target})
        assert response.status_code == 200
        assert "Give a number from" in response.content.decode()
    assert client.post(add, {"kpi": "on_time_rate", "target": "0.95"}).status_code == 302
    again = client.post(add, {"kpi": "on_time_rate", "target": "0.9"})
    assert "This indicator already has a target for every level." in again.content.decode()
    assert list(KpiTarget.objects.filter(kpi="on_time_rate").values_list("target", flat=True)) == [Decimal("0.95")]
