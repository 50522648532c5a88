"""The public pages: home (search, most used procedures, demo logins), the
procedure search and a procedure's page, the log-in page, Vietnamese."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import include, path, reverse

from config.urls import urlpatterns as site_urlpatterns
from procedures.models import AdministrativeLevel
from tests.factories import AgencyFactory, MembershipFactory, ProcedureFactory, SectorFactory, UserFactory
from workflow.services import create_dossier

# The site with the OpenID Connect sign-in mounted, as when OIDC_RP_CLIENT_ID is set.
urlpatterns = [path("oidc/", include("mozilla_django_oidc.urls")), *site_urlpatterns]


ONE_STEP_FLOW = {
    "start": "decide",
    "steps": [
        {
            "id": "decide",
            "name": "Tiếp nhận và giải quyết",
            "role": "desk",
            "days": 0.5,
            "actions": [{"id": "approve", "label": "Duyệt", "outcome": "approve"}],
        }
    ],
}


@pytest.fixture(autouse=True)
def _no_cached_ranking():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def catalog(db):
    district = AdministrativeLevel.objects.get_or_create(code="district", defaults={"name": "Quận", "rank": 2})[0]
    construction = SectorFactory(name="Hoạt động xây dựng")
    civil = SectorFactory(name="Hộ tịch")
    sxd = AgencyFactory(code="SXD", name="Sở Xây dựng")
    district_office = AgencyFactory(code="UBND_HC", name="UBND quận Hải Châu", level=district)
    return {
        "permit": ProcedureFactory(
            code="1.009972",
            name="Cấp giấy phép xây dựng mới",
            agency=sxd,
            sector=construction,
            fee_vnd=150000,
            full_online=False,
        ),
        "birth": ProcedureFactory(
            code="1.001193",
            name="Đăng ký khai sinh",
            agency=district_office,
            sector=civil,
            fee_vnd=0,
            full_online=True,
            time_limit_days=Decimal("0.5"),
            flow=ONE_STEP_FLOW,
        ),
        "repair": ProcedureFactory(
            code="1.009974", name="Cấp giấy phép sửa chữa, cải tạo công trình", agency=sxd, sector=construction
        ),
        "retired": ProcedureFactory(code="9.999999", name="Thủ tục đã bãi bỏ", agency=sxd, is_active=False),
        "sxd": sxd,
        "district": district,
        "civil": civil,
    }


def codes(response) -> list[str]:
    return [p.code for p in response.context["page_obj"]]


def test_search_without_criteria_lists_offered_procedures_only(client, catalog):
    response = client.get(reverse("portal:procedure_search"))
    assert response.status_code == 200
    assert sorted(codes(response)) == ["1.001193", "1.009972", "1.009974"]
    assert "3 procedures found" in response.content.decode()


def test_search_by_name_ignores_case_and_vietnamese_accents(client, catalog):
    url = reverse("portal:procedure_search")
    assert codes(client.get(url, {"q": "giay phep xay dung"})) == ["1.009972"]
    assert codes(client.get(url, {"q": "ĐĂNG KÝ"})) == ["1.001193"]
    assert codes(client.get(url, {"q": "1.009974"})) == ["1.009974"]
    assert codes(client.get(url, {"q": "không có thủ tục này"})) == []


def test_search_filters_by_agency_field_level_and_full_online(client, catalog):
    url = reverse("portal:procedure_search")
    assert sorted(codes(client.get(url, {"agency": catalog["sxd"].pk}))) == ["1.009972", "1.009974"]
    assert codes(client.get(url, {"sector": catalog["civil"].pk})) == ["1.001193"]
    assert codes(client.get(url, {"level": catalog["district"].pk})) == ["1.001193"]
    assert sorted(codes(client.get(url, {"online": "on"}))) == ["1.001193", "1.009974"]
    assert codes(client.get(url, {"agency": catalog["sxd"].pk, "q": "sửa chữa"})) == ["1.009974"]


def test_the_search_form_has_labels_and_a_bad_filter_is_a_400_naming_the_field(client, catalog):
    page = client.get(reverse("portal:procedure_search")).content.decode()
    for name in ("q", "agency", "sector", "level", "online"):
        assert f'<label for="id_{name}">' in page
    response = client.get(reverse("portal:procedure_search"), {"agency": "999999"})
    assert response.status_code == 400
    assert 'id="id_agency_error"' in response.content.decode()


def test_search_results_are_paginated_keeping_the_filters(client, catalog):
    for n in range(25):
        ProcedureFactory(name=f"Thủ tục mẫu {n:02d}", agency=catalog["sxd"])
    url = reverse("portal:procedure_search")
    first = client.get(url, {"q": "mau", "agency": catalog["sxd"].pk})
    assert len(first.context["page_obj"]) == 20
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert f"?q=mau&amp;agency={catalog['sxd'].pk}&amp;page=2" in html
    second = client.get(url, {"q": "mau", "agency": catalog["sxd"].pk, "page": 2})
    assert len(second.context["page_obj"]) == 5


def test_the_procedure_page_shows_papers_fee_time_limit_and_the_steps_in_order(client, catalog):
    response = client.get(reverse("portal:procedure_detail", args=["1.009972"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cấp giấy phép xây dựng mới" in html
    assert "Giấy chứng nhận QSDĐ" in html
    assert "PDF, at most 20 MB" in html
    assert "150,000 ₫" in html
    assert "15 working days" in html
    steps = [item["step"].name for item in response.context["steps"]]
    assert steps == ["Tiếp nhận", "Thụ lý", "Phê duyệt"]
    assert [str(item["role"]) for item in response.context["steps"]] == [
        "One-stop desk",
        "Specialist",
        "Head of division",
    ]
    assert html.index("Tiếp nhận") < html.index("Thụ lý") < html.index("Phê duyệt")
    assert "0.5 working days" in html
    assert f'href="{reverse("portal:citizen_apply", args=["1.009972"])}"' in html
    assert "Apply online" in html


def test_a_free_procedure_says_free_and_an_inactive_one_is_404(client, catalog):
    assert "Free" in client.get(reverse("portal:procedure_detail", args=["1.001193"])).content.decode()
    assert client.get(reverse("portal:procedure_detail", args=["9.999999"])).status_code == 404
    assert client.get(reverse("portal:procedure_detail", args=["0.000000"])).status_code == 404


def test_home_has_the_search_box_and_the_most_used_procedures_first(client, catalog):
    citizen = UserFactory()
    for _ in range(3):
        create_dossier(procedure=catalog["repair"], user=citizen)
    create_dossier(procedure=catalog["birth"], user=citizen)
    response = client.get("/")
    html = response.content.decode()
    assert f'action="{reverse("portal:procedure_search")}"' in html
    assert '<label for="home-q">' in html
    popular = [p.code for p in response.context["popular"]]
    assert popular[:2] == ["1.009974", "1.001193"]
    assert "9.999999" not in popular


@pytest.fixture
def demo_accounts(catalog):
    for role in ("desk", "specialist", "head", "signer"):
        MembershipFactory(agency=catalog["sxd"], role=role, user__username=f"sxd.{role}")
    UserFactory(username="citizen1")
    UserFactory(username="admin", is_staff=True, is_superuser=True)


def test_home_lists_demo_logins_with_the_page_each_account_works_on(client, demo_accounts, settings):
    settings.DEBUG = True
    response = client.get("/")
    logins = {login["username"]: login["next"] for login in response.context["demo_logins"]}
    assert logins["citizen1"] == reverse("portal:citizen_dossiers")
    for role in ("desk", "specialist", "head", "signer"):
        assert logins[f"sxd.{role}"] == reverse("portal:officer_queue")
    assert logins["admin"] == reverse("portal:dashboard")
    html = response.content.decode()
    assert "Demo logins" in html
    assert f'action="{reverse("login")}"' in html
    assert '<input type="hidden" name="username" value="citizen1">' in html
    assert '<input type="hidden" name="password" value="demo12345">' in html


def test_a_demo_login_button_reaches_the_accounts_work_page(client, db, settings):
    settings.DEBUG = True
    UserFactory(username="citizen1", password="demo12345")
    login = next(item for item in client.get("/").context["demo_logins"] if item["username"] == "citizen1")
    response = client.post(reverse("login"), {"username": "citizen1", "password": "demo12345", "next": login["next"]})
    assert response.status_code == 302
    assert response.url == reverse("portal:citizen_dossiers")
    assert client.get(response.url).status_code == 200


def test_no_demo_logins_outside_debug(client, demo_accounts, settings):
    settings.DEBUG = False
    response = client.get("/")
    assert response.context["demo_logins"] == []
    assert "demo12345" not in response.content.decode()


def test_the_login_page_has_labelled_fields_and_shows_a_wrong_password_error(client, db):
    UserFactory(username="an")
    page = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">' in page
    assert '<label for="id_password">' in page
    assert "VNeID" not in page
    response = client.post(reverse("login"), {"username": "an", "password": "wrong"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "Please enter a correct username and password" in response.content.decode()


@pytest.mark.urls(__name__)
def test_the_login_page_offers_the_national_identity_provider_when_enabled(client, db, settings):
    settings.OIDC_ENABLED = True
    html = client.get(reverse("login")).content.decode()
    assert "Sign in with the national identity provider (VNeID)" in html
    assert f'href="{reverse("oidc_authentication_init")}' in html


def test_the_frame_has_a_skip_link_the_language_switcher_and_a_log_out_form(client, db):
    user = UserFactory()
    client.force_login(user)
    html = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert f'action="{reverse("set_language")}"' in html
    assert f'<form action="{reverse("logout")}" method="post"' in html
    assert f'href="{reverse("portal:citizen_dossiers")}"' in html
    assert f'href="{reverse("portal:citizen_profile")}"' in html
    assert "cdn" not in html.lower()


def test_a_page_requested_in_vietnamese_is_in_vietnamese(client, catalog):
    response = client.get(reverse("portal:procedure_detail", args=["1.009972"]), HTTP_ACCEPT_LANGUAGE="vi")
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode("utf-8")
    assert '<html lang="vi">' in html
    assert "Dịch vụ công trực tuyến" in html
    assert "Đăng nhập" in html
    assert "Cấp giấy phép xây dựng mới" in html
    assert "Tiếp nhận" in html
    assert "150.000 ₫" in html
    assert "&#" not in html.split("<main", 1)[1].split("</main>")[0].replace("&#x27;", "")
