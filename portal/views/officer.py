"""Pages for the officer audience: the work queue, intake at the one-stop
desk (online, walk-in and postal dossiers), the dossier page with the
actions the user may take, batch signing and the overdue list.

Every change goes through ``workflow.engine.perform_action`` or
``workflow.services``; views only translate HTTP. An officer sees the
dossiers of the agencies where they hold a role (others get 404)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.http import client_ip, stale_error
from portal.officer_forms import (
    ActionForm,
    ProcedureChoiceForm,
    QueueFilterForm,
    WalkInForm,
    walk_in_application_form,
)
from portal.templatetags.officer_tags import officer_pages
from portal.views.citizen import http_status, timeline
from procedures.form_spec import shown_answers
from procedures.models import Procedure, Role
from procedures.selectors import latest_published_version
from workflow.engine import LIFECYCLE, AvailableAction, available_actions, perform_action, pinned_version
from workflow.errors import InvalidInput, KeyReused, StaleVersion, WorkflowError
from workflow.models import Attachment, Document, Dossier, PaymentMethod, Status
from workflow.roles import agencies_of, memberships
from workflow.selectors import overdue_dossiers, visible_dossiers, work_queue
from workflow.services import add_attachment, batch_sign, create_dossier, pay_fee

PAGE_SIZE = 20
SIGN_PAGE_SIZE = 100
# The JSON signing endpoint signs at most this many dossiers per request.
SIGN_CHUNK = 5
# Inputs of an action's form, by the field names the engine reports errors under.
ACTION_FIELDS = ("comment", "assignee", "new_due_date")


# Access -----------------------------------------------------------------------------


def officer_page(page: str) -> Callable:
    """Login required, and the user's roles must open ``page`` (see officer_tags.officer_pages)."""

    def decorate(view: Callable) -> Callable:
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not officer_pages(request.user)[page]:
                raise PermissionDenied(_("This page is for officers."))
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


