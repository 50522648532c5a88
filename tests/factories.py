"""Factories for the catalog and accounts. ``flow_definition`` builds the flow
of docs/procedure-format.md, which tests then break one rule at a time."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import factory

from accounts.models import Membership, User
from procedures.models import AdministrativeLevel, Agency, Procedure, Sector
from procedures.services import create_flow_draft, publish_flow_version

BASE_FLOW: dict[str, Any] = {
    "start": "intake",
    "steps": [
        {
            "id": "intake",
            "name": "Tiếp nhận",
            "role": "desk",
            "days": 0.5,
            "actions": [{"id": "accept", "label": "Chuyển thụ lý", "to": "review"}],
        },
        {
            "id": "review",
            "name": "Thụ lý",
            "role": "specialist",
            "days": 10,
            "actions": [
                {"id": "propose", "label": "Trình duyệt", "to": "decide"},
                {"id": "ask_more", "label": "Yêu cầu bổ sung", "outcome": "supplement"},
            ],
        },
        {
            "id": "decide",
            "name": "Phê duyệt",
            "role": "head",
            "days": 4.5,
            "actions": [
                {"id": "approve", "label": "Duyệt", "outcome": "approve"},
                {"id": "reject", "label": "Từ chối", "outcome": "reject"},
                {"id": "send_back", "label": "Trả lại", "to": "review"},
            ],
        },
    ],
}


def flow_definition() -> dict[str, Any]:
    return copy.deepcopy(BASE_FLOW)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"AG{n}")
    name = factory.Sequence(lambda n: f"Cơ quan {n}")
    # get_or_create: transactional tests flush the levels the data migration made.
    level = factory.LazyFunction(
        lambda: AdministrativeLevel.objects.get_or_create(code="city", defaults={"name": "Thành phố", "rank": 1})[0]
    )


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["name"]

    name = "Xây dựng"


class ProcedureFactory(factory.django.DjangoModelFactory):
    """A procedure with the base flow published as version 1."""

    class Meta:
        model = Procedure
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"1.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục {n}")
    agency = factory.SubFactory(AgencyFactory)
    sector = factory.SubFactory(SectorFactory)
    time_limit_days = Decimal(15)
    fee_vnd = 75000
    full_online = True
    form = factory.LazyFunction(
        lambda: [
            {"name": "owner_name", "label": "Họ tên", "type": "text", "required": True},
            {"name": "area_m2", "label": "Diện tích (m²)", "type": "number", "min": 1},
        ]
    )
    attachments = factory.LazyFunction(
        lambda: [{"name": "land_title", "label": "Giấy chứng nhận QSDĐ", "required": True, "types": ["pdf"]}]
    )

    @factory.post_generation
    def flow(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            draft = create_flow_draft(procedure=obj, definition=extracted or flow_definition())
            publish_flow_version(version=draft)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Người dùng {n}")
    password = factory.django.Password("secret-pass-1")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = "specialist"
