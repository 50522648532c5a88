"""Dossiers (hồ sơ) and what happens to them.

The lifecycle is the same for every procedure and lives here as a django-fsm
state machine: each transition says its source and target states and who
may take it. Which officer acts next, and what the flow's actions do, is the
step engine's business (``workflow.engine``), which reads the procedure's
flow version the dossier is pinned to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from procedures.models import Agency, FlowVersion, Procedure, Role


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REFUSED = "refused", _("Not received")
    RECEIVED = "received", pgettext_lazy("dossier status", "Received")
    PROCESSING = "processing", _("Processing")
    AWAITING_SUPPLEMENT = "awaiting_supplement", _("Awaiting supplement")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SIGNED = "signed", _("Signed")
    RETURNED = "returned", _("Result returned")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CANCELLED = "cancelled", _("Processing stopped")


# The national status codes of the public-service portal; one place, shown in the API.
NATIONAL_STATUS_CODES: dict[str, int | None] = {
    Status.DRAFT: None,
    Status.SUBMITTED: 1,  # Mới đăng ký
    Status.RECEIVED: 2,  # Được tiếp nhận
    Status.REFUSED: 3,  # Không được tiếp nhận
    Status.PROCESSING: 4,  # Đang xử lý
    Status.AWAITING_SUPPLEMENT: 5,  # Yêu cầu bổ sung
    Status.WITHDRAWN: 7,  # Công dân yêu cầu rút
    Status.CANCELLED: 8,  # Dừng xử lý
    Status.APPROVED: 9,  # Đã xử lý xong
    Status.REJECTED: 9,
    Status.SIGNED: 9,
    Status.RETURNED: 10,  # Đã trả kết quả
}

# Dossiers the agency still owes an answer on: the clock is running or paused.
OPEN_STATES = (Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT)
IN_FLOW_STATES = (Status.RECEIVED, Status.PROCESSING)
FINISHED_STATES = (Status.APPROVED, Status.REJECTED, Status.SIGNED, Status.RETURNED)


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At the counter")
    POSTAL = "postal", _("By post")


class PaymentMethod(models.TextChoices):
    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At the counter")


# States after which the applicant may rate the service.
RATEABLE_STATES = (Status.RETURNED, Status.REJECTED, Status.REFUSED, Status.CANCELLED)


class Dossier(FSMModelMixin, models.Model):
    """An application for one procedure, from filing to the returned result."""

    code = models.CharField(_("code"), max_length=48, unique=True)
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("procedure")
    )
    flow_version = models.ForeignKey(
        FlowVersion, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("flow version")
    )
    # No index of its own on agency or applicant: the indexes dossier_queue and
    # dossier_applicant below lead with them, and every index is written on every action.
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("agency"), db_index=False
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.ONLINE)

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        db_index=False,
        verbose_name=_("applicant account"),
        help_text=_("Empty for a walk-in or postal applicant without an account."),
    )
    applicant_name = models.CharField(_("applicant"), max_length=255)
    applicant_id_number = models.CharField(_("citizen ID number"), max_length=12, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    # NULL, not "", when absent: the key is unique per creator only where given.
    client_key = models.CharField(  # noqa: DJ001
        _("client key"), max_length=128, null=True, blank=True, help_text=_("Makes a retried creation idempotent.")
    )
    # SHA-256 of the creation request the key came with: a retry must repeat it.
    client_key_digest = models.CharField(_("client key request digest"), max_length=64, blank=True, editable=False)

    data = models.JSONField(_("application data"), default=dict, blank=True)
    status = FSMField(_("status"), max_length=24, choices=Status.choices, default=Status.DRAFT, protected=True)
    step = models.CharField(_("step"), max_length=64, blank=True)
    # The role whose queue the dossier is in; derived from status and step, kept for indexed queues.
    pending_role = models.CharField(_("waiting for"), max_length=16, choices=Role.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
        verbose_name=_("assigned to"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    # Hash of the last audit event: the head of the dossier's chain (event #version).
    audit_head = models.CharField(max_length=64, blank=True, editable=False)

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    due_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    step_due_at = models.DateTimeField(_("step due"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    remaining_days = models.DecimalField(
        _("working days left when paused"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    step_remaining_days = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    # Fee, payment and the service's indicators, kept on the row so the KPIs read one indexed table.
    fee_vnd = models.PositiveBigIntegerField(_("fee (VND)"), default=0)
    paid_via = models.CharField(_("fee paid"), max_length=16, choices=PaymentMethod.choices, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # Set at intake: every required paper is held as a file.
    papers_digitised = models.BooleanField(_("papers digitised"), null=True, blank=True)
    # Set when the result is signed electronically.
    result_digitised = models.BooleanField(_("signed electronic result"), default=False)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    finished_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    finished_late = models.BooleanField(_("finished late"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "client_key"],
                condition=Q(client_key__isnull=False),
                name="dossier_unique_client_key",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "pending_role", "status"], name="dossier_queue"),
            models.Index(fields=["status", "due_at"], name="dossier_status_due"),
            models.Index(fields=["received_at"], name="dossier_received"),
            models.Index(fields=["applicant", "-created_at"], name="dossier_applicant"),
            # KPIs: "overdue now" and the top overdue procedures read only dossiers in the flow.
            models.Index(
                fields=["due_at", "agency", "procedure", "channel"],
                condition=Q(status__in=["received", "processing"]),
                name="dossier_in_flow_due",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def national_status_code(self) -> int | None:
        return NATIONAL_STATUS_CODES[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def is_paused(self) -> bool:
        """The clock stands still while the applicant's supplement is awaited."""
        return self.status == Status.AWAITING_SUPPLEMENT

    @property
    def appointment_stands(self) -> bool:
        """Whether an appointment is (or will be) owed: not once the dossier ended
        without a result (refused at intake, withdrawn, processing stopped)."""
        return self.status not in (Status.REFUSED, Status.WITHDRAWN, Status.CANCELLED)

    @property
    def is_overdue(self) -> bool:
        """Open, the clock running, and past the appointment."""
        return self.status in IN_FLOW_STATES and self.due_at is not None and self.due_at < timezone.now()

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'

    # The lifecycle. Each method only moves the state; the engine sets the
    # dates, the step and the queue around it in the same transaction.
    @transition(field=status, source=Status.DRAFT, target=Status.SUBMITTED)
    def submit(self) -> None:
        """Nộp hồ sơ."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.RECEIVED)
    def receive(self) -> None:
        """Tiếp nhận: the desk accepts the dossier and gives an appointment."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.REFUSED)
    def refuse(self) -> None:
        """Không tiếp nhận: refused at intake, with a reason."""

    @transition(field=status, source=IN_FLOW_STATES, target=Status.PROCESSING)
    def move(self) -> None:
        """A flow action to another step."""

    @transition(field=status, source=IN_FLOW_STATES, target=Status.AWAITING_SUPPLEMENT)
    def request_supplement(self) -> None:
        """Yêu cầu bổ sung: the clock pauses until the applicant answers."""

    @transition(field=status, source=Status.AWAITING_SUPPLEMENT, target=Status.PROCESSING)
    def supplement_submitted(self) -> None:
        """The applicant supplied the papers; the clock resumes."""

    @transition(field=status, source=IN_FLOW_STATES, target=Status.APPROVED)
    def approve(self) -> None:
        """The flow ended with approval."""

    @transition(field=status, source=IN_FLOW_STATES, target=Status.REJECTED)
    def reject(self) -> None:
        """The flow ended with rejection."""

    @transition(field=status, source=Status.APPROVED, target=Status.SIGNED)
    def sign(self) -> None:
        """Ký số: the result is signed."""

    @transition(field=status, source=Status.SIGNED, target=Status.RETURNED)
    def return_result(self) -> None:
        """Trả kết quả: no result is returned unsigned."""

    @transition(field=status, source=(Status.DRAFT, Status.SUBMITTED, *OPEN_STATES), target=Status.WITHDRAWN)
    def withdraw(self) -> None:
        """Rút hồ sơ, by the applicant."""

    @transition(field=status, source=OPEN_STATES, target=Status.CANCELLED)
    def cancel(self) -> None:
        """Dừng xử lý, by the agency, with a reason."""


