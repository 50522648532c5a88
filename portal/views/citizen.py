"""Pages for the citizen audience: apply for a procedure, pay, submit, follow
a dossier, answer a request for more papers, withdraw, rate, and the profile
that prefills forms. Every change goes through ``workflow.services`` or
``workflow.engine.perform_action``; views only translate HTTP."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from portal import payments
from portal.api.errors import WORKFLOW_STATUS
from portal.forms import ProfileForm, RatingForm, ReasonForm, application_form, profile_initial
from portal.http import client_ip, stale_error
from portal.views.public import paper_rules
from procedures.form_spec import clean_application_data, shown_answers
from procedures.models import Procedure
from procedures.selectors import latest_published_version
from workflow.engine import LIFECYCLE, available_actions, perform_action
from workflow.errors import ConflictError, InvalidInput, KeyReused, StaleVersion, WorkflowError
from workflow.models import RATEABLE_STATES, Dossier, Status
from workflow.selectors import dossier_history, visible_dossiers
from workflow.services import (
    PAYABLE_STATES,
    add_attachment,
    create_dossier,
    pay_fee,
    rate_dossier,
    removable,
    remove_attachment,
    sha256_of,
    update_draft,
)

PAGE_SIZE = 20
# The applicant's own actions, as the dossier page offers them.
CITIZEN_ACTIONS = ("submit", "supplement_submitted", "withdraw")


def http_status(error: WorkflowError) -> int:
    """The HTTP status of a workflow error, by the API's one mapping (``portal.api.errors``)."""
    return next((code for kind, code in WORKFLOW_STATUS if isinstance(error, kind)), 400)


def my_dossiers(user) -> QuerySet[Dossier]:
    """The dossiers the user filed: the citizen pages show nothing else."""
    return visible_dossiers(user).filter(applicant=user)


def get_my_dossier(request: HttpRequest, code: str) -> Dossier:
    return get_object_or_404(my_dossiers(request.user), code=code)


def posted_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("dossier_version", ""))
    except ValueError:
        return None


# Lists and the dossier page ---------------------------------------------------------


@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    """My dossiers: status, current step and the appointment date."""
    queryset = my_dossiers(request.user).order_by("-created_at")
    status = request.GET.get("status", "")
    if status in Status.values:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for dossier in page:
        dossier.step_name = _step_name(dossier)
    context = {"page_obj": page, "statuses": Status.choices, "status": status}
    return render(request, "portal/citizen/dossier_list.html", context)


def _step_name(dossier: Dossier) -> str:
    step = dossier.flow_version.flow.step(dossier.step) if dossier.step else None
    return step.name if step else ""


def _labels(procedure: Procedure) -> dict[str, str]:
    """Field and paper names → their labels, to name the field an error is about."""
    labels = {spec["name"]: spec["label"] for spec in procedure.form}
    labels.update({f"attachments.{spec['name']}": spec["label"] for spec in procedure.attachments})
    labels.update({f"data.{spec['name']}": spec["label"] for spec in procedure.form})
    return labels


def _dossier_page(
    request: HttpRequest, dossier: Dossier, *, error: WorkflowError | None = None, rating_form: RatingForm | None = None
) -> HttpResponse:
    """The dossier page, with the error of a failed action at the top (and its
    status); ``rating_form`` is a rating sent and refused, shown with its input."""
    dossier = my_dossiers(request.user).get(pk=dossier.pk)
    procedure = dossier.procedure
    labels = _labels(procedure)
    if rating_form is None:
        rating_form = RatingForm(initial={"score": dossier.rating, "comment": dossier.rating_comment})
    else:
        labels.update({name: str(field.label) for name, field in rating_form.fields.items()})
    actions = {a.name: a for a in available_actions(dossier, request.user) if a.name in CITIZEN_ACTIONS}
    attachments = list(dossier.attachment_files.order_by("uploaded_at"))
    papers = [
        {"spec": spec, "files": [a for a in attachments if a.name == spec["name"]]} for spec in procedure.attachments
    ]
    context = {
        "dossier": dossier,
        "procedure": procedure,
        "step_name": _step_name(dossier),
        "data_rows": shown_answers(procedure.form, dossier.data),
        "papers": papers,
        "documents": dossier.documents.order_by("created_at"),
        "payments": dossier.payments.order_by("paid_at"),
        "history": timeline(dossier),
        "actions": actions,
        "can_edit": dossier.status == Status.DRAFT,
        "can_pay": _payable(dossier),
        "can_rate": dossier.status in RATEABLE_STATES,
        "rating_form": rating_form,
        "supplement_request": _supplement_request(dossier),
        "error": error,
        "error_fields": [(labels.get(k, k), msgs) for k, msgs in (error.fields.items() if error else [])],
    }
    status = http_status(error) if error else 200
    return render(request, "portal/citizen/dossier_detail.html", context, status=status)


