"""Write operations on dossiers other than actions (see ``workflow.engine``
for ``perform_action``): creating a dossier, editing a draft, attaching files."""

from __future__ import annotations

import hashlib
import json
import math
import mimetypes
import uuid
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.form_spec import clean_application_data, national_id_validator, phone_validator
from procedures.models import Agency, Procedure, Role
from procedures.selectors import published_versions
from signing.pki import person_certificate
from signing.services import prepare_signing
from workflow.audit import new_event
from workflow.compiled import CompiledQuery, insert, insert_and_update
from workflow.engine import Context, change, perform_action, pinned_version
from workflow.errors import ConflictError, InvalidInput, KeyReused, NotPermitted, WorkflowError
from workflow.models import (
    OPEN_STATES,
    RATEABLE_STATES,
    Attachment,
    Channel,
    Dossier,
    DossierCounter,
    Payment,
    PaymentMethod,
    Status,
)
from workflow.parallel import parallel_map, worker_count
from workflow.roles import holds

EDITABLE_STATES = (Status.DRAFT, Status.AWAITING_SUPPLEMENT)

# Read on every filing, so compiled once per process: the dossier a filing with this
# client key made, if any (the pair is unique), and the flow version a new dossier of
# the procedure starts on (``procedures.selectors.latest_published_version``).
FILED_WITH_KEY = CompiledQuery(
    lambda user_id, key: Dossier.objects.filter(created_by_id=user_id, client_key=key).order_by(), -1, "\x00"
)
CURRENT_FLOW = CompiledQuery(lambda procedure_id: published_versions(procedure_id).only("id")[:1], -1)


def create_dossier(
    *,
    procedure: Procedure,
    user: AbstractBaseUser,
    data: dict[str, Any] | None = None,
    channel: str = Channel.ONLINE,
    applicant: dict[str, str] | None = None,
    client_key: str | None = None,
    client_ip: str | None = None,
) -> tuple[Dossier, bool]:
    """Create a draft dossier on the procedure's current flow version.

    Online, the user is the applicant. At the counter or by post, a desk
    officer of the procedure's agency enters it for ``applicant`` (full_name,
    id_number, phone, email). ``data`` may be incomplete in a draft; what is
    given must fit the form. With ``client_key``, a retry returns the dossier
    the first call created; the second value says whether it is new.
    """
    if client_key and (len(client_key) > 128 or "\x00" in client_key):
        raise InvalidInput(
            _("The client key is not valid."), fields={"client_key": [_("At most 128 characters, no NUL.")]}
        )
    cleaned, errors = clean_application_data(procedure.form, data or {}, partial=True)
    # Off line, the applicant's details as stored, or what is wrong with them (told below).
    stored_applicant: dict[str, str] = {}
    applicant_error: InvalidInput | None = None
    if channel != Channel.ONLINE:
        try:
            stored_applicant = _applicant_fields(applicant)
        except InvalidInput as exc:
            applicant_error = exc
    # A retry is answered before the answers are judged: the form may have changed since.
    digest = ""
    if client_key:
        asked_for = stored_applicant if applicant_error is None else applicant
        digest = _request_digest(procedure, channel, asked_for, data if errors else cleaned)
        existing = FILED_WITH_KEY.first(user.pk, client_key)
        if existing is not None:
            return _retried(existing, digest), False
    if errors:
        raise InvalidInput.in_form(_("Some fields are not valid."), errors)
    current = CURRENT_FLOW.first(procedure.pk)
    if current is None or not procedure.is_active:
        raise ConflictError(_("Procedure %(code)s is not offered at the moment.") % {"code": procedure.code})
    if channel not in Channel.values:
        raise InvalidInput(
            _("Unknown channel."), fields={"channel": [_("Choose one of: %s") % ", ".join(Channel.values)]}
        )
    if channel == Channel.ONLINE:
        if applicant is not None:
            message = _("An online dossier's applicant is the account filing it; leave this out.")
            raise InvalidInput(message, fields={"applicant": [message]})
        person = {
            "applicant_name": getattr(user, "full_name", "") or user.get_username(),
            "applicant_id_number": getattr(user, "id_number", ""),
            "applicant_phone": getattr(user, "phone", ""),
            "applicant_email": user.email,
        }
        applicant_account = user
    else:
        if not holds(user, procedure.agency_id, Role.DESK):
            raise NotPermitted(_("Only the one-stop desk of the agency enters counter and postal dossiers."))
        if applicant_error is not None:
            raise applicant_error
        person = stored_applicant
        applicant_account = None
    now = timezone.now()
    try:
        with transaction.atomic():
            dossier = Dossier(
                code=_allocate_code(procedure.agency, now),
                procedure=procedure,
                flow_version=pinned_version(current.pk),
                agency=procedure.agency,
                channel=channel,
                applicant=applicant_account,
                created_by=user,
                client_key=client_key or None,
                client_key_digest=digest,
                data=cleaned,
                created_at=now,
                fee_vnd=procedure.fee_vnd,
                **person,
            )
            insert(dossier)
            event = new_event(dossier, action="create", actor=user, before={}, at=now, client_ip=client_ip)
            insert_and_update(event, dossier, ["audit_head"])
    except IntegrityError:
        existing = FILED_WITH_KEY.first(user.pk, client_key) if client_key else None
        if existing is None:
            raise
        return _retried(existing, digest), False
    return dossier, True


