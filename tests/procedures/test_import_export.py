"""The YAML catalog through its management commands: import creates and
updates rows and publishes changed flows, all or nothing; every error is one
line "file: path: reason"; export writes text that imports back to the same
catalog."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from procedures.models import Agency, FlowVersion, Procedure, Sector
from procedures.services import create_flow_draft, update_flow_draft
from tests.factories import flow_definition

pytestmark = pytest.mark.django_db

# The example of docs/procedure-format.md: a department under the city
# People's Committee and one of its procedures with the documented flow.
EXAMPLE = """\
agencies:
  - code: UBND_TP
    name: Ủy ban nhân dân thành phố Đà Nẵng
    level: city
  - code: SXD
    name: Sở Xây dựng thành phố Đà Nẵng
    level: city
    parent: UBND_TP
procedures:
  - code: "1.009972"
    name: Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ
    agency: SXD
    field: Hoạt động xây dựng
    time_limit_days: 15
    fee_vnd: 75000
    full_online: true
    form:
      - name: owner_name
        label: Họ và tên chủ đầu tư
        type: text
        required: true
      - name: area_m2
        label: Diện tích xây dựng (m²)
        type: number
        min: 1
    attachments:
      - name: land_title
        label: Giấy chứng nhận quyền sử dụng đất
        required: true
        types: [pdf]
    flow:
      start: intake
      steps:
        - id: intake
          name: Tiếp nhận
          role: desk
          days: 0.5
          actions:
            - {id: accept, label: Chuyển thụ lý, to: review}
        - id: review
          name: Thụ lý
          role: specialist
          days: 10
          actions:
            - {id: propose, label: Trình duyệt, to: decide}
            - {id: ask_more, label: Yêu cầu bổ sung, outcome: supplement}
        - id: decide
          name: Phê duyệt
          role: head
          days: 4.5
          actions:
            - {id: approve, label: Duyệt, outcome: approve}
            - {id: reject, label: Từ chối, outcome: reject}
            - {id: send_back, label: Trả lại, to: review}
