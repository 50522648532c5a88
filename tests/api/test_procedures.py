"""The public catalog: list with filters, and one procedure with its form and current flow."""

from __future__ import annotations

import pytest

from procedures.models import AdministrativeLevel
from procedures.services import create_flow_draft, publish_flow_version
from tests.api.conftest import api_for, error_of
from tests.factories import AgencyFactory, ProcedureFactory, SectorFactory, flow_definition


@pytest.fixture
def catalog(db):
    district = AdministrativeLevel.objects.get_or_create(code="district", defaults={"name": "Quận", "rank": 2})[0]
    sxd = AgencyFactory(code="SXD")
    ward = AgencyFactory(code="UBND_Q1", level=district)
    civil = SectorFactory(name="Hộ tịch")
    return {
        "permit": ProcedureFactory(code="1.009972", name="Cấp giấy phép xây dựng", agency=sxd, full_online=False),
        "birth": ProcedureFactory(code="1.001193", name="Đăng ký khai sinh", agency=ward, sector=civil, fee_vnd=0),
        "gone": ProcedureFactory(code="1.000001", name="Thủ tục cũ", agency=sxd, is_active=False),
        "civil": civil,
    }


def codes(**params):
    response = api_for().get("/api/v1/procedures/", params)
    assert response.status_code == 200, response.content
    return [p["code"] for p in response.json()["results"]]


def test_list_and_filters(catalog):
    assert codes() == ["1.001193", "1.009972"]
    assert codes(search="khai sinh") == ["1.001193"]
    assert codes(search="9972") == ["1.009972"]
    assert codes(agency="sxd") == ["1.009972"]
    assert codes(field=catalog["civil"].pk) == ["1.001193"]
    assert codes(level="district") == ["1.001193"]
    assert codes(full_online="true") == ["1.001193"]
    assert codes(full_online="false", agency="SXD") == ["1.009972"]


def test_the_list_comes_in_pages_of_twenty(catalog):
    for n in range(23):
        ProcedureFactory(code=f"2.{n:06d}", name=f"Thủ tục {n:02d}", agency=catalog["permit"].agency)
    first = api_for().get("/api/v1/procedures/").json()
    assert first["count"] == 25 and len(first["results"]) == 20 and first["previous"] is None
    second = api_for().get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    seen = [p["code"] for p in first["results"] + second["results"]]
    assert len(set(seen)) == 25 and seen == sorted(seen)
    response = api_for().get("/api/v1/procedures/", {"page": 3})
    assert response.status_code == 404 and error_of(response)["error"] == "not_found"


@pytest.mark.parametrize("params", [{"full_online": "perhaps"}, {"field": "x"}, {"field": 2**70}])
def test_bad_filters_are_400_naming_them(catalog, params):
    response = api_for().get("/api/v1/procedures/", params)
    assert response.status_code == 400 and set(error_of(response)["fields"]) == set(params)


def test_detail_has_form_papers_fee_limit_and_current_flow(catalog):
    procedure = catalog["permit"]
    definition = flow_definition()
    definition["steps"][1]["days"] = 9
    publish_flow_version(version=create_flow_draft(procedure=procedure, definition=definition))
    body = api_for().get(f"/api/v1/procedures/{procedure.code}/").json()
    assert body["fee_vnd"] == 75000 and body["time_limit_days"] == 15
    assert body["agency"]["code"] == "SXD" and body["level"]["code"] == "city"
    assert [f["name"] for f in body["form"]] == ["owner_name", "area_m2"]
    assert body["attachments"][0] == {
        "name": "land_title",
        "label": "Giấy chứng nhận QSDĐ",
        "required": True,
        "types": ["pdf"],
    }
    flow = body["current_flow"]
    assert flow["version"] == 2 and flow["start"] == "intake"
    assert [s["id"] for s in flow["steps"]] == ["intake", "review", "decide"]
    assert flow["steps"][1]["days"] == 9


def test_unknown_or_withdrawn_procedure_is_404(catalog):
    for code in ("9.999", catalog["gone"].code):
        response = api_for().get(f"/api/v1/procedures/{code}/")
        assert response.status_code == 404 and error_of(response)["error"] == "not_found"


def test_procedure_without_a_published_flow_has_no_current_flow(catalog):
    bare = ProcedureFactory(code="2.000001", flow=False)
    assert api_for().get(f"/api/v1/procedures/{bare.code}/").json()["current_flow"] is None