def _request_digest(procedure: Procedure, channel: str, person: Any, answers: Any) -> str:
    """What a creation asked for, as a SHA-256: a retry under the same key must ask for the same.

    Taken over what is stored, not how it was written: the answers as cleaned (120 and
    120.0 are one area; the raw answers when they no longer fit the form) and, off line,
    the applicant's details as stored (a phone left out and an empty one are the same;
    as sent when they are not valid).
    """
    request = [procedure.code, channel, person, answers or {}]
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


def _retried(existing: Dossier, digest: str) -> Dossier:
    """The dossier a key already made, if this request is a true retry of the one that made it
    (dossiers made before digests were kept match any)."""
    if existing.client_key_digest and existing.client_key_digest != digest:
        raise KeyReused(
            _("This key was already used to file dossier %(code)s with other content; use a new key.")
            % {"code": existing.code},
            dossier_code=existing.code,
            fields={"client_key": [_("Already used for a different request.")]},
        )
    return existing


def _applicant_fields(applicant: dict[str, str] | None) -> dict[str, str]:
    applicant = applicant if isinstance(applicant, dict) else {}
    fields: dict[str, list[str]] = {}
    name = str(applicant.get("full_name", "")).strip()
    id_number = str(applicant.get("id_number", "")).strip()
    phone = str(applicant.get("phone", "")).strip()
    email = str(applicant.get("email", "")).strip()
    if not name:
        fields["applicant.full_name"] = [_("The applicant's full name is required.")]
    for key, value, check in (
        ("id_number", id_number, national_id_validator),
        ("phone", phone, phone_validator),
        ("email", email, validate_email),
    ):
        try:
            if value:
                check(value)
        except ValidationError as exc:
            fields[f"applicant.{key}"] = exc.messages
    if fields:
        raise InvalidInput(_("The applicant's details are not valid."), fields=fields)
    return {
        "applicant_name": name,
        "applicant_id_number": id_number,
        "applicant_phone": phone,
        "applicant_email": email,
    }


def _allocate_code(agency: Agency, now) -> str:
    """``{agency}-{yymmdd}-{seq}``: the next number of the agency's day.

    One upsert both creates the day's counter and takes the next number; the
    row stays locked until the transaction ends, so concurrent filings get
    distinct numbers (PostgreSQL, and SQLite from 3.35).
    """
    day = timezone.localdate(now)
    table = DossierCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608 - table name from the model
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [agency.pk, day],
        )
        (seq,) = cursor.fetchone()
    return f"{agency.code}-{day:%y%m%d}-{seq:04d}"


