"""Queries compiled once (workflow/compiled.py) give what the ORM gives:
the same rows in the same order, the same values, the same related objects
and deferred fields; its writes store what Model.save() stores."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Model, Q
from rest_framework.authtoken.models import Token

from portal.api.authentication import TOKEN_WITH_USER
from portal.api.views import (
    ATTACHMENTS,
    DOCUMENTS,
    HISTORY,
    PROCEDURE,
    VISIBLE_DOSSIER,
    VISIBLE_REFERENCE,
    WRITTEN_DOSSIER,
)
from workflow.compiled import CompiledQuery, insert, insert_and_update, update
from workflow.models import Attachment, AuditEvent, Document, Dossier
from workflow.roles import MEMBERSHIPS
from workflow.selectors import visible_dossiers


def values(instance: Model) -> dict:
    loaded = set(instance.__dict__)
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.attname in loaded}


def same(compiled: Model, orm: Model) -> None:
    assert type(compiled) is type(orm)
    assert compiled.get_deferred_fields() == orm.get_deferred_fields()
    assert values(compiled) == values(orm)
    assert compiled._state.adding is False and compiled._state.db == orm._state.db


def test_a_dossier_with_its_procedure_agency_and_assignee(cast):
    dossier = cast.act(cast.in_review(), "claim", cast.specialist)
    compiled = WRITTEN_DOSSIER.first(dossier.pk)
    orm = WRITTEN_DOSSIER.build(dossier.pk).get()
    same(compiled, orm)
    assert compiled.data == orm.data and isinstance(compiled.data, dict)
    assert compiled.due_at == orm.due_at and compiled.due_at.tzinfo is not None
    for related in ("procedure", "agency", "assignee"):
        same(getattr(compiled, related), getattr(orm, related))
    assert compiled.assignee == cast.specialist
    assert WRITTEN_DOSSIER.first(0) is None


def test_the_lists_come_in_the_models_order(cast):
    dossier = cast.in_review()
    for name in ("z_plan", "a_id_card"):
        Attachment.objects.create(
            dossier=dossier, name=name, file="x.pdf", original_name="x.pdf", size=1, sha256="0" * 64,
            uploaded_by=cast.citizen,
        )  # fmt: skip
    issued = dossier.created_at
    for seq, kind in ((3, "apology"), (2, "receipt")):
        Document.objects.create(
            dossier=dossier, kind=kind, event_seq=seq, file="d.pdf", sha256="0" * 64, signer_name="A",
            certificate_serial="1", created_at=issued + timedelta(minutes=seq),
        )  # fmt: skip
    for query, related in ((ATTACHMENTS, "attachment_files"), (DOCUMENTS, "documents"), (HISTORY, "events")):
        orm = list(getattr(dossier, related).all())
        compiled = query.all(dossier.pk)
        assert len(compiled) == len(orm) >= 2
        for mine, theirs in zip(compiled, orm, strict=True):
            assert mine.pk == theirs.pk
            assert all(getattr(mine, key) == value for key, value in values(mine).items())


def test_a_token_with_its_user(cast):
    token = Token.objects.create(user=cast.citizen)
    compiled = TOKEN_WITH_USER.first(token.key)
    same(compiled, Token.objects.get(key=token.key))
    same(compiled.user, cast.citizen)
    assert TOKEN_WITH_USER.first("no-such-token") is None


def test_a_procedure_with_its_agency(cast):
    compiled = PROCEDURE.first(cast.procedure.code)
    same(compiled, cast.procedure)
    assert compiled.form == cast.procedure.form
    same(compiled.agency, cast.agency)


def test_a_dossier_by_code_as_each_user_sees_it(cast):
    filed = cast.act(cast.in_review(), "claim", cast.specialist)
    unsent = cast.draft(attach=False)
    for user in (cast.citizen, cast.specialist, cast.desk, cast.other_citizen, cast.other_specialist):
        for dossier in (filed, unsent):
            orm = visible_dossiers(user).filter(code=dossier.code).first()
            compiled = VISIBLE_DOSSIER.first(user.pk, dossier.code)
            reference = VISIBLE_REFERENCE.first(user.pk, dossier.code)
            assert (compiled is None) == (reference is None) == (orm is None), (user.username, dossier.code)
            if orm is not None:
                same(compiled, VISIBLE_DOSSIER.build(user.pk, dossier.code).get())
                assert compiled.assignee == orm.assignee and compiled.procedure == orm.procedure
                assert (reference.pk, reference.code, reference.version) == (orm.pk, orm.code, orm.version)
                assert reference.get_deferred_fields() >= {"data", "status", "applicant_id"}
    # The citizen sees both of theirs; the agency the filed one only; the other agency neither.
    assert VISIBLE_DOSSIER.first(cast.citizen.pk, unsent.code) is not None
    assert VISIBLE_DOSSIER.first(cast.specialist.pk, filed.code) is not None
    assert VISIBLE_DOSSIER.first(cast.specialist.pk, unsent.code) is None
    assert VISIBLE_DOSSIER.first(cast.other_specialist.pk, filed.code) is None


def test_the_roles_a_user_holds(cast):
    held = {(m.agency_id, m.role) for m in MEMBERSHIPS.all(cast.specialist.pk)}
    assert held == set(cast.specialist.memberships.values_list("agency_id", "role")) != set()
    assert MEMBERSHIPS.all(cast.citizen.pk) == []


def test_a_value_the_query_takes_twice_is_given_in_both_places(cast):
    dossier = cast.submitted()
    both = CompiledQuery(lambda pk: Dossier.objects.filter(pk=pk) | Dossier.objects.filter(id=pk), -1)
    assert [d.pk for d in both.all(dossier.pk)] == [dossier.pk]


def test_a_constant_equal_to_a_sample_stays_a_constant(cast):
    filed = [cast.submitted() for _ in range(3)]
    assigned = cast.act(cast.in_review(), "claim", cast.specialist)
    user_id = cast.specialist.pk
    assert assigned.pk != user_id  # else the case below would not tell
    # The query's own -1 is not where the value goes, though the sample is -1 too:
    # given the specialist's id as a dossier id, the dossier assigned to them is not found.
    query = CompiledQuery(lambda pk: Dossier.objects.filter(Q(pk=pk) | Q(assignee_id=-1)), -1)
    assert [d.pk for d in query.all(user_id)] == [d.pk for d in [*filed, assigned] if d.pk == user_id]
    assert [d.pk for d in query.all(filed[0].pk)] == [filed[0].pk]


@pytest.mark.parametrize(
    ("build", "samples", "message"),
    [
        (lambda pk: Dossier.objects.all(), (-1,), "does not take"),
        (lambda pk, code: Dossier.objects.filter(pk=pk, code=code), (-1, -1), "must differ"),
    ],
    ids=["without the value", "with equal samples"],
)
def test_a_query_must_take_each_value_in_places_of_its_own(db, build, samples, message):
    with pytest.raises(ValueError, match=message):
        CompiledQuery(build, *samples).all(*(1 for _ in samples))


# Writes --------------------------------------------------------------------------


def stored(model, pk) -> dict:
    row = model.objects.filter(pk=pk).values().get()
    row.pop("id")
    return row


def test_insert_stores_the_row_save_stores(cast):
    source = cast.in_review()
    copies = []
    for write in (lambda d: d.save(force_insert=True), insert):
        copy = Dossier.objects.get(pk=source.pk)
        copy.pk, copy.code, copy.client_key = None, f"{source.code}-{len(copies)}", None
        copy._state.adding = True
        write(copy)
        assert copy.pk is not None and copy._state.adding is False and copy._state.db == "default"
        copies.append(copy)
    first, second = (stored(Dossier, c.pk) for c in copies)
    assert first.pop("code") != second.pop("code")
    assert first == second
    assert isinstance(second["data"], dict) and second["due_at"].tzinfo is not None


def test_an_event_inserted_keeps_its_hash_chain(cast):
    dossier = cast.in_review()
    event = AuditEvent.objects.filter(dossier=dossier).order_by("-seq").first()
    assert event.compute_hash() == event.hash and dossier.audit_head == event.hash
    assert event.changes  # JSON written as a parameter, read back as the dict hashed


def test_update_writes_only_the_named_columns(cast):
    dossier = cast.in_review()
    Dossier.objects.filter(pk=dossier.pk).update(applicant_phone="0999")
    dossier.data = {"owner_name": "Trần Bình", "area_m2": 80}
    dossier.step_due_at = None
    update(dossier, ["data", "step_due_at"])
    row = Dossier.objects.get(pk=dossier.pk)
    assert row.data == {"owner_name": "Trần Bình", "area_m2": 80} and row.step_due_at is None
    assert row.applicant_phone == "0999"  # not named, so not overwritten
    update(dossier, [])  # nothing to write


def test_update_of_a_row_that_is_gone_is_an_error(cast):
    dossier = cast.draft(attach=False)
    Dossier.objects.filter(pk=dossier.pk).delete()
    with pytest.raises(Dossier.DoesNotExist):
        update(dossier, ["data"])


def next_event(dossier: Dossier, seq: int) -> AuditEvent:
    previous = AuditEvent.objects.get(dossier=dossier, seq=seq - 1)
    return AuditEvent(
        dossier=dossier, seq=seq, action="note", actor_name="system", to_status=dossier.status,
        to_step=dossier.step, changes={"note": [None, "x"]}, created_at=previous.created_at, prev_hash=previous.hash,
    )  # fmt: skip


def test_insert_and_update_write_both_rows_as_insert_then_update_do(cast):
    dossier = cast.in_review()
    event = next_event(dossier, dossier.version + 1)
    event.hash = event.compute_hash()
    dossier.version, dossier.audit_head = event.seq, event.hash
    insert_and_update(event, dossier, ["version", "audit_head"])
    assert event.pk is not None and event._state.adding is False
    assert stored(AuditEvent, event.pk)["hash"] == event.hash
    row = Dossier.objects.get(pk=dossier.pk)
    assert (row.version, row.audit_head) == (event.seq, event.hash)
    # Nothing to update is an insert alone.
    lone = next_event(dossier, event.seq + 1)
    insert_and_update(lone, dossier, [])
    assert lone.pk is not None and AuditEvent.objects.filter(pk=lone.pk).exists()


def test_insert_and_update_of_a_row_that_is_gone_writes_nothing(cast):
    dossier = cast.draft(attach=False)
    event = next_event(dossier, 2)
    Dossier.objects.filter(pk=dossier.pk).update(code="gone")
    ghost = Dossier.objects.get(pk=dossier.pk)
    ghost.pk = dossier.pk + 1000
    count = AuditEvent.objects.count()
    with pytest.raises(Dossier.DoesNotExist), transaction.atomic():
        insert_and_update(event, ghost, ["code"])
    assert AuditEvent.objects.count() == count
