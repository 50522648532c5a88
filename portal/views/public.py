"""Pages anyone can open: the home page, the procedure catalog and the
verification of signed documents."""

from __future__ import annotations

from collections import deque

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portal.forms import ProcedureSearchForm
from procedures.flows import Flow, Step
from procedures.models import Procedure, Role
from procedures.selectors import latest_published_version, search_procedures
from signing.verification import verify_pdf
from workflow.models import Document

MAX_VERIFY_BYTES = 20 * 1024 * 1024
PAGE_SIZE = 20
POPULAR_COUNT = 8
POPULAR_CACHE_SECONDS = 10 * 60
DEMO_PASSWORD = "demo12345"  # noqa: S105 - the documented demo password, shown only with DEBUG on


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: search, the most used procedures and, in the demo, one-click logins."""
    context = {
        "search_form": ProcedureSearchForm(),
        "popular": popular_procedures(),
        "demo_logins": demo_logins() if settings.DEBUG else [],
        "demo_password": DEMO_PASSWORD,
    }
    return render(request, "portal/home.html", context)


def popular_procedures() -> list[Procedure]:
    """The offered procedures with the most dossiers. The ranking is cached:
    it counts every dossier and changes slowly."""
    ids = cache.get("portal:popular-procedures")
    if ids is None:
        ranked = (
            Procedure.objects.filter(is_active=True)
            .annotate(uses=Count("dossiers"))
            .order_by("-uses", "code")
            .values_list("pk", flat=True)[:POPULAR_COUNT]
        )
        ids = list(ranked)
        cache.set("portal:popular-procedures", ids, POPULAR_CACHE_SECONDS)
    found = Procedure.objects.select_related("agency", "sector").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _url_or_home(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return reverse("portal:home")


def demo_logins() -> list[dict[str, str]]:
    """The demo accounts that exist, each with the page its work starts on:
    a citizen, one officer per role of the busiest agency, the administrator."""
    user_model = get_user_model()
    agency = (
        Procedure.objects.filter(is_active=True)
        .values("agency__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "agency__code")
        .first()
    )
    officers = []
    if agency:
        prefix = agency["agency__code"].lower()
        roles = (Role.DESK, Role.SPECIALIST, Role.HEAD, Role.SIGNER)
        officers = [(f"{prefix}.{role}", Role(role).label) for role in roles]
    wanted = [
        ("citizen1", gettext_lazy("Citizen"), _url_or_home("portal:citizen_dossiers")),
        *[(name, label, _url_or_home("portal:officer_queue")) for name, label in officers],
        ("admin", gettext_lazy("Administrator"), _url_or_home("portal:dashboard")),
    ]
    existing = set(user_model.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", flat=True))
    return [{"username": u, "role": str(label), "next": url} for u, label, url in wanted if u in existing]


def search_form_results(form: ProcedureSearchForm):
    """Offered procedures matching the search form (a valid, bound form)."""
    data = form.cleaned_data
    return search_procedures(
        text=data.get("q") or "",
        agency=data.get("agency"),
        sector=data.get("sector"),
        level=data.get("level"),
        full_online=True if data.get("online") else None,
    ).order_by("name", "code")


def procedure_search(request: HttpRequest) -> HttpResponse:
    """Public: find a procedure by name, agency, field, level or fully-online."""
    form = ProcedureSearchForm(request.GET)
    if form.is_valid():
        results = search_form_results(form)
        status = 200
    else:
        results = Procedure.objects.none()
        status = 400
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/public/procedure_search.html", {"form": form, "page_obj": page}, status=status)


def steps_in_order(flow: Flow) -> list[Step]:
    """The flow's steps from the start, following each step's moves in order."""
    seen: list[str] = []
    queue = deque([flow.start])
    while queue:
        step_id = queue.popleft()
        if step_id in seen or flow.step(step_id) is None:
            continue
        seen.append(step_id)
        queue.extend(a.to for a in flow.step(step_id).actions if a.to)
    return [flow.step(s) for s in seen] + [s for s in flow.steps if s.id not in seen]


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Public: what a procedure needs, costs and takes, and how it is processed."""
    procedure = get_object_or_404(Procedure.objects.select_related("agency", "sector", "agency__level"), code=code)
    if not procedure.is_active:
        raise Http404
    version = latest_published_version(procedure)
    steps = [
        {"step": step, "role": Role(step.role).label if step.role in Role.values else step.role}
        for step in (steps_in_order(version.flow) if version else [])
    ]
    context = {
        "procedure": procedure,
        "steps": steps,
        "can_apply": version is not None,
        "papers": paper_rules(procedure),
    }
    return render(request, "portal/public/procedure_detail.html", context)


def paper_rules(procedure: Procedure) -> list[dict]:
    """Each required paper with the file types and size it accepts."""
    return [
        {
            "spec": spec,
            "name": spec["name"],
            "accept": ",".join(f".{t}" for t in (spec.get("types") or settings.ATTACHMENT_TYPES)),
            "types": ", ".join(t.upper() for t in (spec.get("types") or settings.ATTACHMENT_TYPES)),
            "max_mb": spec.get("max_mb") or settings.ATTACHMENT_MAX_MB,
        }
        for spec in procedure.attachments
    ]


class VerifyForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Signed PDF file"), help_text=gettext_lazy("At most 20 MB."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_VERIFY_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


@require_http_methods(["GET", "POST"])
def verify_upload(request: HttpRequest) -> HttpResponse:
    """Public: upload a signed PDF and see whether it is genuine."""
    form = VerifyForm(request.POST if request.method == "POST" else None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = verify_pdf(form.cleaned_data["file"].read())
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "portal/verify.html", {"form": form, "result": result}, status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check (settings.CSRF_FAILURE_VIEW), in the site's
    layout and language: most often the user signed in or out in another tab
    since the page was opened, and a reload gives the form a valid token."""
    return render(request, "403_csrf.html", status=403)


def verify_document(request: HttpRequest, token) -> HttpResponse:
    """Public: the page a document's QR code opens."""
    document = Document.objects.select_related("dossier").filter(token=token).first()
    if document is None:
        raise Http404
    try:
        with document.file.open("rb") as handle:
            result = verify_pdf(handle.read())
    except FileNotFoundError:
        raise Http404 from None
    return render(request, "portal/verify.html", {"form": VerifyForm(), "result": result, "document": document})


urlpatterns = [
    path("", home, name="home"),
    path("procedures/", procedure_search, name="procedure_search"),
    path("procedures/<str:code>/", procedure_detail, name="procedure_detail"),
    path("verify/", verify_upload, name="verify"),
    path("verify/<uuid:token>/", verify_document, name="verify_document"),
]