def _may_edit(dossier: Dossier, user: AbstractBaseUser) -> bool:
    if dossier.applicant_id is not None and dossier.applicant_id == user.pk:
        return True
    return dossier.channel != Channel.ONLINE and holds(user, dossier.agency_id, Role.DESK)


class _Unchanged(Exception):
    """An edit that would change nothing: ``change`` rolls back and writes no event."""

    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier


def update_draft(
    *,
    dossier: Dossier,
    user: AbstractBaseUser,
    data: dict[str, Any],
    expected_version: int,
    client_ip: str | None = None,
) -> Dossier:
    """Merge ``data`` into a draft's application data (checked field by field).
    Answers that are already stored change nothing: no event, the same version
    (so a client's retry does not make other clients' versions stale)."""

    def apply(ctx: Context) -> None:
        d = ctx.dossier
        if not _may_edit(d, user):
            raise NotPermitted(_("Only the applicant can change this dossier."))
        if d.status != Status.DRAFT:
            raise ConflictError(_("Only a draft can be edited; this dossier is %(s)s.") % {"s": d.get_status_display()})
        cleaned, errors = clean_application_data(d.procedure.form, data, partial=True)
        if errors:
            raise InvalidInput.in_form(_("Some fields are not valid."), errors)
        merged = {**d.data, **cleaned}
        if merged == d.data:
            raise _Unchanged(d)
        d.data = merged

    try:
        return change(
            dossier,
            action="update",
            user=user,
            expected_version=expected_version,
            apply=apply,
            client_ip=client_ip,
            with_procedure=True,
        )
    except _Unchanged as unchanged:
        return unchanged.dossier


def add_attachment(
    *, dossier: Dossier, user: AbstractBaseUser, name: str, upload: UploadedFile, client_ip: str | None = None
) -> Attachment:
    """Store a file for one of the procedure's papers.

    The applicant attaches while the dossier is a draft or awaits a supplement;
    the desk may also attach scans of paper documents while it is open.
    """
    created: list[Attachment] = []

    def apply(ctx: Context) -> None:
        d = ctx.dossier
        desk = holds(user, d.agency_id, Role.DESK)
        if not (_may_edit(d, user) or desk):
            raise NotPermitted(_("You may not add papers to this dossier."))
        allowed = EDITABLE_STATES + ((Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING) if desk else ())
        if d.status not in allowed:
            raise ConflictError(_("Papers cannot be added while the dossier is %(s)s.") % {"s": d.get_status_display()})
        spec = next((a for a in d.procedure.attachments if a["name"] == name), None)
        if spec is None:
            names = ", ".join(a["name"] for a in d.procedure.attachments)
            raise InvalidInput(_("Unknown paper."), fields={"name": [_("Choose one of: %s") % names]})
        _check_file(spec, upload)
        digest = sha256_of(upload)
        content_type = getattr(upload, "content_type", "") or mimetypes.guess_type(upload.name or "")[0] or ""
        created.append(
            Attachment.objects.create(
                dossier=d,
                name=name,
                file=upload,
                original_name=PurePath(upload.name or name).name[:255],
                content_type=content_type[:100],
                size=upload.size,
                sha256=digest,
                uploaded_by=user,
            )
        )
        ctx.extra["attachment"] = {"name": name, "file": created[0].original_name, "sha256": digest}

    change(
        dossier,
        action="attach",
        user=user,
        expected_version=None,
        apply=apply,
        client_ip=client_ip,
        with_procedure=True,
    )
    return created[0]