def _supplement_request(dossier: Dossier):
    """The event that asked for more papers, while the dossier waits for them."""
    if dossier.status != Status.AWAITING_SUPPLEMENT:
        return None
    return dossier_history(dossier).filter(to_status=Status.AWAITING_SUPPLEMENT).last()


SERVICE_EVENTS = {
    "create": gettext_lazy("Dossier created"),
    "update": gettext_lazy("Answers changed"),
    "attach": gettext_lazy("Paper attached"),
    "detach": gettext_lazy("Paper removed"),
    "pay": gettext_lazy("Fee paid"),
    "rate": gettext_lazy("Service rated"),
}


def timeline(dossier: Dossier) -> list[dict[str, Any]]:
    """The dossier's history for people: what happened, the new status and step, by whom, when."""
    flow = dossier.flow_version.flow
    flow_labels = {a.id: a.label for step in flow.steps for a in step.actions}
    items = []
    for event in dossier_history(dossier):
        lifecycle = LIFECYCLE.get(event.action)
        label = SERVICE_EVENTS.get(event.action) or (lifecycle.label if lifecycle else None)
        step = flow.step(event.to_step) if event.to_step and event.to_step != event.from_step else None
        items.append(
            {
                "event": event,
                "label": label or flow_labels.get(event.action, event.action),
                "status": Status(event.to_status).label
                if event.to_status in Status.values and event.to_status != event.from_status
                else "",
                "step": step.name if step else "",
            }
        )
    return items


def _payable(dossier: Dossier) -> bool:
    return dossier.fee_vnd > 0 and not dossier.paid_via and dossier.status in PAYABLE_STATES


@login_required
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _dossier_page(request, get_my_dossier(request, code))


# Applying: the form, the papers, the draft -------------------------------------------


def _offered(code: str) -> Procedure:
    procedure = get_object_or_404(Procedure.objects.select_related("agency"), code=code, is_active=True)
    if latest_published_version(procedure) is None:
        raise Http404
    return procedure


def _uploads(request: HttpRequest, procedure: Procedure) -> list[tuple[str, UploadedFile]]:
    return [
        (spec["name"], upload)
        for spec in procedure.attachments
        for upload in request.FILES.getlist(f"paper_{spec['name']}")
    ]


def _attach(request: HttpRequest, dossier: Dossier, uploads) -> dict[str, list[str]]:
    """Store the uploaded papers; the errors by paper of those refused."""
    errors: dict[str, list[str]] = {}
    for name, upload in uploads:
        try:
            add_attachment(dossier=dossier, user=request.user, name=name, upload=upload, client_ip=client_ip(request))
        except WorkflowError as exc:
            messages_for_file = [m for msgs in exc.fields.values() for m in msgs] or [exc.detail]
            errors.setdefault(name, []).extend(f"{upload.name}: {m}" for m in messages_for_file)
    return errors


def _application_page(
    request, procedure, form, *, mode="apply", dossier=None, paper_errors=None, error=None, status=200, **extra
):
    """The application form page; ``mode`` is apply, edit (a draft) or supplement."""
    attached: dict[str, list] = {}
    if dossier is not None:
        for attachment in dossier.attachment_files.order_by("uploaded_at"):
            attachment.removable = removable(attachment, dossier)
            attached.setdefault(attachment.name, []).append(attachment)
    papers = []
    for rule in paper_rules(procedure):
        files, errors = attached.get(rule["name"], []), (paper_errors or {}).get(rule["name"], [])
        # A browser never refills a file input: name what was sent and not kept, to choose again.
        # Kept means the same content, not the same name: a corrected file is often named as the first.
        kept = {f.sha256 for f in files}
        uploads = request.FILES.getlist(f"paper_{rule['name']}")
        sent = [] if errors else [f.name for f in uploads if not kept or sha256_of(f) not in kept]
        papers.append({**rule, "input": f"paper_{rule['name']}", "files": files, "errors": errors, "not_kept": sent})
    context = {
        "procedure": procedure,
        "form": form,
        "dossier": dossier,
        "papers": papers,
        "client_key": request.POST.get("client_key") or uuid.uuid4().hex,
        "mode": mode,
        "error": error,
        "error_fields": [(_labels(procedure).get(k, k), msgs) for k, msgs in (error.fields.items() if error else [])],
        **extra,
    }
    return render(request, "portal/citizen/application.html", context, status=status)


