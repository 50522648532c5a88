"""The catalog admin as an administrator uses it: lists load, a procedure
opens its flow draft, the draft page shows the YAML, its problems and the
graph, and "Save and publish" refuses a flow that breaks a rule."""

import html as html_lib
import re
import shutil

import pytest
import yaml
from django import forms
from django.urls import reverse
from django.utils.html import escape

from procedures.models import AdministrativeLevel, Agency, FlowVersion
from procedures.selectors import draft_version
from procedures.services import create_flow_draft
from tests.factories import AgencyFactory, ProcedureFactory, SectorFactory, UserFactory, flow_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def procedure():
    return ProcedureFactory(code="1.009972", name="Cấp giấy phép xây dựng")


def bound_data(form: forms.BaseForm) -> dict:
    """What a browser would post for ``form`` as it was rendered."""
    data = {}
    for field in form:
        value = field.value()
        if isinstance(field.field, forms.BooleanField):
            if value:
                data[field.html_name] = "on"
        elif value is not None:
            data[field.html_name] = value
    return data


def procedure_post_data(admin_client, procedure, **changes) -> dict:
    """The procedure change form as loaded, with ``changes``, ready to post."""
    response = admin_client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk]))
    data = bound_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({formset.management_form.add_prefix(k): v for k, v in formset.management_form.initial.items()})
        for form in formset.forms:
            data.update(bound_data(form))
    data.update(changes)
    return data


def draft_url(version: FlowVersion) -> str:
    return reverse("admin:procedures_flowversion_change", args=[version.pk])


def field_errors(html: str, field: str) -> list[str]:
    """The errors the admin shows in the row of ``field``."""
    match = re.search(
        rf'<div class="form-row errors field-{field}">\s*<ul class="errorlist"[^>]*>(.*?)</ul>', html, re.DOTALL
    )
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


@pytest.mark.parametrize("model", ["procedure", "agency", "flowversion", "sector", "administrativelevel"])
def test_changelists_load(admin_client, procedure, model):
    response = admin_client.get(reverse(f"admin:procedures_{model}_changelist"))

    assert response.status_code == 200


def test_procedure_changelist_shows_the_current_flow_version(admin_client, procedure):
    create_flow_draft(procedure=procedure)

    response = admin_client.get(reverse("admin:procedures_procedure_changelist"))

    assert response.context["cl"].result_list.get(pk=procedure.pk).current_number == 1


def test_procedure_change_page_loads_with_the_edit_flow_button(admin_client, procedure):
    response = admin_client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk]))

    assert response.status_code == 200
    assert 'name="_edit_flow"' in response.content.decode()


def test_edit_flow_saves_and_redirects_to_a_new_draft(admin_client, procedure):
    data = procedure_post_data(admin_client, procedure, name="Cấp giấy phép xây dựng nhà ở", _edit_flow="1")

    response = admin_client.post(reverse("admin:procedures_procedure_change", args=[procedure.pk]), data)

    draft = draft_version(procedure)
    assert draft is not None
    assert response.status_code == 302
    assert response.url == draft_url(draft)
    assert draft.number == 2
    assert draft.definition == flow_definition()
    procedure.refresh_from_db()
    assert procedure.name == "Cấp giấy phép xây dựng nhà ở"


def test_edit_flow_reopens_the_open_draft(admin_client, procedure):
    draft = create_flow_draft(procedure=procedure)
    data = procedure_post_data(admin_client, procedure, _edit_flow="1")

    response = admin_client.post(reverse("admin:procedures_procedure_change", args=[procedure.pk]), data)

    assert response.url == draft_url(draft)
    assert procedure.flow_versions.count() == 2


def test_an_invalid_form_spec_is_shown_next_to_the_field(admin_client, procedure):
    spec = '[{"name": "kind", "label": "Loại công trình", "type": "choice"}]'
    data = procedure_post_data(admin_client, procedure, form=spec)

    response = admin_client.post(reverse("admin:procedures_procedure_change", args=[procedure.pk]), data)

    assert response.status_code == 200
    assert field_errors(response.content.decode(), "form") == [
        escape("[0].choices: field 'kind' is a choice but lists no choices")
    ]
    procedure.refresh_from_db()
    assert procedure.form[0]["name"] == "owner_name"