def sha256_of(upload: UploadedFile) -> str:
    """The SHA-256 of an uploaded file (hex), read in chunks; the file is left at its start."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def removable(attachment: Attachment, dossier: Dossier) -> bool:
    """Whether the applicant's side may still take ``attachment`` back: any
    paper of a draft; while a supplement is awaited, only the papers added
    since it was asked for (what the agency has seen stays)."""
    if dossier.status == Status.DRAFT:
        return True
    return (
        dossier.status == Status.AWAITING_SUPPLEMENT
        and dossier.paused_at is not None
        and attachment.uploaded_at >= dossier.paused_at
    )


def remove_attachment(
    *,
    dossier: Dossier,
    user: AbstractBaseUser,
    attachment_id: int,
    expected_version: int | None = None,
    client_ip: str | None = None,
) -> Dossier:
    """Take back a paper the applicant added by mistake (see ``removable``).
    The event keeps the file's name and hash; the file goes once the change commits."""

    def apply(ctx: Context) -> None:
        d = ctx.dossier
        if not _may_edit(d, user):
            raise NotPermitted(_("You may not remove papers from this dossier."))
        attachment = d.attachment_files.filter(pk=attachment_id).first()
        if attachment is None:
            raise InvalidInput(_("No such paper on this dossier."), fields={"attachment": [_("Unknown paper.")]})
        if not removable(attachment, d):
            raise ConflictError(
                _("This paper cannot be removed while the dossier is %(s)s.") % {"s": d.get_status_display()}
            )
        ctx.extra["removed"] = {"name": attachment.name, "file": attachment.original_name, "sha256": attachment.sha256}
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        # Only once the change commits: a rolled-back removal keeps its file.
        transaction.on_commit(lambda: storage.delete(name))

    return change(
        dossier, action="detach", user=user, expected_version=expected_version, apply=apply, client_ip=client_ip
    )


# States in which the fee may be paid: before the result is handed over.
PAYABLE_STATES = (Status.DRAFT, Status.SUBMITTED, *OPEN_STATES, Status.APPROVED, Status.SIGNED)


def pay_fee(
    *,
    dossier: Dossier,
    user: AbstractBaseUser,
    method: str = PaymentMethod.ONLINE,
    provider: str = "test",
    reference: str | None = None,
    client_ip: str | None = None,
) -> Payment:
    """Record the fee as paid: online by the applicant through a payment
    provider, or at the counter, taken by the desk. Paying twice is refused."""
    created: list[Payment] = []

    def apply(ctx: Context) -> None:
        d = ctx.dossier
        if method not in PaymentMethod.values:
            choices = ", ".join(PaymentMethod.values)
            raise InvalidInput(_("Unknown payment method."), fields={"method": [_("Choose one of: %s") % choices]})
        if method == PaymentMethod.ONLINE and (d.applicant_id is None or d.applicant_id != user.pk):
            raise NotPermitted(_("Only the applicant pays the fee online."))
        if method == PaymentMethod.COUNTER and not holds(user, d.agency_id, Role.DESK):
            raise NotPermitted(_("Only the one-stop desk takes a fee at the counter."))
        if d.fee_vnd == 0:
            raise ConflictError(_("This procedure has no fee."))
        if d.paid_via:
            raise ConflictError(_("The fee has already been paid."))
        if d.status not in PAYABLE_STATES:
            raise ConflictError(_("The fee cannot be paid while the dossier is %(s)s.") % {"s": d.get_status_display()})
        d.paid_via, d.paid_at = method, ctx.now
        created.append(
            Payment.objects.create(
                dossier=d,
                amount_vnd=d.fee_vnd,
                method=method,
                provider=provider,
                reference=reference or f"{provider.upper()}-{uuid.uuid4().hex[:20].upper()}",
                paid_by=user,
                paid_at=ctx.now,
            )
        )
        ctx.extra["payment"] = {"amount_vnd": d.fee_vnd, "method": method, "reference": created[0].reference}

    change(dossier, action="pay", user=user, expected_version=None, apply=apply, client_ip=client_ip)
    return created[0]