"""

CODE = "1.009972"


def example() -> dict:
    return yaml.safe_load(EXAMPLE)


def write(path: Path, content: str | dict) -> Path:
    text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def import_files(*paths: Path) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_procedures", *map(str, paths), stdout=out, stderr=err)
    assert err.getvalue() == ""
    return out.getvalue()


def import_errors(*paths: Path) -> list[str]:
    """The lines printed on stderr by an import that must fail."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as exc_info:
        call_command("import_procedures", *map(str, paths), stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert str(exc_info.value) == f"{len(lines)} error(s); nothing was imported."
    assert out.getvalue() == ""
    return lines


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_procedures", *args, stdout=out)
    return out.getvalue()


def versions(code: str = CODE) -> list[tuple[int, str]]:
    return list(FlowVersion.objects.filter(procedure__code=code).order_by("number").values_list("number", "status"))


# Import


def test_the_documented_example_uses_the_documented_flow():
    assert example()["procedures"][0]["flow"] == flow_definition()


def test_import_creates_agencies_sector_procedure_and_publishes_v1(tmp_path):
    output = import_files(write(tmp_path / "catalog.yaml", EXAMPLE))

    assert output.strip() == (
        "Agencies: 2 created, 0 updated. Procedures: 1 created, 0 updated. Flow versions published: 1."
    )
    sxd = Agency.objects.get(code="SXD")
    assert sxd.level.code == "city"
    assert sxd.parent.code == "UBND_TP"
    procedure = Procedure.objects.get(code=CODE)
    assert procedure.agency == sxd
    assert procedure.sector == Sector.objects.get(name="Hoạt động xây dựng")
    assert procedure.time_limit_days == 15
    assert procedure.fee_vnd == 75000
    assert procedure.full_online is True
    assert [f["name"] for f in procedure.form] == ["owner_name", "area_m2"]
    assert procedure.attachments == [
        {"name": "land_title", "label": "Giấy chứng nhận quyền sử dụng đất", "required": True, "types": ["pdf"]}
    ]
    assert versions() == [(1, "published")]
    assert FlowVersion.objects.get(procedure=procedure).definition == flow_definition()


def test_importing_the_same_file_again_publishes_nothing_new(tmp_path):
    path = write(tmp_path / "catalog.yaml", EXAMPLE)
    import_files(path)

    output = import_files(path)

    assert output.strip() == (
        "Agencies: 0 created, 2 updated. Procedures: 0 created, 1 updated. Flow versions published: 0."
    )
    assert versions() == [(1, "published")]


def test_the_same_flow_written_differently_is_not_a_new_version(tmp_path):
    import_files(write(tmp_path / "catalog.yaml", EXAMPLE))
    data = example()
    step = data["procedures"][0]["flow"]["steps"][1]
    step["days"] = 10.0
    data["procedures"][0]["flow"]["steps"][1] = dict(reversed(list(step.items())))

    import_files(write(tmp_path / "reordered.yaml", data))

    assert versions() == [(1, "published")]


def test_a_changed_flow_is_published_as_v2_and_v1_stays_as_it_was(tmp_path):
    import_files(write(tmp_path / "catalog.yaml", EXAMPLE))
    v1 = FlowVersion.objects.get(procedure__code=CODE, number=1)
    data = example()
    data["procedures"][0]["flow"]["steps"][1]["days"] = 8

    output = import_files(write(tmp_path / "catalog.yaml", data))

    assert output.strip().endswith("Flow versions published: 1.")
    assert versions() == [(1, "published"), (2, "published")]
    # A dossier started on v1 keeps reading exactly what it started on.
    unchanged = FlowVersion.objects.get(pk=v1.pk)
    assert unchanged.definition == flow_definition()
    assert unchanged.published_at == v1.published_at
    v2 = FlowVersion.objects.get(procedure__code=CODE, number=2)
    assert v2.definition["steps"][1]["days"] == 8


def test_import_replaces_an_open_draft_with_the_file_flow(tmp_path):
    import_files(write(tmp_path / "catalog.yaml", EXAMPLE))
    draft = create_flow_draft(procedure=Procedure.objects.get(code=CODE))
    update_flow_draft(version=draft, definition={"start": "half-written"})
    data = example()
    data["procedures"][0]["flow"]["steps"][1]["days"] = 8

    import_files(write(tmp_path / "catalog.yaml", data))

    assert versions() == [(1, "published"), (2, "published")]
    assert FlowVersion.objects.get(pk=draft.pk).definition["steps"][1]["days"] == 8


def test_a_child_agency_may_come_before_its_parent(tmp_path):
    data = example()
    data["agencies"].reverse()

    import_files(write(tmp_path / "catalog.yaml", data))

    assert Agency.objects.get(code="SXD").parent.code == "UBND_TP"


# All or nothing


def test_a_bad_file_stops_the_import_of_a_good_one(tmp_path):
    good = write(tmp_path / "good.yaml", EXAMPLE)
    bad = write(tmp_path / "bad.yaml", {"agencies": [{"code": "STP", "name": "Sở Tư pháp", "level": "galaxy"}]})

    assert len(import_errors(good, bad)) == 1

    assert not Agency.objects.exists()
    assert not Procedure.objects.exists()
    assert not Sector.objects.exists()
    assert not FlowVersion.objects.exists()


def test_an_existing_procedure_is_not_changed_when_a_later_file_is_bad(tmp_path):
    import_files(write(tmp_path / "catalog.yaml", EXAMPLE))
    data = example()
    data["procedures"][0]["name"] = "Tên mới"
    data["procedures"][0]["flow"]["steps"][1]["days"] = 8
    changed = write(tmp_path / "changed.yaml", data)
    bad = write(tmp_path / "bad.yaml", "procedures: {}\n")

    import_errors(changed, bad)

    procedure = Procedure.objects.get(code=CODE)
    assert procedure.name == "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"
    assert versions() == [(1, "published")]


# Error lines: "file: path: reason", one per line


def test_every_error_of_every_file_is_reported_on_its_own_line(tmp_path):
    shape = example()
    shape["procedures"][0]["colour"] = "red"
    shape["procedures"][0]["fee_vnd"] = "free"
    first = write(tmp_path / "shape.yaml", shape)
    references = example()
    references["agencies"][0]["level"] = "galaxy"
    references["procedures"][0]["code"] = "1.000001"
    references["procedures"][0]["agency"] = "NOPE"
    second = write(tmp_path / "references.yaml", references)

    assert import_errors(first, second) == [
        f"{first}: procedures[0].colour: unknown key 'colour'",
        f"{first}: procedures[0].fee_vnd: must be a whole number, not 'free'",
        f"{second}: agencies[0].level: administrative level 'galaxy' does not exist "
        "(known: city, commune, district, province)",
        f"{second}: procedures[0].agency: agency 'NOPE' is neither in these files nor in the database",
    ]


def test_a_yaml_syntax_error_names_line_and_column(tmp_path):
    path = write(tmp_path / "broken.yaml", "agencies:\n  - code: SXD\n    name: [Sở Xây dựng\n")

    [line] = import_errors(path)

    assert line.startswith(f"{path}: line 4, column 1: YAML syntax error: ")


def test_a_duplicate_yaml_key_is_an_error(tmp_path):
    path = write(tmp_path / "twice.yaml", "agencies:\n  - code: SXD\n    name: A\n    name: B\n    level: city\n")

    assert import_errors(path) == [f"{path}: line 4, column 5: YAML syntax error: the key 'name' appears twice"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["procedures"][0].update(colour="red"), "procedures[0].colour: unknown key 'colour'"),
        (
            lambda d: d["procedures"][0].update(fee_vnd="free"),
            "procedures[0].fee_vnd: must be a whole number, not 'free'",
        ),
        (lambda d: d["procedures"][0].pop("field"), "procedures[0].field: required key is missing"),
        (
            lambda d: d["procedures"][0].update(agency="NOPE"),
            "procedures[0].agency: agency 'NOPE' is neither in these files nor in the database",
        ),
        (
            lambda d: d["agencies"][1].update(parent="NOPE"),
            "agencies[1].parent: agency 'NOPE' is neither in these files nor in the database",
        ),
        (
            lambda d: d["agencies"][0].update(level="galaxy"),
            "agencies[0].level: administrative level 'galaxy' does not exist "
            "(known: city, commune, district, province)",
        ),
        (
            lambda d: d["procedures"][0]["form"].append({"name": "kind", "label": "Loại công trình", "type": "choice"}),
            "procedures[0].form[2].choices: field 'kind' is a choice but lists no choices",
        ),
        (
            lambda d: d["procedures"][0]["flow"].update(start="welcome"),
            "procedures[0].flow.start: the start step 'welcome' does not exist",
        ),
    ],
    ids=[
        "unknown key",
        "wrong type",
        "missing key",
        "unknown agency",
        "unknown parent",
        "unknown level",
        "choice without choices",
        "invalid flow",
    ],
)
def test_an_error_names_file_path_and_reason(tmp_path, change, reason):
    data = example()
    change(data)
    path = write(tmp_path / "catalog.yaml", data)

    assert import_errors(path) == [f"{path}: {reason}"]
    assert not Procedure.objects.exists()