def test_the_draft_page_shows_yaml_problems_and_graph(admin_client, procedure):
    assert shutil.which("dot"), "Graphviz is a project dependency: run scripts/system-deps.sh"
    data = procedure_post_data(admin_client, procedure, _edit_flow="1")

    response = admin_client.post(reverse("admin:procedures_procedure_change", args=[procedure.pk]), data, follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.redirect_chain == [(draft_url(draft_version(procedure)), 302)]
    textarea = re.search(r'<textarea name="definition_yaml"[^>]*>(.*?)</textarea>', html, re.DOTALL)
    assert yaml.safe_load(html_lib.unescape(textarea.group(1))) == flow_definition()
    assert '<div class="form-row field-problems">' in html
    assert "The flow is valid and can be published." in html
    graph = re.search(r'<div class="flow-graph"[^>]*>(.*?)</svg>', html, re.DOTALL)
    assert graph is not None
    assert "<svg" in graph.group(1)
    assert "Tiếp nhận" in graph.group(1)


def test_the_draft_page_lists_the_problems_of_an_invalid_draft(admin_client, procedure):
    draft = create_flow_draft(procedure=procedure)
    flow = flow_definition()
    flow["start"] = "welcome"
    draft.definition = flow
    draft.save()

    response = admin_client.get(draft_url(draft))

    assert escape("start: the start step 'welcome' does not exist") in response.content.decode()


def test_publishing_an_invalid_flow_shows_the_errors_and_keeps_the_draft(admin_client, procedure):
    draft = create_flow_draft(procedure=procedure)
    flow = flow_definition()
    flow["steps"][1]["actions"][0]["to"] = "decid"

    response = admin_client.post(
        draft_url(draft), {"definition_yaml": yaml.safe_dump(flow, allow_unicode=True), "_publish": "1"}
    )

    assert response.status_code == 200
    assert field_errors(response.content.decode(), "definition_yaml") == [
        escape("steps[1].actions[0].to: step 'review', action 'propose': target step 'decid' does not exist")
    ]
    draft.refresh_from_db()
    assert draft.status == FlowVersion.Status.DRAFT
    assert draft.definition == flow_definition()


def test_a_yaml_syntax_error_is_shown_with_line_and_column(admin_client, procedure):
    draft = create_flow_draft(procedure=procedure)

    response = admin_client.post(
        draft_url(draft), {"definition_yaml": "start: intake\nsteps: [a, }\n", "_publish": "1"}
    )

    assert response.status_code == 200
    [error] = field_errors(response.content.decode(), "definition_yaml")
    assert error.startswith("line 2, column 12: YAML syntax error: ")
    draft.refresh_from_db()
    assert draft.status == FlowVersion.Status.DRAFT


def test_save_draft_keeps_an_invalid_flow_as_a_draft(admin_client, procedure):
    draft = create_flow_draft(procedure=procedure)
    flow = flow_definition()
    flow["start"] = "welcome"

    response = admin_client.post(draft_url(draft), {"definition_yaml": yaml.safe_dump(flow), "_continue": "1"})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == FlowVersion.Status.DRAFT
    assert draft.definition["start"] == "welcome"


def test_publishing_a_valid_flow_publishes_it(admin_client, procedure):
    draft = create_flow_draft(procedure=procedure)
    flow = flow_definition()
    flow["steps"][1]["days"] = 8

    response = admin_client.post(
        draft_url(draft), {"definition_yaml": yaml.safe_dump(flow, allow_unicode=True), "_publish": "1"}, follow=True
    )

    assert response.status_code == 200
    assert "Version 2 is published." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == FlowVersion.Status.PUBLISHED
    assert draft.published_by.username == "admin"
    assert draft.definition["steps"][1]["days"] == 8


def test_a_published_version_is_read_only(admin_client, procedure):
    v1 = procedure.flow_versions.get(number=1)

    page = admin_client.get(draft_url(v1))
    post = admin_client.post(draft_url(v1), {"definition_yaml": "start: x\n", "_publish": "1"})

    assert page.status_code == 200
    assert 'name="definition_yaml"' not in page.content.decode()
    assert post.status_code == 403
    v1.refresh_from_db()
    assert v1.definition == flow_definition()


def test_a_new_procedure_can_be_added(admin_client):
    agency = AgencyFactory(code="SXD")
    sector = SectorFactory(name="Xây dựng")
    data = {
        "code": "1.000123",
        "name": "Thủ tục mới",
        "agency": agency.pk,
        "sector": sector.pk,
        "is_active": "on",
        "time_limit_days": "10",
        "fee_vnd": "0",
        "form": "[]",
        "attachments": "[]",
        "flow_versions-TOTAL_FORMS": "0",
        "flow_versions-INITIAL_FORMS": "0",
    }

    response = admin_client.post(reverse("admin:procedures_procedure_add"), data)

    assert response.status_code == 302
    assert not FlowVersion.objects.filter(procedure__code="1.000123").exists()


def test_a_duplicate_key_or_a_bare_date_is_refused_not_saved(admin_client, procedure):
    draft = create_flow_draft(procedure=procedure)

    response = admin_client.post(
        draft_url(draft), {"definition_yaml": "start: a\nstart: b\nsteps: []\n", "_continue": "1"}
    )
    [error] = field_errors(response.content.decode(), "definition_yaml")
    assert "the key 'start' appears twice" in html_lib.unescape(error)

    response = admin_client.post(
        draft_url(draft), {"definition_yaml": "start: 2024-01-01\nsteps: []\n", "_continue": "1"}
    )
    [error] = field_errors(response.content.decode(), "definition_yaml")
    assert "quote dates and times" in error
    draft.refresh_from_db()
    assert draft.definition == flow_definition()


def test_the_time_limit_cannot_drop_below_the_published_flow(admin_client, procedure):
    data = procedure_post_data(admin_client, procedure, time_limit_days="12")

    response = admin_client.post(reverse("admin:procedures_procedure_change", args=[procedure.pk]), data)

    assert response.status_code == 200
    assert field_errors(response.content.decode(), "time_limit_days") == [
        "The published flow (version 1) takes 15 working days; publish a shorter flow before lowering the time "
        "limit below that."
    ]
    procedure.refresh_from_db()
    assert procedure.time_limit_days == 15

    data = procedure_post_data(admin_client, procedure, time_limit_days="20")
    admin_client.post(reverse("admin:procedures_procedure_change", args=[procedure.pk]), data)
    procedure.refresh_from_db()
    assert procedure.time_limit_days == 20


def test_a_time_limit_that_is_not_whole_half_days_is_refused(admin_client, procedure):
    data = procedure_post_data(admin_client, procedure, time_limit_days="15.3")

    response = admin_client.post(reverse("admin:procedures_procedure_change", args=[procedure.pk]), data)

    assert response.status_code == 200
    assert field_errors(response.content.decode(), "time_limit_days") == ["must be a multiple of 0.5"]
    procedure.refresh_from_db()
    assert procedure.time_limit_days == 15


def test_an_emptied_form_or_papers_box_saves_an_empty_list_and_a_non_finite_number_is_refused(admin_client, procedure):
    change = reverse("admin:procedures_procedure_change", args=[procedure.pk])
    response = admin_client.post(change, procedure_post_data(admin_client, procedure, form="", attachments=""))
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert (procedure.form, procedure.attachments) == ([], [])

    papers = '[{"name": "scan", "label": "Bản quét", "max_mb": 1e400}]'
    response = admin_client.post(change, procedure_post_data(admin_client, procedure, attachments=papers))
    assert response.status_code == 200
    assert field_errors(response.content.decode(), "attachments") == ["[0].max_mb: must be a finite number, not inf"]


@pytest.mark.parametrize(("days", "error"), [(".nan", "must be a finite number, not nan"), ("1" + "0" * 400, None)])
def test_a_draft_with_a_number_that_cannot_be_kept_is_refused_not_a_500(admin_client, procedure, days, error):
    draft = create_flow_draft(procedure=procedure)
    text = yaml.safe_dump(flow_definition()).replace("days: 0.5", f"days: {days}", 1)
    assert f"days: {days}" in text

    response = admin_client.post(draft_url(draft), {"definition_yaml": text, "_continue": "1"})

    assert response.status_code == 200
    message = error or "is too large a number (at most 15 digits)"
    assert f"steps[0].days: {message}" in response.content.decode()
    assert admin_client.get(draft_url(draft)).status_code == 200


def test_an_agency_cannot_be_its_own_parent_or_close_a_circle(admin_client):
    level = AdministrativeLevel.objects.first()
    city = Agency.objects.create(code="TP", name="UBND Thành phố", level=level)
    district = Agency.objects.create(code="Q1", name="UBND Quận 1", level=level, parent=city)
    change = reverse("admin:procedures_agency_change", args=[city.pk])
    for parent, message in ((city, "an agency cannot be its own parent"), (district, "go round in a circle")):
        data = {"code": "TP", "name": "UBND Thành phố", "level": level.pk, "parent": parent.pk}
        response = admin_client.post(change, data)
        assert response.status_code == 200
        assert message in response.content.decode()
    city.refresh_from_db()
    assert city.parent is None


def test_a_fee_of_more_than_15_digits_is_refused_so_the_export_imports_again(admin_client, procedure):
    change = reverse("admin:procedures_procedure_change", args=[procedure.pk])
    response = admin_client.post(change, procedure_post_data(admin_client, procedure, fee_vnd=str(10**15)))
    assert response.status_code == 200
    assert field_errors(response.content.decode(), "fee_vnd") == [
        "Ensure this value is less than or equal to 999999999999999."
    ]
