"""People and dossiers for workflow tests: one agency with an officer per
role, a second agency, two citizens, and helpers that walk a dossier along
the documented flow (intake → review → decide)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from signing.pki import init_pki, issue_person_certificate
from tests.factories import AgencyFactory, MembershipFactory, ProcedureFactory, UserFactory
from workflow.engine import perform_action
from workflow.services import add_attachment, create_dossier

ROLES = ("desk", "specialist", "head", "signer", "clerk")
FORM_DATA = {"owner_name": "Nguyễn Văn An", "area_m2": 120}


class Cast:
    """Everyone a test needs, by name: ``cast.desk``, ``cast.other_specialist``…"""

    def __init__(self) -> None:
        self.agency = AgencyFactory(code="SXD", name="Sở Xây dựng")
        self.other_agency = AgencyFactory(code="STP", name="Sở Tư pháp")
        self.procedure = ProcedureFactory(agency=self.agency)
        for role in ROLES:
            setattr(self, role, MembershipFactory(agency=self.agency, role=role, user__username=f"sxd.{role}").user)
        self.second_specialist = MembershipFactory(
            agency=self.agency, role="specialist", user__username="sxd.specialist2"
        ).user
        self.other_specialist = MembershipFactory(
            agency=self.other_agency, role="specialist", user__username="stp.specialist"
        ).user
        init_pki()
        issue_person_certificate(self.signer, self.agency)
        self.citizen = UserFactory(username="an", full_name="Nguyễn Văn An", email="an@example.vn")
        self.other_citizen = UserFactory(username="binh", full_name="Trần Thị Bình")

    def act(self, dossier, action, user, **kwargs):
        return perform_action(dossier, action, user, expected_version=dossier.version, **kwargs)

    def draft(self, *, user=None, data=None, attach=True, **kwargs):
        dossier, _ = create_dossier(
            procedure=kwargs.pop("procedure", self.procedure),
            user=user or self.citizen,
            data=FORM_DATA if data is None else data,
            **kwargs,
        )
        return self.attach(dossier, user or self.citizen) if attach else dossier

    def attach(self, dossier, user, file_name: str = "so-do.pdf"):
        """``dossier`` with a scan of the land title added by ``user``, read back."""
        add_attachment(
            dossier=dossier,
            user=user,
            name="land_title",
            upload=SimpleUploadedFile(file_name, b"%PDF-1.4 scan", content_type="application/pdf"),
        )
        dossier.refresh_from_db()
        return dossier

    def submitted(self, **kwargs):
        return self.act(self.draft(**kwargs), "submit", self.citizen)

    def received(self, **kwargs):
        return self.act(self.submitted(**kwargs), "receive", self.desk)

    def in_review(self, **kwargs):
        return self.act(self.received(**kwargs), "accept", self.desk)

    def approved(self, **kwargs):
        dossier = self.act(self.in_review(**kwargs), "propose", self.specialist)
        return self.act(dossier, "approve", self.head)


@pytest.fixture
def cast(db) -> Cast:
    return Cast()