def test_an_agency_name_longer_than_its_column_is_an_error(tmp_path):
    data = example()
    data["agencies"][0]["name"] = "Ủ" * 256
    path = write(tmp_path / "catalog.yaml", data)

    [line] = import_errors(path)

    assert line.startswith(f"{path}: agencies[0].name: ")
    assert line.endswith("is too long")


def test_a_number_of_more_than_15_digits_is_an_error_not_a_traceback(tmp_path):
    data = example()
    data["procedures"][0]["fee_vnd"] = 2**63
    data["procedures"][0]["flow"]["steps"][1]["days"] = 10**400
    path = write(tmp_path / "catalog.yaml", data)

    too_large = "is too large a number (at most 15 digits)"
    assert import_errors(path) == [
        f"{path}: procedures[0].fee_vnd: {too_large}",
        f"{path}: procedures[0].flow.steps[1].days: {too_large}",
    ]


@pytest.mark.parametrize(
    ("change", "where", "value"),
    [
        (lambda p: p.update(time_limit_days=float("nan")), "time_limit_days", "nan"),
        (lambda p: p.update(time_limit_days=float("inf")), "time_limit_days", "inf"),
        (lambda p: p.update(fee_vnd=float("nan")), "fee_vnd", "nan"),
        (lambda p: p["flow"]["steps"][1].update(days=float("-inf")), "flow.steps[1].days", "-inf"),
        (lambda p: p["form"][1].update(min=float("nan")), "form[1].min", "nan"),
        (lambda p: p["attachments"][0].update(max_mb=float("inf")), "attachments[0].max_mb", "inf"),
    ],
    ids=["nan time limit", "inf time limit", "nan fee", "-inf step days", "nan form min", "inf attachment size"],
)
def test_a_number_that_is_nan_or_infinite_is_an_error_and_changes_nothing(tmp_path, change, where, value):
    import_files(write(tmp_path / "catalog.yaml", EXAMPLE))
    data = example()
    data["procedures"][0]["name"] = "Tên mới"
    change(data["procedures"][0])
    path = write(tmp_path / "catalog.yaml", data)
    assert ".nan" in path.read_text(encoding="utf-8") or ".inf" in path.read_text(encoding="utf-8")

    assert import_errors(path) == [f"{path}: procedures[0].{where}: must be a finite number, not {value}"]
    procedure = Procedure.objects.get(code=CODE)
    assert (procedure.name, procedure.time_limit_days, procedure.fee_vnd) == (
        "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        15,
        75000,
    )
    assert versions() == [(1, "published")]


def test_a_nul_character_anywhere_is_an_error_and_changes_nothing(tmp_path):
    import_files(write(tmp_path / "catalog.yaml", EXAMPLE))
    data = example()
    data["procedures"][0]["name"] = "Tên\x00mới"
    data["procedures"][0]["flow"]["steps"][1]["name"] = "Bước\x00hai"
    path = write(tmp_path / "catalog.yaml", data)
    unstorable = "contains a NUL or surrogate character, which cannot be stored"
    assert import_errors(path) == [
        f"{path}: procedures[0].name: {unstorable}",
        f"{path}: procedures[0].flow.steps[1].name: {unstorable}",
    ]
    assert Procedure.objects.get(code=CODE).name == "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"
    assert versions() == [(1, "published")]


