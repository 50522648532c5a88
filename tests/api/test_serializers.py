"""The answer serializers follow a plan compiled from their declared fields
(portal/api/serializers.py); what they give must be what DRF's own
Serializer.to_representation gives for the same fields, on every answer that
uses them: a dossier's detail at each stage, with papers, documents, history,
an assignee or none, and the list."""

from __future__ import annotations

import pytest
from rest_framework import serializers

from portal.api import serializers as api_serializers
from portal.api.serializers import AnswerSerializer, DossierDetailSerializer
from tests.api.conftest import api_for


def both_ways(client, path: str) -> tuple[dict, dict]:
    """The answer to GET ``path`` with the compiled plan, then with DRF's generic path."""
    compiled = client.get(path)
    assert compiled.status_code == 200, compiled.content
    compiled_plan = AnswerSerializer.__dict__["to_representation"]
    try:
        AnswerSerializer.to_representation = serializers.Serializer.to_representation
        generic = client.get(path)
    finally:
        AnswerSerializer.to_representation = compiled_plan
    assert generic.status_code == 200, generic.content
    return compiled.json(), generic.json()


@pytest.fixture
def signed(cast, django_capture_on_commit_callbacks):
    """A returned dossier with a signed receipt and result, papers and a claimed step in its history."""
    with django_capture_on_commit_callbacks(execute=True):
        dossier = cast.act(cast.in_review(), "claim", cast.specialist)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = cast.act(dossier, "propose", cast.specialist, comment="Đủ điều kiện cấp phép")
        dossier = cast.act(dossier, "approve", cast.head)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = cast.act(dossier, "sign", cast.signer)
    return dossier


def test_the_detail_of_a_draft_is_the_same_both_ways(cast):
    dossier = cast.draft()
    compiled, generic = both_ways(api_for(cast.citizen), f"/api/v1/dossiers/{dossier.code}/")
    assert compiled == generic
    assert compiled["assignee"] is None and compiled["due_date"] is None
    assert [a["name"] for a in compiled["attachments"]] == ["land_title"]


def test_the_detail_of_a_claimed_dossier_is_the_same_both_ways(cast):
    dossier = cast.act(cast.in_review(), "claim", cast.specialist)
    compiled, generic = both_ways(api_for(cast.specialist), f"/api/v1/dossiers/{dossier.code}/")
    assert compiled == generic
    assert compiled["assignee"] == cast.specialist.username
    assert compiled["step_name"] and compiled["available_actions"]
    assert compiled["applicant"]["full_name"] == "Nguyễn Văn An"


def test_the_detail_of_a_signed_dossier_is_the_same_both_ways(cast, signed):
    compiled, generic = both_ways(api_for(cast.citizen), f"/api/v1/dossiers/{signed.code}/")
    assert compiled == generic
    assert {d["kind"] for d in compiled["documents"]} >= {"receipt", "result"}
    assert all(d["download_url"].startswith("http://testserver/api/v1/documents/") for d in compiled["documents"])
    assert compiled["history"][-1]["action"] == "sign"
    assert isinstance(compiled["procedure_time_limit_days"], float | int)


def test_the_list_is_the_same_both_ways(cast, signed):
    cast.draft(user=cast.citizen)
    compiled, generic = both_ways(api_for(cast.citizen), "/api/v1/dossiers/")
    assert compiled == generic
    assert len(compiled["results"]) == 2


def test_a_serializer_that_nests_a_plain_drf_serializer_is_refused_when_compiled():
    class Inner(serializers.Serializer):
        name = serializers.CharField()

    class Outer(AnswerSerializer):
        inner = Inner()

    with pytest.raises(TypeError, match=r"Outer\.inner"):
        Outer().to_representation({"inner": {"name": "x"}})


def test_each_answer_class_compiles_its_own_plan(cast):
    dossier = cast.draft()
    client = api_for(cast.citizen)
    client.get(f"/api/v1/dossiers/{dossier.code}/")
    client.get("/api/v1/dossiers/")
    detail_plan = DossierDetailSerializer.__dict__["_plan"]
    list_plan = api_serializers.DossierSerializer.__dict__["_plan"]
    assert [name for name, *_ in detail_plan] == list(DossierDetailSerializer().fields)
    assert len(list_plan) < len(detail_plan)


class Owner:
    def __init__(self, name=None):
        self.name = name


class Parcel:
    def __init__(self, owner=None):
        self.owner = owner
        self.area = 120


class Fallbacks(AnswerSerializer):
    """Each of DRF's fallbacks for an attribute that cannot be read."""

    area = serializers.IntegerField()
    owner_name = serializers.CharField(source="owner.name", default="chưa rõ")
    owner_name_or_null = serializers.CharField(source="owner.name", allow_null=True)
    owner_name_if_any = serializers.CharField(source="owner.name", required=False)


def generic(serializer_class, instance) -> dict:
    return dict(serializers.Serializer.to_representation(serializer_class(), instance))


@pytest.mark.parametrize(
    "parcel",
    [Parcel(Owner("Nguyễn Văn An")), Parcel(Owner()), Parcel(None)],
    ids=["owner with a name", "owner without a name", "no owner"],
)
def test_unreadable_attributes_fall_back_as_drf_does(parcel):
    assert Fallbacks().to_representation(parcel) == generic(Fallbacks, parcel)


def test_an_attribute_missing_past_none_takes_the_default_or_null_or_is_left_out():
    answer = Fallbacks().to_representation(Parcel(None))
    assert answer == {"area": 120, "owner_name": "chưa rõ", "owner_name_or_null": None}


def test_a_required_attribute_that_cannot_be_read_raises_as_drf_does():
    class Strict(AnswerSerializer):
        owner_name = serializers.CharField(source="owner.name")

    with pytest.raises(AttributeError):
        generic(Strict, Parcel(None))
    with pytest.raises(AttributeError):
        Strict().to_representation(Parcel(None))
    # A key missing from a mapping likewise.
    with pytest.raises(KeyError):
        Strict().to_representation({"owner": {}})
