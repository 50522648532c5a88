"""The REST API's views: thin, they check the request's shape, call the
workflow's selectors and services, and shape the answer. Who may see a
dossier is ``visible_dossiers``; one the caller may not see is a 404, never a
403, so its existence does not leak."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import FileResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import generics, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from portal.api import serializers as s
from portal.api.errors import ApiError, PreconditionRequired, if_match_fields
from portal.api.parsers import JSONParser
from portal.api.schema import ETAG, IDEMPOTENCY_KEY, IF_MATCH, IF_NONE_MATCH, ApiSchema
from portal.http import client_ip
from procedures.models import FlowVersion, Procedure
from procedures.selectors import procedures_with_current_flow, search_procedures
from signing.verification import verify_pdf
from workflow.compiled import CompiledQuery
from workflow.engine import perform_action, pinned_version
from workflow.errors import KeyReused
from workflow.models import Attachment, AuditEvent, Document, Dossier
from workflow.selectors import overdue_q, visible_dossiers, visible_to
from workflow.services import (
    add_attachment,
    create_dossier,
    pay_fee,
    rate_dossier,
    remove_attachment,
    update_draft,
)

MAX_VERIFY_BYTES = 20 * 1024 * 1024
# The largest id the databases store (signed 64-bit): a bigger number in a URL is simply not found.
MAX_ID = 2**63 - 1


class ApiView(APIView):
    schema = ApiSchema()
    error_statuses: tuple[int, ...] = ()


class ApiListView(generics.ListAPIView):
    schema = ApiSchema()
    error_statuses: tuple[int, ...] = ()


# Auth -------------------------------------------------------------------------------


class TokenView(ApiView):
    """Exchange a username and password for an API token."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"
    requires_auth = False
    error_statuses = (400, 429)

    @extend_schema(
        tags=["auth"],
        operation_id="auth_token",
        request=s.TokenRequestSerializer,
        responses={200: s.TokenSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        form = s.TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = authenticate(request._request, **form.validated_data)
        if user is None:
            raise ApiError(
                status.HTTP_400_BAD_REQUEST,
                "invalid_credentials",
                _("The username or password is not correct."),
                {"password": [_("The username or password is not correct.")]},
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


# Catalog ----------------------------------------------------------------------------


class ProcedureFilterSerializer(s.serializers.Serializer):
    search = s.serializers.CharField(required=False, max_length=200, help_text="Words in the name or the code.")
    agency = s.serializers.CharField(required=False, max_length=32, help_text="Agency code, e.g. SXD.")
    field = s.serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="Field (sector) id.")
    level = s.serializers.CharField(required=False, max_length=32, help_text="Administrative level code, e.g. city.")
    full_online = s.serializers.BooleanField(required=False, allow_null=True, default=None)


def _filters(serializer_class, request: Request) -> dict:
    form = serializer_class(data=request.query_params)
    form.is_valid(raise_exception=True)
    return form.validated_data


class ProcedureListView(ApiListView):
    """The procedures offered, public."""

    permission_classes = [AllowAny]
    serializer_class = s.ProcedureSerializer
    requires_auth = False
    error_statuses = (400, 404)

    @extend_schema(tags=["procedures"], parameters=[ProcedureFilterSerializer], auth=[{}])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Procedure]:
        wanted = _filters(ProcedureFilterSerializer, self.request)
        return search_procedures(
            text=wanted.get("search") or "",
            agency=wanted.get("agency") or None,
            sector=wanted.get("field"),
            level=wanted.get("level") or None,
            full_online=wanted.get("full_online"),
        ).order_by("code")


class ProcedureDetailView(ApiView):
    """One procedure with its form, papers, fee, time limit and current flow."""

    permission_classes = [AllowAny]
    requires_auth = False
    error_statuses = (404,)

    @extend_schema(tags=["procedures"], responses=s.ProcedureDetailSerializer, auth=[{}])
    def get(self, request: Request, code: str) -> Response:
        latest = FlowVersion.objects.filter(procedure=OuterRef("pk"), status=FlowVersion.Status.PUBLISHED).order_by(
            "-number"
        )
        procedure = (
            procedures_with_current_flow([code])
            .filter(is_active=True)
            .select_related("agency__level")
            .annotate(current_flow_number=Subquery(latest.values("number")[:1]))
            .first()
        )
        if procedure is None:
            raise NotFound(_("There is no procedure %(code)s.") % {"code": code})
        return Response(s.ProcedureDetailSerializer(procedure).data)


# Dossiers ---------------------------------------------------------------------------


def _shown(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """The row the detail shows, with its procedure, agency and assignee. The flow version
    comes from the engine's per-process cache (see ``_with_flow``), and the procedure's form
    and paper lists are not shown: neither is read from the database here."""
    return (
        queryset.select_related(None)
        .select_related("procedure", "agency", "assignee")
        .defer("procedure__form", "procedure__attachments")
    )


# The reads of every dossier answer, compiled once (workflow/compiled.py). The lists are
# sorted without the models' leading "dossier", which would join the dossier table to sort
# rows that all belong to the one dossier.
WRITTEN_DOSSIER = CompiledQuery(lambda pk: _shown(Dossier.objects.filter(pk=pk)).order_by(), -1)
ATTACHMENTS = CompiledQuery(lambda pk: Attachment.objects.filter(dossier_id=pk).order_by("name", "uploaded_at"), -1)
DOCUMENTS = CompiledQuery(lambda pk: Document.objects.filter(dossier_id=pk).order_by("created_at"), -1)
HISTORY = CompiledQuery(
    lambda pk: (
        AuditEvent.objects.filter(dossier_id=pk).order_by("seq").defer("changes", "client_ip", "prev_hash", "hash")
    ),
    -1,
)


def _with_flow(dossier: Dossier) -> Dossier:
    dossier.flow_version = pinned_version(dossier.flow_version_id)
    return dossier


def _reference(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Only what an action needs: the services lock and re-read the row themselves."""
    return queryset.select_related(None).only("id", "code", "version")


# A dossier by its code, if the caller (not a superuser) may see it, in either shape.
VISIBLE_DOSSIER = CompiledQuery(
    lambda user_id, code: _shown(Dossier.objects.filter(visible_to(user_id), code=code)).order_by(), -1, "\x00"
)
VISIBLE_REFERENCE = CompiledQuery(
    lambda user_id, code: _reference(Dossier.objects.filter(visible_to(user_id), code=code)).order_by(), -1, "\x00"
)


def visible_dossier(request: Request, code: str, *, full: bool = False) -> Dossier:
    """The dossier if the caller may see it, else 404 (whether or not it exists).

    Without ``full`` only its identity and version are read: the services lock
    and re-read the row themselves. ``full`` reads the row the detail shows."""
    user = request.user
    if user.is_superuser:
        dossier = (_shown if full else _reference)(visible_dossiers(user)).filter(code=code).first()
    elif user.is_authenticated:
        dossier = (VISIBLE_DOSSIER if full else VISIBLE_REFERENCE).first(user.pk, code)
    else:
        dossier = None
    if dossier is None:
        raise NotFound(_("There is no dossier %(code)s.") % {"code": code})
    return _with_flow(dossier) if full else dossier


def written_dossier(pk: int) -> Dossier:
    """The dossier this request has just created or changed, read back for the answer.
    Whether the caller may see it was settled before the change (``visible_dossier``, or
    ``create_dossier``'s own checks), and a change does not take that away."""
    dossier = WRITTEN_DOSSIER.first(pk)
    if dossier is None:  # deleted meanwhile
        raise NotFound()
    return _with_flow(dossier)


def detail_response(
    request: Request, dossier: Dossier, *, status_code: int = status.HTTP_200_OK, new: bool = False
) -> Response:
    """The detail of a dossier read with ``visible_dossier(full=True)`` or ``written_dossier``,
    or, ``new``, the one ``create_dossier`` has just made and returned: it holds what the
    detail shows (its procedure, agency and no assignee), and has no papers or documents yet."""
    dossier.shown_attachments = [] if new else ATTACHMENTS.all(dossier.pk)
    dossier.shown_documents = [] if new else DOCUMENTS.all(dossier.pk)
    dossier.shown_history = HISTORY.all(dossier.pk)
    response = Response(s.DossierDetailSerializer(dossier, context={"request": request}).data, status=status_code)
    response["ETag"] = dossier.etag
    return response


def created_response(data, dossier: Dossier) -> Response:
    """201 with what was made, carrying the dossier's new ETag."""
    dossier.refresh_from_db(fields=["version"])
    return Response(data, status=status.HTTP_201_CREATED, headers={"ETag": dossier.etag})


def expected_version(request: Request, dossier: Dossier) -> int:
    """The version the caller last read, from If-Match (RFC 9110: strong
    comparison, so a weak tag never matches; a list matches if it names the
    current version). 428 if missing or ``*``, which would skip the check; 412
    if no tag names this dossier's current version."""
    raw = request.headers.get("If-Match", "").strip()
    if not raw or raw == "*":
        raise PreconditionRequired()
    # A weak tag keeps its W/ prefix, so it never equals the dossier's (strong) ETag.
    # Read before the row is locked: the engine checks the version again under the lock.
    if dossier.etag in parse_etags(raw):
        return dossier.version
    raise ApiError(
        status.HTTP_412_PRECONDITION_FAILED,
        "stale",
        _("If-Match does not match the dossier's ETag; reload the dossier."),
        if_match_fields(),
    )


def not_modified(request: Request, dossier: Dossier) -> bool:
    """Whether If-None-Match names the dossier's current ETag (weak comparison, lists and ``*``, RFC 9110)."""
    raw = request.headers.get("If-None-Match", "").strip()
    if not raw:
        return False
    tags = parse_etags(raw)
    return "*" in tags or any(tag.removeprefix("W/") == dossier.etag for tag in tags)


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > s.MAX_CLIENT_KEY:
        raise ApiError(
            status.HTTP_400_BAD_REQUEST,
            "invalid",
            _("The Idempotency-Key header is not valid."),
            {"Idempotency-Key": [_("Give 1 to %(n)s characters.") % {"n": s.MAX_CLIENT_KEY}]},
        )
    return key


# The procedure a new dossier is for, on every create.
PROCEDURE = CompiledQuery(lambda code: Procedure.objects.select_related("agency").filter(code=code).order_by(), "\x00")


class DossierListView(ApiListView):
    """What the caller may see: a citizen their own dossiers, an officer also their agencies'."""

    serializer_class = s.DossierSerializer
    parser_classes = [JSONParser]
    error_statuses = {"GET": (400, 404), "POST": (400, 403, 409, 422)}

    def get_queryset(self) -> QuerySet[Dossier]:
        wanted = _filters(s.DossierFilterSerializer, self.request)
        queryset = visible_dossiers(self.request.user)
        if wanted.get("status"):
            queryset = queryset.filter(status=wanted["status"])
        if wanted.get("step"):
            queryset = queryset.filter(step=wanted["step"])
        if wanted.get("overdue") is not None:
            queryset = queryset.filter(overdue_q()) if wanted["overdue"] else queryset.exclude(overdue_q())
        if wanted.get("assigned_to_me"):
            queryset = queryset.filter(assignee=self.request.user)
        return queryset.order_by("-created_at", "-pk")

    @extend_schema(tags=["dossiers"], parameters=[s.DossierFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["dossiers"],
        operation_id="dossiers_create",
        request=s.DossierCreateSerializer,
        parameters=[IDEMPOTENCY_KEY, ETAG],
        responses={
            201: OpenApiResponse(s.DossierDetailSerializer, description="Created."),
            200: OpenApiResponse(s.DossierDetailSerializer, description="A retry with the same Idempotency-Key."),
        },
        examples=[
            OpenApiExample("Online", value={"procedure": "1.001193", "data": {"child_name": "Nguyễn Văn Bình"}}),
            OpenApiExample(
                "At the counter",
                value={
                    "procedure": "1.001193",
                    "channel": "counter",
                    "applicant": {"full_name": "Trần Thị Bình", "id_number": "048123456789", "phone": "0905123456"},
                    "data": {},
                },
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        form = s.DossierCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        key = idempotency_key(request)
        procedure = PROCEDURE.first(form.validated_data["procedure"])
        if procedure is None:
            raise ApiError(
                status.HTTP_400_BAD_REQUEST,
                "invalid",
                _("Unknown procedure."),
                {"procedure": [_("There is no procedure with this code.")]},
            )
        try:
            dossier, created = create_dossier(
                procedure=procedure,
                user=request.user,
                data=form.validated_data["data"],
                channel=form.validated_data["channel"],
                applicant=form.validated_data.get("applicant"),
                client_key=key,
                client_ip=client_ip(request),
            )
        except KeyReused as exc:
            raise ApiError(
                status.HTTP_422_UNPROCESSABLE_ENTITY,
                exc.code,
                exc.detail,
                {"Idempotency-Key": exc.fields["client_key"]},
            ) from exc
        if created:
            return detail_response(request, _with_flow(dossier), status_code=status.HTTP_201_CREATED, new=True)
        # A retry: the first call's dossier, if the caller may still see it.
        visible_dossier(request, dossier.code)
        return detail_response(request, written_dossier(dossier.pk))


class DossierDetailView(ApiView):
    """One dossier; PATCH edits a draft's data."""

    parser_classes = [JSONParser]
    error_statuses = {"GET": (404,), "PATCH": (400, 403, 404, 409, 412, 428)}

    @extend_schema(
        tags=["dossiers"],
        parameters=[IF_NONE_MATCH, ETAG],
        responses={200: s.DossierDetailSerializer, 304: OpenApiResponse(description="Not modified (If-None-Match).")},
    )
    def get(self, request: Request, code: str) -> Response:
        dossier = visible_dossier(request, code, full=True)
        if not_modified(request, dossier):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": dossier.etag})
        return detail_response(request, dossier)

    @extend_schema(
        tags=["dossiers"],
        request=s.DossierUpdateSerializer,
        parameters=[IF_MATCH, ETAG],
        responses={200: s.DossierDetailSerializer},
    )
    def patch(self, request: Request, code: str) -> Response:
        dossier = visible_dossier(request, code)
        version = expected_version(request, dossier)
        form = s.DossierUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        update_draft(
            dossier=dossier,
            user=request.user,
            data=form.validated_data["data"],
            expected_version=version,
            client_ip=client_ip(request),
        )
        return detail_response(request, written_dossier(dossier.pk))


class DossierActionView(ApiView):
    """Perform a lifecycle or flow action (see the dossier's ``available_actions``)."""

    parser_classes = [JSONParser]
    error_statuses = (400, 403, 404, 409, 412, 428)

    @extend_schema(
        tags=["dossiers"],
        request=s.ActionSerializer,
        parameters=[
            OpenApiParameter(
                "action",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="submit, receive, refuse, withdraw, supplement_submitted, sign, return, cancel, claim, "
                'assign (data {"assignee": username}), apologize (data {"new_due_date": YYYY-MM-DD}), '
                "or an action of the current step.",
            ),
            IF_MATCH,
            ETAG,
        ],
        responses={200: s.DossierDetailSerializer},
    )
    def post(self, request: Request, code: str, action: str) -> Response:
        dossier = visible_dossier(request, code)
        version = expected_version(request, dossier)
        form = s.ActionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        perform_action(
            dossier,
            action,
            request.user,
            expected_version=version,
            comment=form.validated_data["comment"],
            data=form.validated_data["data"],
            client_ip=client_ip(request),
        )
        return detail_response(request, written_dossier(dossier.pk))


class AttachmentView(ApiView):
    """Upload the file for one of the procedure's papers."""

    parser_classes = [MultiPartParser, FormParser]
    error_statuses = (400, 403, 404, 409)

    @extend_schema(
        tags=["dossiers"],
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        parameters=[ETAG],
        responses={201: s.AttachmentSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        dossier = visible_dossier(request, code)
        form = s.AttachmentUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        attachment = add_attachment(
            dossier=dossier,
            user=request.user,
            name=form.validated_data["name"],
            upload=form.validated_data["file"],
            client_ip=client_ip(request),
        )
        return created_response(s.AttachmentSerializer(attachment).data, dossier)


class AttachmentDetailView(ApiView):
    """Take back a paper added by mistake: from a draft, or while a supplement is
    asked for, one added since (what the agency has seen stays)."""

    error_statuses = (400, 403, 404, 409, 412, 428)

    @extend_schema(
        tags=["dossiers"],
        operation_id="dossiers_attachments_destroy",
        parameters=[IF_MATCH, ETAG],
        responses={200: OpenApiResponse(s.DossierDetailSerializer, description="The dossier without the paper.")},
    )
    def delete(self, request: Request, code: str, id: int) -> Response:
        dossier = visible_dossier(request, code)
        version = expected_version(request, dossier)
        if id > MAX_ID or not Attachment.objects.filter(dossier_id=dossier.pk, pk=id).exists():
            raise NotFound(_("Dossier %(code)s has no paper %(id)s.") % {"code": code, "id": id})
        remove_attachment(
            dossier=dossier,
            user=request.user,
            attachment_id=id,
            expected_version=version,
            client_ip=client_ip(request),
        )
        return detail_response(request, written_dossier(dossier.pk))


class PaymentView(ApiView):
    """Pay the fee: the applicant online (test provider), or the desk at the counter."""

    parser_classes = [JSONParser]
    error_statuses = (400, 403, 404, 409)

    @extend_schema(
        tags=["dossiers"],
        request=s.PaymentRequestSerializer,
        parameters=[ETAG],
        responses={201: s.PaymentSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        dossier = visible_dossier(request, code)
        form = s.PaymentRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        payment = pay_fee(
            dossier=dossier,
            user=request.user,
            method=form.validated_data["method"],
            provider="test",
            client_ip=client_ip(request),
        )
        return created_response(s.PaymentSerializer(payment).data, dossier)


class RatingView(ApiView):
    """The applicant rates the service once the dossier is closed."""

    parser_classes = [JSONParser]
    error_statuses = (400, 403, 404, 409)

    @extend_schema(
        tags=["dossiers"],
        request=s.RatingSerializer,
        parameters=[ETAG],
        responses={200: s.DossierDetailSerializer},
    )
    def post(self, request: Request, code: str) -> Response:
        dossier = visible_dossier(request, code)
        form = s.RatingSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        rate_dossier(
            dossier=dossier,
            user=request.user,
            score=form.validated_data["rating"],
            comment=form.validated_data["comment"],
            client_ip=client_ip(request),
        )
        return detail_response(request, written_dossier(dossier.pk))


# Documents --------------------------------------------------------------------------


class PdfRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class DocumentDownloadView(ApiView):
    """A signed document of a dossier the caller may see."""

    renderer_classes = [JSONRenderer, PdfRenderer]
    error_statuses = (404,)

    def finalize_response(self, request, response, *args, **kwargs):
        # An error is the JSON error shape, labelled as JSON, whatever the client asked for.
        if response.status_code >= 400 and getattr(response, "data", None) is not None:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(tags=["documents"], responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request, id: int) -> FileResponse:
        document = (
            Document.objects.filter(pk=id, dossier__in=visible_dossiers(request.user).values("pk")).first()
            if id <= MAX_ID
            else None
        )
        if document is None or not document.file or not document.file.storage.exists(document.file.name):
            raise NotFound(_("There is no such document."))
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.file.name.rsplit("/", 1)[-1],
            content_type="application/pdf",
        )


class VerifyView(ApiView):
    """Public: is this signed PDF genuine?"""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "verify"
    requires_auth = False
    error_statuses = (400, 429)

    @extend_schema(
        tags=["documents"],
        request={"multipart/form-data": s.VerifyRequestSerializer},
        responses={200: s.VerificationSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        form = s.VerifyRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        if upload.size > MAX_VERIFY_BYTES:
            raise ApiError(
                status.HTTP_400_BAD_REQUEST, "invalid", _("The file is too large."), {"file": [_("At most 20 MB.")]}
            )
        return Response(s.VerificationSerializer(verify_pdf(upload.read())).data)


class NotFoundView(APIView):
    """Anything else under /api/: a 404 in the error shape, naming the path
    the caller probably meant when only its final slash is missing. A GET of
    the pages /api/docs or /api/schema without it is sent on to the page."""

    authentication_classes = []
    permission_classes = [AllowAny]
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        meant = request.path + "/"
        if request.path.endswith("/") or not _reaches_a_view(meant):
            raise NotFound()
        if request.method in ("GET", "HEAD") and not meant.startswith("/api/v1/"):
            raise _Redirect(meant)
        raise NotFound(_("Not found. The API's paths end with a slash: %(path)s") % {"path": meant})

    def handle_exception(self, exc):
        if isinstance(exc, _Redirect):
            return HttpResponsePermanentRedirect(exc.to)
        return super().handle_exception(exc)


class _Redirect(Exception):
    def __init__(self, to: str) -> None:
        self.to = to


def _reaches_a_view(path: str) -> bool:
    """Whether ``path`` reaches a view of ours rather than this catch-all."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return getattr(match.func, "view_class", None) is not NotFoundView


class SwaggerView(SpectacularSwaggerView):
    """Swagger UI (drf-spectacular), which renders only its page: OPTIONS
    answers 405 instead of failing for want of a template."""

    metadata_class = None