def test_a_procedure_code_defined_in_two_files_is_an_error(tmp_path):
    first = write(tmp_path / "first.yaml", EXAMPLE)
    data = example()
    del data["agencies"]
    second = write(tmp_path / "second.yaml", data)

    assert import_errors(first, second) == [f"{second}: procedures[0].code: '{CODE}' is already defined in {first}"]


def test_a_missing_file_is_an_error(tmp_path):
    good = write(tmp_path / "good.yaml", EXAMPLE)
    missing = tmp_path / "missing.yaml"

    assert import_errors(good, missing) == [f"{missing}: file not found"]
    assert not Agency.objects.exists()


def test_errors_are_listed_in_the_order_of_the_files(tmp_path):
    first = write(tmp_path / "first.yaml", "procedures: 1\n")
    second = write(tmp_path / "second.yaml", "agencies: 1\n")

    assert import_errors(second, first) == [
        f"{second}: agencies: must be a list, not 1",
        f"{first}: procedures: must be a list, not 1",
    ]


# Export


def test_export_round_trip_gives_the_same_text(tmp_path):
    import_files(write(tmp_path / "catalog.yaml", EXAMPLE))
    exported = tmp_path / "exported.yaml"
    call_command("export_procedures", "-o", str(exported), stdout=io.StringIO())
    first = exported.read_text(encoding="utf-8")

    output = import_files(exported)
    second = export()

    assert output.strip().endswith("Flow versions published: 0.")
    assert second == first
    assert versions() == [(1, "published")]


def test_export_writes_the_current_published_flow(tmp_path):
    import_files(write(tmp_path / "catalog.yaml", EXAMPLE))
    data = example()
    data["procedures"][0]["flow"]["steps"][1]["days"] = 8
    import_files(write(tmp_path / "catalog.yaml", data))

    [procedure] = yaml.safe_load(export())["procedures"]

    assert procedure["flow"]["steps"][1]["days"] == 8


def test_export_of_one_procedure_brings_its_agency_and_parent_agency(tmp_path):
    data = example()
    data["agencies"].append({"code": "CA_TP", "name": "Công an thành phố Đà Nẵng", "level": "city"})
    other = {**example()["procedures"][0], "code": "2.001234", "name": "Cấp hộ chiếu", "agency": "CA_TP"}
    data["procedures"].append(other)
    import_files(write(tmp_path / "catalog.yaml", data))

    exported = yaml.safe_load(export("--procedure", CODE))

    assert [a["code"] for a in exported["agencies"]] == ["SXD", "UBND_TP"]
    assert [p["code"] for p in exported["procedures"]] == [CODE]


def test_export_of_an_unknown_procedure_is_an_error(tmp_path):
    import_files(write(tmp_path / "catalog.yaml", EXAMPLE))

    with pytest.raises(CommandError, match=r"^No procedure with code: 9\.999999$"):
        export("--procedure", CODE, "--procedure", "9.999999")


def test_vietnamese_text_survives_the_round_trip(tmp_path):
    import_files(write(tmp_path / "catalog.yaml", EXAMPLE))
    exported = tmp_path / "exported.yaml"
    call_command("export_procedures", "-o", str(exported), stdout=io.StringIO())
    Procedure.objects.all().delete()
    Agency.objects.get(code="SXD").delete()
    Agency.objects.get(code="UBND_TP").delete()
    Sector.objects.all().delete()

    import_files(exported)

    text = exported.read_text(encoding="utf-8")
    assert "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ" in text
    assert "\\u" not in text
    procedure = Procedure.objects.get(code=CODE)
    assert procedure.name == "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"
    assert procedure.sector.name == "Hoạt động xây dựng"
    assert procedure.agency.parent.name == "Ủy ban nhân dân thành phố Đà Nẵng"
    assert procedure.form[1]["label"] == "Diện tích xây dựng (m²)"
    assert FlowVersion.objects.get(procedure=procedure).definition["steps"][1]["actions"][1]["label"] == (
        "Yêu cầu bổ sung"
    )


def test_parent_agencies_in_a_circle_are_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text(
        "agencies:\n"
        "  - {code: A, name: Cơ quan A, level: city, parent: B}\n"
        "  - {code: B, name: Cơ quan B, level: city, parent: A}\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_procedures", str(path), stderr=err)
    assert f"{path}: agencies[0].parent: the parent agencies go round in a circle back to this one" in err.getvalue()