def rate_dossier(
    *, dossier: Dossier, user: AbstractBaseUser, score: Any, comment: str = "", client_ip: str | None = None
) -> Dossier:
    """The applicant rates the service (1–5, with an optional comment) once
    the dossier is closed; a later rating replaces the earlier one."""
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise InvalidInput(_("The rating is not valid."), fields={"rating": [_("Give a rating from 1 to 5.")]})

    def apply(ctx: Context) -> None:
        d = ctx.dossier
        if d.applicant_id is None or d.applicant_id != user.pk:
            raise NotPermitted(_("Only the applicant rates the service."))
        if d.status not in RATEABLE_STATES:
            raise ConflictError(_("The service can be rated once the dossier is closed."))
        d.rating, d.rating_comment, d.rated_at = score, (comment or "").strip()[:2000], ctx.now

    return change(dossier, action="rate", user=user, expected_version=None, apply=apply, client_ip=client_ip)


# How the accepted kinds of file begin (their "magic numbers"): a file named .pdf must be a PDF.
FILE_SIGNATURES: dict[str, bytes] = {
    "pdf": b"%PDF-",
    "png": b"\x89PNG\r\n\x1a\n",
    "jpg": b"\xff\xd8\xff",
    "jpeg": b"\xff\xd8\xff",
}


def _check_file(spec: dict[str, Any], upload: UploadedFile) -> None:
    extension = PurePath(upload.name or "").suffix.lower().lstrip(".")
    types = spec.get("types") or settings.ATTACHMENT_TYPES
    if extension not in types:
        raise InvalidInput(
            _("This type of file is not accepted."),
            fields={"file": [_("Accepted types: %s") % ", ".join(types)]},
        )
    max_mb = spec.get("max_mb") or settings.ATTACHMENT_MAX_MB
    if upload.size > max_mb * 1024 * 1024:
        raise InvalidInput(_("The file is too large."), fields={"file": [_("At most %s MB.") % max_mb]})
    if upload.size == 0:
        raise InvalidInput(_("The file is empty."), fields={"file": [_("The file is empty.")]})
    signature = FILE_SIGNATURES.get(extension)
    if signature:
        head = upload.read(len(signature))
        upload.seek(0)
        if head != signature:
            raise InvalidInput(
                _("The file's content is not what its name says."),
                fields={"file": [_("This is not a %(type)s file.") % {"type": extension.upper()}]},
            )


@dataclass
class BatchOutcome:
    signed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


# At most this many dossiers per worker job: a job opens its own database
# connection, so a few dossiers share one, while jobs this small keep every
# worker busy until the end of the batch.
SIGN_JOB_SIZE = 4


def _sign_one(dossier_id: int, user: AbstractBaseUser) -> tuple[str, str | None]:
    dossier = Dossier.objects.get(pk=dossier_id)
    try:
        perform_action(dossier, "sign", user, expected_version=dossier.version)
    except WorkflowError as exc:
        return dossier.code, exc.detail
    return dossier.code, None


def _sign_job(dossier_ids: list[int], user_id: int) -> list[tuple[str, str | None]]:
    user = get_user_model().objects.get(pk=user_id)
    return [_sign_one(pk, user) for pk in dossier_ids]


def batch_sign(
    *, dossier_ids: list[int], user: AbstractBaseUser, workers: int | None = None, progress=None
) -> BatchOutcome:
    """Sign many approved dossiers for one signer, in parallel worker processes.

    Each dossier is its own ``sign`` action (its own transaction, version
    check and audit event), so one failure does not stop the others;
    ``progress(code, error)`` is called for each one as its job finishes.
    The workers are forked from this process, so what signing loads here
    once (fonts, keys, CRL) they start with.
    """
    outcome = BatchOutcome()
    if not dossier_ids:
        return outcome
    certificate = person_certificate(user)
    if certificate is not None:
        prepare_signing(certificate)
    workers = worker_count(workers)
    size = min(SIGN_JOB_SIZE, math.ceil(len(dossier_ids) / workers))
    jobs = [(dossier_ids[i : i + size], user.pk) for i in range(0, len(dossier_ids), size)]
    for results in parallel_map(_sign_job, jobs, workers=workers):
        for code, error in results:
            if error is None:
                outcome.signed.append(code)
            else:
                outcome.failed[code] = error
            if progress:
                progress(code, error)
    return outcome