def officer_dossiers(user, queryset: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """The dossiers (of ``queryset``, by default all visible) of the agencies where the user holds a role."""
    queryset = visible_dossiers(user) if queryset is None else queryset
    return queryset if user.is_superuser else queryset.filter(agency_id__in=agencies_of(user))


def agencies_where(user, role: str) -> set[int]:
    return {agency_id for agency_id, held in memberships(user) if held == role}


def _paginate(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _step_name(dossier: Dossier) -> str:
    step = dossier.flow_version.flow.step(dossier.step) if dossier.step else None
    return step.name if step else ""


def _safe_next(request: HttpRequest, target: str) -> str | None:
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return None


class Candidates:
    """Officers a head may assign a dossier to: those holding the step's role at its agency."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, str], list] = {}

    def for_dossier(self, dossier: Dossier) -> list:
        step = dossier.flow_version.flow.step(dossier.step) if dossier.step else None
        if step is None:
            return []
        key = (dossier.agency_id, step.role)
        if key not in self._cache:
            self._cache[key] = list(
                get_user_model()
                .objects.filter(memberships__agency_id=dossier.agency_id, memberships__role=step.role, is_active=True)
                .order_by("full_name", "username")
                .distinct()
            )
        return self._cache[key]


def _rows(dossiers, user) -> list[dict[str, Any]]:
    """A list row per dossier: its step name, the actions the user may take and, for heads, whom to assign."""
    candidates = Candidates()
    rows = []
    for dossier in dossiers:
        actions = {a.name: a for a in available_actions(dossier, user)}
        rows.append(
            {
                "dossier": dossier,
                "step_name": _step_name(dossier),
                "actions": actions,
                "candidates": candidates.for_dossier(dossier) if "assign" in actions else [],
            }
        )
    return rows


# The work queue -----------------------------------------------------------------------


def _queue_steps(user) -> list[tuple[str, str]]:
    """The steps the user's queue has dossiers at, with their names from the flows."""
    names: dict[str, set[str]] = {}
    pairs = work_queue(user).exclude(step="").order_by().values_list("flow_version_id", "step").distinct()
    for version_id, step_id in pairs:
        step = pinned_version(version_id).flow.step(step_id)
        names.setdefault(step_id, set()).add(step.name if step else step_id)
    return sorted(((step_id, " / ".join(sorted(n))) for step_id, n in names.items()), key=lambda item: item[1])


@officer_page("queue")
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Dossiers waiting for one of the user's roles, with filters."""
    user = request.user
    form = QueueFilterForm(request.GET, steps=_queue_steps(user))
    filters = form.cleaned_data if form.is_valid() else {}
    overdue = {"yes": True, "no": False}.get(filters.get("overdue", ""))
    queryset = work_queue(
        user, step=filters.get("step") or None, overdue=overdue, assigned_to_me=bool(filters.get("mine"))
    )
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    page = _paginate(request, queryset)
    context = {"form": form, "page_obj": page, "rows": _rows(page, user), "here": request.get_full_path()}
    return render(request, "portal/officer/queue.html", context, status=200 if form.is_valid() else 400)


# The dossier page and its actions ---------------------------------------------------------


def _action_forms(
    dossier: Dossier, user, *, failed: str | None = None, form: ActionForm | None = None, error=None
) -> list[dict[str, Any]]:
    """Each available action with its form; the failed one keeps its input and shows its error."""
    candidates = Candidates()
    items = []
    for action in available_actions(dossier, user):
        item: dict[str, Any] = {"action": action, "error": None, "field_errors": {}, "other_errors": []}
        if action.name == failed and form is not None:
            # The input stays; the page now shows the dossier at its current version, and so does the form.
            data = form.data.copy()
            data["expected_version"] = str(dossier.version)
            item["form"] = form = ActionForm(data)
            item["error"] = error
            if error is not None:
                for name, msgs in error.fields.items():
                    if name in ACTION_FIELDS:
                        item["field_errors"].setdefault(name, []).extend(msgs)
                    else:
                        item["other_errors"].append((name, msgs))
            for name in ACTION_FIELDS:
                item["field_errors"].setdefault(name, []).extend(form.errors.get(name, []))
        else:
            item["form"] = ActionForm(initial={"expected_version": dossier.version})
        if action.name == "assign":
            item["candidates"] = candidates.for_dossier(dossier)
        items.append(item)
    return items


def _unavailable(dossier: Dossier, user, failed: str | None) -> AvailableAction | None:
    """The action that failed, when it is no longer offered (so its error still has a place)."""
    if failed is None or failed in {a.name for a in available_actions(dossier, user)}:
        return None
    lifecycle = LIFECYCLE.get(failed)
    return AvailableAction(failed, str(lifecycle.label) if lifecycle else failed, "lifecycle")


def _dossier_page(request: HttpRequest, dossier: Dossier, *, failed=None, form=None, error=None) -> HttpResponse:
    user = request.user
    dossier = officer_dossiers(user).get(pk=dossier.pk)
    procedure = dossier.procedure
    paper_labels = {spec["name"]: spec["label"] for spec in procedure.attachments}
    data_rows = shown_answers(procedure.form, dossier.data)
    context = {
        "dossier": dossier,
        "procedure": procedure,
        "step_name": _step_name(dossier),
        "data_rows": data_rows,
        "attachments": [
            {"file": a, "label": paper_labels.get(a.name, a.name)}
            for a in dossier.attachment_files.order_by("name", "uploaded_at")
        ],
        "documents": dossier.documents.order_by("created_at"),
        "history": timeline(dossier),
        "actions": _action_forms(dossier, user, failed=failed, form=form, error=error),
        "lost_action": _unavailable(dossier, user, failed),
        "error": error,
        "here": reverse("portal:officer_dossier", args=[dossier.code]),
    }
    status = http_status(error) if error is not None else (400 if form is not None and form.errors else 200)
    return render(request, "portal/officer/dossier.html", context, status=status)


@officer_page("queue")
@require_GET
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _dossier_page(request, get_object_or_404(officer_dossiers(request.user), code=code))


@officer_page("queue")
@require_POST
def dossier_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Perform ``action`` at the version the page showed; errors go back next to the action."""
    dossier = get_object_or_404(officer_dossiers(request.user), code=code)
    form = ActionForm(request.POST)
    if not form.is_valid():
        error = InvalidInput(_("The form is not complete."), fields=dict(form.errors))
        return _dossier_page(request, dossier, failed=action, form=form, error=error)
    try:
        perform_action(
            dossier,
            action,
            request.user,
            expected_version=form.cleaned_data["expected_version"],
            comment=form.cleaned_data["comment"],
            data=form.action_data(),
            client_ip=client_ip(request),
        )
    except StaleVersion:
        return _dossier_page(request, dossier, failed=action, form=form, error=stale_error())
    except WorkflowError as exc:
        return _dossier_page(request, dossier, failed=action, form=form, error=exc)
    lifecycle = LIFECYCLE.get(action)
    label = str(lifecycle.label) if lifecycle else _flow_label(dossier, action)
    messages.success(request, _("%(action)s: done for dossier %(code)s.") % {"action": label, "code": dossier.code})
    return redirect(
        _safe_next(request, form.cleaned_data["next"]) or reverse("portal:officer_dossier", args=[dossier.code])
    )


def _flow_label(dossier: Dossier, action: str) -> str:
    labels = {a.id: a.label for step in dossier.flow_version.flow.steps for a in step.actions}
    return labels.get(action, action)


# Files --------------------------------------------------------------------------------


def _file_response(item, filename: str, *, inline: bool = False) -> FileResponse:
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=not inline, filename=filename)


@officer_page("queue")
@require_GET
def attachment_file(request: HttpRequest, code: str, pk: int) -> FileResponse:
    dossier = get_object_or_404(officer_dossiers(request.user), code=code)
    attachment = get_object_or_404(Attachment, dossier=dossier, pk=pk)
    return _file_response(attachment, attachment.original_name)


@officer_page("queue")
@require_GET
def document_file(request: HttpRequest, code: str, pk: int) -> FileResponse:
    dossier = get_object_or_404(officer_dossiers(request.user), code=code)
    document = get_object_or_404(Document, dossier=dossier, pk=pk)
    return _file_response(document, f"{dossier.code}-{document.kind}.pdf", inline=True)


@officer_page("queue")
@require_GET
def receipt(request: HttpRequest, code: str) -> HttpResponse:
    """The latest receipt (Mẫu 01) to print; while it is being issued, a page that reloads itself."""
    dossier = get_object_or_404(officer_dossiers(request.user), code=code)
    document = dossier.documents.filter(kind=Document.Kind.RECEIPT).order_by("-event_seq").first()
    if document is not None:
        return _file_response(document, f"{dossier.code}-receipt.pdf", inline=True)
    if dossier.received_at is None:
        raise Http404
    return render(request, "portal/officer/receipt_pending.html", {"dossier": dossier}, status=202)


# Intake at the one-stop desk ---------------------------------------------------------


@officer_page("intake")
@require_GET
def intake(request: HttpRequest) -> HttpResponse:
    """Submitted dossiers of the desk's agencies, to receive or refuse."""
    user = request.user
    queryset = (
        officer_dossiers(user)
        .filter(status=Status.SUBMITTED, agency_id__in=agencies_where(user, Role.DESK))
        .annotate(paper_count=Count("attachment_files"))
        .order_by("submitted_at")
    )
    page = _paginate(request, queryset)
    just_received = None
    if request.GET.get("received"):
        just_received = officer_dossiers(user).filter(code=request.GET["received"], received_at__isnull=False).first()
    context = {
        "page_obj": page,
        "rows": _rows(page, user),
        "here": request.get_full_path(),
        "just_received": just_received,
        "intake_url": reverse("portal:officer_intake"),
    }
    return render(request, "portal/officer/intake.html", context)


def _desk_procedure(request: HttpRequest, code: str) -> Procedure:
    procedure = get_object_or_404(
        Procedure.objects.select_related("agency"),
        code=code,
        is_active=True,
        agency_id__in=agencies_where(request.user, Role.DESK),
    )
    if latest_published_version(procedure) is None:
        raise Http404
    return procedure


@officer_page("intake")
@require_http_methods(["GET", "POST"])
def walk_in(request: HttpRequest) -> HttpResponse:
    """Enter a walk-in or postal dossier: submitted and received in one go."""
    desk_agencies = agencies_where(request.user, Role.DESK)
    code = request.POST.get("procedure") or request.GET.get("procedure")
    if not code:
        choice = ProcedureChoiceForm(agencies=desk_agencies)
        return render(request, "portal/officer/walk_in.html", {"choice": choice})
    choice = ProcedureChoiceForm({"procedure": code}, agencies=desk_agencies)
    if not choice.is_valid():
        return render(request, "portal/officer/walk_in.html", {"choice": choice}, status=400)
    procedure = _desk_procedure(request, code)
    if request.method == "GET":
        person = WalkInForm(procedure=procedure, initial={"client_key": uuid.uuid4().hex})
        return _walk_in_page(request, procedure, person, walk_in_application_form(procedure))
    person = WalkInForm(request.POST, procedure=procedure)
    application = walk_in_application_form(procedure, data=request.POST)
    if not (person.is_valid() & application.is_valid()):
        return _walk_in_page(request, procedure, person, application, status=400)
    try:
        dossier = _enter_walk_in(request, procedure, person, application)
    except KeyReused as exc:
        # This form was entered before (Back, then changed and sent again): nothing new is entered.
        messages.warning(
            request,
            _(
                "This form was already entered as dossier %(code)s; nothing new was entered. "
                "Start a new one for another applicant."
            )
            % {"code": exc.dossier_code},
        )
        return redirect(f"{reverse('portal:officer_intake')}?received={exc.dossier_code}")
    except WorkflowError as exc:
        return _walk_in_failed(request, procedure, person, application, exc)
    messages.success(request, _("Dossier %(code)s is entered and received.") % {"code": dossier.code})
    return redirect(f"{reverse('portal:officer_intake')}?received={dossier.code}")


class _PaperRefused(InvalidInput):
    def __init__(self, paper: str, exc: WorkflowError) -> None:
        super().__init__(exc.detail, fields={f"paper.{paper}": [m for ms in exc.fields.values() for m in ms]})


def _enter_walk_in(request: HttpRequest, procedure: Procedure, person: WalkInForm, application) -> Dossier:
    """Create, attach the scans, take the fee, submit and receive, all or nothing."""
    user, ip = request.user, client_ip(request)
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            dossier, created = create_dossier(
                procedure=procedure,
                user=user,
                data={name: application.cleaned_data.get(name) for name in application.fields},
                channel=person.cleaned_data["channel"],
                applicant=person.applicant(),
                client_key=person.cleaned_data["client_key"] or None,
                client_ip=ip,
            )
            if not created:
                return dossier
            for spec in procedure.attachments:
                for upload in request.FILES.getlist(f"paper_{spec['name']}"):
                    try:
                        stored.append(
                            add_attachment(dossier=dossier, user=user, name=spec["name"], upload=upload, client_ip=ip)
                        )
                    except WorkflowError as exc:
                        raise _PaperRefused(spec["name"], exc) from exc
            if person.cleaned_data.get("fee_paid"):
                pay_fee(dossier=dossier, user=user, method=PaymentMethod.COUNTER, provider="counter", client_ip=ip)
            for action in ("submit", "receive"):
                dossier.refresh_from_db()
                dossier = perform_action(dossier, action, user, expected_version=dossier.version, client_ip=ip)
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return dossier


def _walk_in_failed(request, procedure, person, application, exc: WorkflowError) -> HttpResponse:
    """Put each error the services reported next to its field."""
    paper_errors: dict[str, list[str]] = {}
    other: list[tuple[str, list[str]]] = []
    for key, msgs in exc.fields.items():
        prefix, _dot, name = key.rpartition(".")
        if prefix == "applicant" and name in person.fields:
            person.add_error(name, msgs)
        elif prefix in ("data", "") and name in application.fields:
            application.add_error(name, msgs)
        elif prefix == "paper":
            paper_errors[name] = msgs
        else:
            other.append((key, msgs))
    return _walk_in_page(
        request,
        procedure,
        person,
        application,
        error=exc,
        paper_errors=paper_errors,
        other_errors=other,
        status=http_status(exc),
    )


def _walk_in_page(
    request, procedure, person, application, *, error=None, paper_errors=None, other_errors=None, status=200
):
    papers = [
        {
            **spec,
            "types": spec.get("types") or settings.ATTACHMENT_TYPES,
            "input": f"paper_{spec['name']}",
            "errors": (paper_errors or {}).get(spec["name"], []),
        }
        for spec in procedure.attachments
    ]
    context = {
        "procedure": procedure,
        "person": person,
        "application": application,
        "papers": papers,
        "error": error,
        "other_errors": other_errors or [],
    }
    return render(request, "portal/officer/walk_in.html", context, status=status)


# Batch signing ---------------------------------------------------------------------------


def waiting_for_signature(user) -> QuerySet[Dossier]:
    """Approved dossiers waiting for a signer at the agencies where the user signs."""
    return work_queue(user).filter(status=Status.APPROVED).order_by("finished_at", "pk")


def _selected(request: HttpRequest) -> list[Dossier]:
    ids = [v for v in request.POST.getlist("dossier") if v.isascii() and v.isdigit() and len(v) <= 18]
    return list(waiting_for_signature(request.user).filter(pk__in=ids))


@officer_page("sign")
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest) -> HttpResponse:
    """The dossiers waiting for the signer; without JavaScript, signs the selected ones in one request."""
    outcome = error = None
    status = 200
    if request.method == "POST":
        selected = _selected(request)
        if selected:
            outcome = batch_sign(dossier_ids=[d.pk for d in selected], user=request.user)
        else:
            error, status = _("Select at least one dossier waiting for your signature."), 400
    page = _paginate(request, waiting_for_signature(request.user), SIGN_PAGE_SIZE)
    context = {"page_obj": page, "outcome": outcome, "error": error, "chunk": SIGN_CHUNK}
    return render(request, "portal/officer/sign.html", context, status=status)


@officer_page("sign")
@require_POST
def sign_chunk(request: HttpRequest) -> JsonResponse:
    """Sign up to ``SIGN_CHUNK`` dossiers, each its own action; JSON {signed: [codes], failed: {code: reason}}.

    The page's script calls this chunk after chunk to move its progress bar.
    """
    requested = request.POST.getlist("dossier")
    if not requested or len(requested) > SIGN_CHUNK:
        message = _("Send from 1 to %(n)s dossiers per request.") % {"n": SIGN_CHUNK}
        return JsonResponse({"detail": message, "fields": {"dossier": [message]}}, status=400)
    selected = {str(d.pk): d for d in _selected(request)}
    signed: list[str] = []
    failed: dict[str, str] = {}
    for pk in requested:
        dossier = selected.get(pk)
        if dossier is None:
            failed[pk] = _("This dossier is not waiting for your signature.")
            continue
        try:
            perform_action(
                dossier, "sign", request.user, expected_version=dossier.version, client_ip=client_ip(request)
            )
        except WorkflowError as exc:
            failed[dossier.code] = exc.detail
        else:
            signed.append(dossier.code)
    return JsonResponse({"signed": signed, "failed": failed})


# Overdue ---------------------------------------------------------------------------------


@officer_page("overdue")
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """Dossiers past their appointment, how late, and the apology (with a new date) for heads and the desk."""
    user = request.user
    page = _paginate(request, officer_dossiers(user, overdue_dossiers(user)))
    today = timezone.localdate()
    rows = _rows(page, user)
    for row in rows:
        row["days_late"] = (today - timezone.localtime(row["dossier"].due_at).date()).days
    context = {"page_obj": page, "rows": rows, "here": request.get_full_path()}
    return render(request, "portal/officer/overdue.html", context)


urlpatterns = [
    path("officer/", queue, name="officer_queue"),
    path("officer/intake/", intake, name="officer_intake"),
    path("officer/intake/new/", walk_in, name="officer_walk_in"),
    path("officer/overdue/", overdue, name="officer_overdue"),
    path("officer/sign/", sign, name="officer_sign"),
    path("officer/sign/run/", sign_chunk, name="officer_sign_run"),
    path("officer/dossiers/<str:code>/", dossier_detail, name="officer_dossier"),
    path("officer/dossiers/<str:code>/actions/<str:action>/", dossier_action, name="officer_action"),
    path("officer/dossiers/<str:code>/attachments/<int:pk>/", attachment_file, name="officer_attachment"),
    path("officer/dossiers/<str:code>/documents/<int:pk>/", document_file, name="officer_document"),
    path("officer/dossiers/<str:code>/receipt/", receipt, name="officer_receipt"),
]