def _form_data(form) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) for name in form.fields}


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """Apply online: the procedure's form (prefilled from the profile) and its papers."""
    procedure = _offered(code)
    if request.method == "GET":
        prefill = profile_initial(procedure.form, request.user)
        form = application_form(procedure, initial=prefill)
        return _application_page(request, procedure, form, prefilled=bool(prefill))
    form = application_form(procedure, data=request.POST, partial=request.POST.get("intent") != "review")
    if not form.is_valid():
        return _application_page(request, procedure, form, status=400)
    try:
        dossier, created = create_dossier(
            procedure=procedure,
            user=request.user,
            data=_form_data(form),
            client_key=request.POST.get("client_key") or None,
            client_ip=client_ip(request),
        )
    except KeyReused as exc:
        # The page was sent before (Back, then changed and sent again): lead to what it made.
        messages.warning(
            request,
            _("This application was already saved as %(code)s; the answers just sent were not. Change them there.")
            % {"code": exc.dossier_code},
        )
        return redirect("portal:citizen_dossier", code=exc.dossier_code)
    except WorkflowError as exc:
        return _application_page(request, procedure, form, error=exc, status=http_status(exc))
    if not created:
        return redirect("portal:citizen_dossier", code=dossier.code)
    return _after_save(request, procedure, dossier)


def _after_save(request: HttpRequest, procedure: Procedure, dossier: Dossier) -> HttpResponse:
    paper_errors = _attach(request, dossier, _uploads(request, procedure))
    if paper_errors:
        dossier.refresh_from_db()
        form = application_form(procedure, initial=dossier.data, partial=True)
        error = InvalidInput(
            _("Your draft %(code)s is saved, but some files were not accepted.") % {"code": dossier.code}
        )
        return _application_page(
            request, procedure, form, mode="edit", dossier=dossier, paper_errors=paper_errors, error=error, status=400
        )
    messages.success(request, _("Your draft %(code)s is saved.") % {"code": dossier.code})
    return redirect("portal:citizen_dossier", code=dossier.code)


@login_required
@require_http_methods(["GET", "POST"])
def edit_draft(request: HttpRequest, code: str) -> HttpResponse:
    """Change a draft's answers and add papers."""
    dossier = get_my_dossier(request, code)
    procedure = dossier.procedure
    if dossier.status != Status.DRAFT:
        messages.info(request, _("Only a draft can be edited."))
        return redirect("portal:citizen_dossier", code=dossier.code)
    if request.method == "GET":
        form = application_form(procedure, initial={**profile_initial(procedure.form, request.user), **dossier.data})
        return _application_page(request, procedure, form, mode="edit", dossier=dossier)
    form = application_form(procedure, data=request.POST, partial=request.POST.get("intent") != "review")
    if not form.is_valid():
        return _application_page(request, procedure, form, mode="edit", dossier=dossier, status=400)
    try:
        dossier = update_draft(
            dossier=dossier,
            user=request.user,
            data=_form_data(form),
            # Versions start at 1: a missing one never matches.
            expected_version=posted_version(request) or 0,
            client_ip=client_ip(request),
        )
    except WorkflowError as exc:
        dossier.refresh_from_db()
        error = stale_error(form=True) if isinstance(exc, StaleVersion) else exc
        return _application_page(
            request, procedure, form, mode="edit", dossier=dossier, error=error, status=http_status(error)
        )
    return _after_save(request, procedure, dossier)


# Actions -----------------------------------------------------------------------------


def _act(request: HttpRequest, dossier: Dossier, action: str, *, success: str, **kwargs) -> HttpResponse:
    """Perform the applicant's ``action`` at the version the page showed."""
    version = posted_version(request)
    try:
        if version is None:
            raise InvalidInput(_("The form is incomplete."), fields={"dossier_version": [_("This field is required.")]})
        perform_action(dossier, action, request.user, expected_version=version, client_ip=client_ip(request), **kwargs)
    except StaleVersion:
        return _dossier_page(request, dossier, error=stale_error())
    except WorkflowError as exc:
        return _dossier_page(request, dossier, error=exc)
    messages.success(request, success)
    return redirect("portal:citizen_dossier", code=dossier.code)


