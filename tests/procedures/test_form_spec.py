"""Application data checked against a procedure's form spec."""

import datetime as dt

import pytest
from django.utils import translation

from procedures.form_spec import clean_application_data, shown_answers

SPEC = [
    {"name": "full_name", "label": "Họ tên", "type": "text", "required": True, "max_length": 20},
    {"name": "birth_date", "label": "Ngày sinh", "type": "date"},
    {"name": "cccd", "label": "Số CCCD", "type": "national_id"},
    {"name": "phone", "label": "Điện thoại", "type": "phone"},
    {"name": "floors", "label": "Số tầng", "type": "number", "min": 1, "max": 20},
    {"name": "gender", "label": "Giới tính", "type": "choice", "choices": ["Nam", "Nữ"]},
    {"name": "agree", "label": "Cam kết", "type": "checkbox"},
]


def test_valid_data_comes_back_as_json_values():
    cleaned, errors = clean_application_data(
        SPEC,
        {"full_name": "Lê Thị Hoa", "birth_date": "2001-02-03", "cccd": "001201000123", "phone": "0905123456",
         "floors": 3, "gender": "Nữ", "agree": True},
    )  # fmt: skip
    assert errors == {}
    assert cleaned == {
        "full_name": "Lê Thị Hoa", "birth_date": "2001-02-03", "cccd": "001201000123", "phone": "0905123456",
        "floors": 3, "gender": "Nữ", "agree": True,
    }  # fmt: skip


def test_each_bad_field_is_named():
    _, errors = clean_application_data(
        SPEC,
        {"birth_date": "hôm qua", "cccd": "12345", "phone": "12", "floors": 50, "gender": "Khác", "scan": "x.pdf"},
    )
    assert set(errors) == {"full_name", "birth_date", "cccd", "phone", "floors", "gender", "scan"}
    assert errors["scan"] == ["This form has no field 'scan'."]


@pytest.mark.parametrize("value", ["1e5000", "1e10000000", "1234567890123456", "0.1234567890123456"])
def test_a_number_of_more_than_15_digits_is_refused_at_once(value):
    _, errors = clean_application_data([{"name": "capital", "label": "Vốn", "type": "number"}], {"capital": value})
    assert errors == {"capital": ["Ensure that there are no more than 15 digits in total."]}


def test_a_draft_checks_only_what_is_given():
    cleaned, errors = clean_application_data(SPEC, {"floors": "2"}, partial=True)
    assert (cleaned, errors) == ({"floors": 2}, {})


def test_vietnamese_dates_are_day_first():
    with translation.override("vi"):
        cleaned, errors = clean_application_data(SPEC, {"full_name": "An", "birth_date": "01/07/2025"})
    assert errors == {}
    assert cleaned["birth_date"] == "2025-07-01"


def test_answers_are_shown_in_the_forms_order_with_dates_as_dates():
    form = [
        {"name": "owner_name", "label": "Họ tên", "type": "text"},
        {"name": "built_on", "label": "Ngày khởi công", "type": "date"},
        {"name": "has_basement", "label": "Có tầng hầm", "type": "checkbox"},
        {"name": "note", "label": "Ghi chú", "type": "textarea"},
    ]
    data = {"retired_field": "x", "has_basement": False, "built_on": "2026-03-04", "owner_name": "An"}
    with translation.override("vi"):
        shown = shown_answers(form, data)
    assert shown == [
        {"label": "Họ tên", "value": "An", "type": "text", "text": "An"},
        {"label": "Ngày khởi công", "value": dt.date(2026, 3, 4), "type": "date", "text": "04/03/2026"},
        {"label": "Có tầng hầm", "value": False, "type": "checkbox", "text": "Không"},
        {"label": "Ghi chú", "value": None, "type": "textarea", "text": ""},
        {"label": "retired_field", "value": "x", "type": "", "text": "x"},
    ]
    assert shown_answers(form[1:2], {"built_on": "2026-02-30"})[0]["value"] == "2026-02-30"  # not a date: as stored
    # In English: ticks in words, numbers with a decimal point.
    english = shown_answers([*form[2:3], {"name": "area", "label": "Area", "type": "number"}], {"area": 12.5})
    assert [row["text"] for row in english] == ["No", "12.5"]
