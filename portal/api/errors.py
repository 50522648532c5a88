"""One error shape for every 4xx of the API: ``{"error", "detail", "fields"}``.

The workflow's domain errors map to HTTP here and nowhere else; DRF's own
errors (validation, authentication, 404, 405, throttling, parse errors) are
reshaped the same way by ``exception_handler`` (settings: EXCEPTION_HANDLER).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from workflow.errors import (
    ConflictError,
    InvalidInput,
    KeyReused,
    NotPermitted,
    StaleVersion,
    UnknownAction,
    WorkflowError,
)

# Most specific first: StaleVersion is a ConflictError.
WORKFLOW_STATUS: list[tuple[type[WorkflowError], int]] = [
    (StaleVersion, status.HTTP_412_PRECONDITION_FAILED),
    (ConflictError, status.HTTP_409_CONFLICT),
    (InvalidInput, status.HTTP_400_BAD_REQUEST),
    (NotPermitted, status.HTTP_403_FORBIDDEN),
    (UnknownAction, status.HTTP_404_NOT_FOUND),
    (KeyReused, status.HTTP_422_UNPROCESSABLE_ENTITY),
]


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx response."""

    error = serializers.CharField(help_text=gettext_lazy("A stable code, e.g. invalid, not_found, conflict, stale."))
    detail = serializers.CharField(help_text=gettext_lazy("What went wrong, for people."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy("The problems by field: `data.<name>` for form fields, header names for headers."),
    )


class ApiError(exceptions.APIException):
    """An error with an explicit code and the fields it concerns."""

    def __init__(self, status_code: int, code: str, detail: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.error_code = code
        self.fields = fields or {}


def if_match_fields() -> dict[str, list[str]]:
    """The field of a 412: the If-Match header, whoever found the version stale (the view or the engine)."""
    return {"If-Match": [_("Send the ETag of this dossier as last read.")]}


class PreconditionRequired(ApiError):
    def __init__(self) -> None:
        super().__init__(
            status.HTTP_428_PRECONDITION_REQUIRED,
            "precondition_required",
            _("Send the dossier's ETag in the If-Match header."),
            {"If-Match": [_("This header is required.")]},
        )


def from_workflow(exc: WorkflowError) -> ApiError:
    code = next((code for kind, code in WORKFLOW_STATUS if isinstance(exc, kind)), status.HTTP_409_CONFLICT)
    fields = exc.fields
    if isinstance(exc, StaleVersion) and not fields:
        fields = if_match_fields()
    return ApiError(code, exc.code, exc.detail, fields)


def from_request_limits(exc: Exception) -> ApiError:
    """Django's limits on a request body (settings DATA_UPLOAD_MAX_*), in the error shape."""
    if isinstance(exc, RequestDataTooBig):
        return ApiError(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            "too_large",
            _("The request body is too large; send files as multipart uploads."),
        )
    return ApiError(status.HTTP_400_BAD_REQUEST, "invalid", _("The request has too many fields or files."))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with every error in the one shape."""
    if isinstance(exc, WorkflowError):
        exc = from_workflow(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        exc = from_request_limits(exc)
    elif isinstance(exc, exceptions.ParseError):
        # The parser's own message quotes Python's decoder ("'utf-8' codec can't decode ...").
        exc = ApiError(
            status.HTTP_400_BAD_REQUEST, "parse_error", _("The request body is not valid JSON or form data.")
        )
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    return Response(error_body(exc), status=exc.status_code, headers=headers)


def error_body(exc: exceptions.APIException) -> dict[str, Any]:
    if isinstance(exc, ApiError):
        return {"error": exc.error_code, "detail": force_str(exc.detail), "fields": exc.fields}
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        general = fields.pop("non_field_errors", None) or fields.pop("", None)
        detail = " ".join(general) if general else _("Some fields are not valid.")
        return {"error": "invalid", "detail": detail, "fields": fields}
    codes = exc.get_codes()
    return {
        "error": codes if isinstance(codes, str) else exc.default_code,
        "detail": force_str(exc.detail) if not isinstance(exc.detail, list | dict) else force_str(exc.default_detail),
        "fields": {},
    }


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as ``{"a.b": [messages]}``."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, list | dict) for item in detail):
            return {prefix: [force_str(item) for item in detail]} if detail else {}
        flat = {}
        for i, value in enumerate(detail):
            flat.update(_flatten(value, f"{prefix}.{i}" if prefix else str(i)))
        return flat
    return {prefix: [force_str(detail)]}