@login_required
@require_POST
def submit(request: HttpRequest, code: str) -> HttpResponse:
    dossier = get_my_dossier(request, code)
    return _act(request, dossier, "submit", success=_("Your dossier is submitted. The one-stop desk will check it."))


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """Withdraw the dossier, after a confirmation page."""
    dossier = get_my_dossier(request, code)
    if not any(a.name == "withdraw" for a in available_actions(dossier, request.user)):
        messages.info(request, _("This dossier can no longer be withdrawn."))
        return redirect("portal:citizen_dossier", code=dossier.code)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _act(
            request,
            dossier,
            "withdraw",
            comment=form.cleaned_data["comment"],
            success=_("Your dossier %(code)s is withdrawn.") % {"code": dossier.code},
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/citizen/withdraw.html", {"dossier": dossier, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    """Answer a request for more papers: upload them and/or correct the answers."""
    dossier = get_my_dossier(request, code)
    procedure = dossier.procedure
    if dossier.status != Status.AWAITING_SUPPLEMENT:
        messages.info(request, _("This dossier is not waiting for papers from you."))
        return redirect("portal:citizen_dossier", code=dossier.code)
    request_event = _supplement_request(dossier)
    if request.method == "GET":
        form = application_form(procedure, initial=dossier.data)
        return _supplement_page(request, dossier, form, request_event)
    form = application_form(procedure, data=request.POST)
    reason = ReasonForm(request.POST)
    if not (form.is_valid() and reason.is_valid()):
        return _supplement_page(request, dossier, form, request_event, status=400)
    version = posted_version(request)
    if version != dossier.version:
        return _supplement_page(request, dossier, form, request_event, error=stale_error(form=True), status=412)
    uploads = _uploads(request, procedure)
    paper_errors = _attach(request, dossier, uploads)
    dossier.refresh_from_db()
    if paper_errors:
        error = InvalidInput(_("Some files were not accepted; the supplement is not sent yet."))
        return _supplement_page(
            request, dossier, form, request_event, error=error, paper_errors=paper_errors, status=400
        )
    try:
        # Our own attachments moved the version on; anything else is someone else's change.
        perform_action(
            dossier,
            "supplement_submitted",
            request.user,
            expected_version=version + len(uploads),
            comment=reason.cleaned_data["comment"],
            data={"data": _json_data(procedure, form)},
            client_ip=client_ip(request),
        )
    except WorkflowError as exc:
        dossier.refresh_from_db()
        if isinstance(exc, StaleVersion):
            exc = stale_error(form=True)
        return _supplement_page(request, dossier, form, request_event, error=exc, status=http_status(exc))
    messages.success(request, _("Your supplement is sent; processing continues."))
    return redirect("portal:citizen_dossier", code=dossier.code)


@login_required
@require_POST
def remove_paper(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Take back a paper added by mistake, from a draft or a supplement being prepared."""
    dossier = get_my_dossier(request, code)
    try:
        dossier = remove_attachment(dossier=dossier, user=request.user, attachment_id=pk, client_ip=client_ip(request))
    except WorkflowError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The paper is removed."))
    pages = {Status.DRAFT: "portal:citizen_edit", Status.AWAITING_SUPPLEMENT: "portal:citizen_supplement"}
    return redirect(pages.get(dossier.status, "portal:citizen_dossier"), code=dossier.code)


def _json_data(procedure: Procedure, form) -> dict[str, Any]:
    cleaned, _errors = clean_application_data(procedure.form, _form_data(form))
    return cleaned


def _supplement_page(request, dossier, form, request_event, *, error=None, paper_errors=None, status=200):
    return _application_page(
        request,
        dossier.procedure,
        form,
        mode="supplement",
        dossier=dossier,
        paper_errors=paper_errors,
        error=error,
        status=status,
        supplement_request=request_event,
        reason_form=ReasonForm(request.POST or None),
    )


@login_required
@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    """Rate the service once the dossier is closed."""
    dossier = get_my_dossier(request, code)
    form = RatingForm(request.POST)
    if not form.is_valid():
        error = InvalidInput(_("The rating is not valid."), fields=dict(form.errors))
        return _dossier_page(request, dossier, error=error, rating_form=form)
    try:
        rate_dossier(
            dossier=dossier,
            user=request.user,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
            client_ip=client_ip(request),
        )
    except WorkflowError as exc:
        return _dossier_page(request, dossier, error=exc, rating_form=form)
    messages.success(request, _("Thank you for rating the service."))
    return redirect("portal:citizen_dossier", code=dossier.code)


# Paying the fee through the test gateway ----------------------------------------------


@login_required
@require_POST
def pay(request: HttpRequest, code: str) -> HttpResponse:
    """Start paying: hand the citizen over to the payment provider's page."""
    dossier = get_my_dossier(request, code)
    if not _payable(dossier):
        return _dossier_page(request, dossier, error=ConflictError(_("There is no fee to pay on this dossier now.")))
    return redirect("portal:citizen_test_gateway", token=payments.checkout_token(dossier))


@login_required
@require_http_methods(["GET", "POST"])
def test_gateway(request: HttpRequest, token: str) -> HttpResponse:
    """The test payment provider's page: confirm or cancel the payment."""
    checkout = payments.read_checkout(token)
    if checkout is None:
        raise Http404
    dossier = get_my_dossier(request, checkout.dossier_code)
    if request.method == "GET":
        if dossier.paid_via:
            # An old checkout page opened again (the back button, a second tab): nothing is left to pay.
            messages.info(request, _("The fee of this dossier is already paid."))
            return redirect("portal:citizen_dossier", code=dossier.code)
        return render(request, "portal/citizen/test_gateway.html", {"dossier": dossier, "checkout": checkout})
    if request.POST.get("decision") != "confirm":
        messages.warning(request, _("The payment was cancelled; nothing was charged."))
        return redirect("portal:citizen_dossier", code=dossier.code)
    try:
        payment = pay_fee(
            dossier=dossier,
            user=request.user,
            method="online",
            provider=payments.PROVIDER,
            client_ip=client_ip(request),
        )
    except WorkflowError as exc:
        return _dossier_page(request, dossier, error=exc)
    messages.success(request, _("The fee is paid. Transaction reference: %(ref)s.") % {"ref": payment.reference})
    return redirect("portal:citizen_dossier", code=dossier.code)


# Files --------------------------------------------------------------------------------


def _download(request: HttpRequest, code: str, files, pk: int, filename) -> FileResponse:
    dossier = get_object_or_404(visible_dossiers(request.user), code=code)
    item = get_object_or_404(files(dossier), pk=pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=filename(item))


@login_required
def attachment_file(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """A paper of a dossier, for anyone who may see the dossier."""
    return _download(request, code, lambda d: d.attachment_files.all(), pk, lambda a: a.original_name)


@login_required
def document_file(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """A signed document of a dossier (receipt, notice, result)."""
    return _download(request, code, lambda d: d.documents.all(), pk, lambda doc: f"{doc.dossier.code}-{doc.kind}.pdf")


# Profile ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Name, citizen ID, phone and e-mail: entered once, they prefill later forms."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Your profile is saved."))
            return redirect("portal:citizen_profile")
        return render(request, "portal/citizen/profile.html", {"form": form}, status=400)
    return render(request, "portal/citizen/profile.html", {"form": form})


urlpatterns = [
    path("dossiers/", dossier_list, name="citizen_dossiers"),
    path("procedures/<str:code>/apply/", apply, name="citizen_apply"),
    path("dossiers/<str:code>/", dossier_detail, name="citizen_dossier"),
    path("dossiers/<str:code>/edit/", edit_draft, name="citizen_edit"),
    path("dossiers/<str:code>/submit/", submit, name="citizen_submit"),
    path("dossiers/<str:code>/withdraw/", withdraw, name="citizen_withdraw"),
    path("dossiers/<str:code>/supplement/", supplement, name="citizen_supplement"),
    path("dossiers/<str:code>/rate/", rate, name="citizen_rate"),
    path("dossiers/<str:code>/pay/", pay, name="citizen_pay"),
    path("dossiers/<str:code>/attachments/<int:pk>/", attachment_file, name="citizen_attachment"),
    path("dossiers/<str:code>/attachments/<int:pk>/remove/", remove_paper, name="citizen_remove_paper"),
    path("dossiers/<str:code>/documents/<int:pk>/", document_file, name="citizen_document"),
    path("payments/test/<str:token>/", test_gateway, name="citizen_test_gateway"),
    path("profile/", profile, name="citizen_profile"),
]