class Attachment(models.Model):
    """A file of a dossier, for one of the procedure's required papers."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachment_files")
    name = models.CharField(_("paper"), max_length=64)
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["dossier", "name", "uploaded_at"]

    def __str__(self) -> str:
        return f"{self.name}: {self.original_name}"


class Payment(models.Model):
    """A fee payment for a dossier, as the payment provider confirmed it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="payments")
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    provider = models.CharField(_("provider"), max_length=32)
    reference = models.CharField(_("transaction reference"), max_length=64, unique=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    paid_at = models.DateTimeField(_("paid at"), default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["dossier", "paid_at"]

    def __str__(self) -> str:
        return f"{self.dossier} {self.amount_vnd} VND ({self.reference})"


class DossierCounter(models.Model):
    """The last sequence number given to an agency's dossiers on one day."""

    # Indexed by dossiercounter_unique_day (agency, day).
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossiercounter_unique_day")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.last}"


class CalendarDay(models.Model):
    """An exception to the public calendar: an extra day off, or a make-up working day."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"), help_text=_("Ticked: a make-up working day. Unticked: an extra day off.")
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.note}"


class Apology(models.Model):
    """Mẫu 04: an apology to the applicant for a late dossier, with a new date."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="apologies")
    previous_due_at = models.DateTimeField(_("previous appointment"))
    new_due_at = models.DateTimeField(_("new appointment"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("apology for lateness")
        verbose_name_plural = _("apologies for lateness")
        ordering = ["dossier", "created_at"]

    def __str__(self) -> str:
        return f"{self.dossier} → {self.new_due_at:%d/%m/%Y}"


# What an event's hash covers, written one way for good: keys sorted, no spaces, UTF-8 as is.
_HASHED_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


class AuditEvent(models.Model):
    """One thing that happened to a dossier. Events of a dossier form a hash
    chain: each hash covers the event and the previous hash, so an edited or
    removed event breaks the chain (``manage.py verify_audit``)."""

    # Indexed by auditevent_unique_seq (dossier, seq).
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events", db_index=False)
    seq = models.PositiveIntegerField()
    action = models.CharField(_("action"), max_length=64)
    # PROTECT: the actor's id is part of the event's hash, so a user who acted is
    # deactivated, never deleted (deleting one broke every chain they were in).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=255)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    from_step = models.CharField(max_length=64, blank=True)
    to_step = models.CharField(max_length=64, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("at"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["dossier", "seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="auditevent_unique_seq")]

    def __str__(self) -> str:
        return f"{self.dossier} #{self.seq} {self.action}"

    def compute_hash(self) -> str:
        content: dict[str, Any] = {
            "dossier": self.dossier_id,
            "seq": self.seq,
            "action": self.action,
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "from_step": self.from_step,
            "to_step": self.to_step,
            "comment": self.comment,
            "changes": self.changes,
            "client_ip": self.client_ip,
            "created_at": self.created_at.astimezone(dt.UTC).isoformat(),
            "prev_hash": self.prev_hash,
        }
        return hashlib.sha256(_HASHED_JSON.encode(content).encode()).hexdigest()


class Document(models.Model):
    """A signed PDF issued for a dossier: receipt (Mẫu 01), request for a
    supplement (Mẫu 02), refusal (Mẫu 03), apology (Mẫu 04) or the result."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt and appointment (form 01)")
        SUPPLEMENT_REQUEST = "supplement_request", _("Request for a supplement (form 02)")
        REFUSAL = "refusal", _("Refusal to receive (form 03)")
        APOLOGY = "apology", _("Apology with a new date (form 04)")
        RESULT = "result", _("Result")

    # Indexed by document_once_per_event (dossier, kind, event_seq).
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="documents", db_index=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # The audit event that called for it: one document per (dossier, kind, event), so a retried job adds none.
    event_seq = models.PositiveIntegerField()
    token = models.UUIDField(_("verification token"), unique=True, default=uuid.uuid4, editable=False)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    signer_name = models.CharField(_("signed by"), max_length=255)
    certificate_serial = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["dossier", "created_at"]
        constraints = [models.UniqueConstraint(fields=["dossier", "kind", "event_seq"], name="document_once_per_event")]

    def __str__(self) -> str:
        return f"{self.dossier} – {self.get_kind_display()}"


class Kpi(models.TextChoices):
    """The indicators the dashboard tracks (docs/kpis.md)."""

    ONLINE_RATE = "online_rate", _("Online rate")
    ON_TIME_RATE = "on_time_rate", _("On-time rate")
    DOSSIER_DIGITISATION = "dossier_digitisation", _("Dossier digitisation")
    RESULT_DIGITISATION = "result_digitisation", _("Result digitisation")
    ONLINE_PAYMENT_RATE = "online_payment_rate", _("Online payment rate")
    FULL_ONLINE_COVERAGE = "full_online_coverage", _("Full-online coverage")
    SATISFACTION = "satisfaction", _("Satisfaction (mean rating)")


class KpiTarget(models.Model):
    """The target of one KPI, for every level (no level) or for one administrative level."""

    kpi = models.CharField(_("indicator"), max_length=32, choices=Kpi.choices)
    level = models.ForeignKey(
        "procedures.AdministrativeLevel",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("administrative level"),
        help_text=_("Empty: the target for every level without one of its own."),
    )
    target = models.DecimalField(
        _("target"),
        max_digits=6,
        decimal_places=4,
        help_text=_("A share from 0 to 1 (0.6 is 60%), or a mean rating for satisfaction."),
    )

    class Meta:
        ordering = ["kpi", "level__rank"]
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "level"],
                name="kpitarget_unique_level",
                violation_error_message=_("This indicator already has a target for this level."),
            ),
            models.UniqueConstraint(
                fields=["kpi"],
                condition=Q(level__isnull=True),
                name="kpitarget_unique_default",
                violation_error_message=_("This indicator already has a target for every level."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kpi_display()} – {self.level or _('all levels')}: {self.target}"

    def clean(self) -> None:
        """A share is from 0 to 1 (0.95 is 95%, not 95); a mean rating from 1 to 5."""
        if self.target is None:
            return
        low, high = (1, 5) if self.kpi == Kpi.SATISFACTION else (0, 1)
        if not low <= self.target <= high:
            raise ValidationError({"target": _("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high}})


class KpiDaily(models.Model):
    """Daily counts per agency and channel, by Vietnam local date, for the KPIs.

    Maintained by database triggers on the dossier table (migration 0005), so
    every write – engine, bulk load, admin, raw SQL – keeps it exact; the
    dashboard reads a few thousand rows here instead of scanning dossiers.
    Each dossier counts on the day of each event: receipt, decision, return, rating.
    """

    day = models.DateField()
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    received = models.IntegerField(default=0)
    papers_digitised = models.IntegerField(default=0)
    with_fee = models.IntegerField(default=0)
    paid_online = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    result_digitised = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    rating_sum = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily KPI counts")
        verbose_name_plural = _("daily KPI counts")
        constraints = [models.UniqueConstraint(fields=["day", "agency", "channel"], name="kpidaily_unique_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.channel}"


class DemoDocumentsOwed(models.Model):
    """A dossier ``seed_demo`` made whose receipt or signed result it has not issued yet.

    Written with the dossier and removed with its last document, so a run stopped
    in between is finished by the next; dossiers made with ``--no-documents``, and
    every real dossier, never owe any.
    """

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, primary_key=True, related_name="+")

    class Meta:
        verbose_name = _("demo dossier owed documents")
        verbose_name_plural = _("demo dossiers owed documents")

    def __str__(self) -> str:
        return str(self.dossier_id)


class PendingNotice(models.Model):
    """A signed notice or an e-mail that follows a committed action but could not
    be queued (the broker was down) or failed after its retries. The action stands;
    ``manage.py issue_notices`` issues what is recorded here, then removes it."""

    class Job(models.TextChoices):
        DOCUMENT = "document", _("signed notice")
        EMAIL = "email", _("e-mail")

    # Indexed by pendingnotice_once (dossier, event_seq, job).
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="+", db_index=False)
    event_seq = models.PositiveIntegerField()
    job = models.CharField(max_length=16, choices=Job.choices)
    # The document kind, or the notice the e-mail gives (a state, or "apology").
    what = models.CharField(max_length=32)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pending notice")
        verbose_name_plural = _("pending notices")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "event_seq", "job"], name="pendingnotice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.event_seq} {self.job} {self.what}"
