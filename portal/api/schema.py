"""OpenAPI details shared by the API's views: the error shape on every
documented 4xx, and the Idempotency-Key / If-Match / ETag headers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from portal.api.errors import ErrorSerializer


class ApiSchema(AutoSchema):
    """Adds the error shape for each status in the view's ``error_statuses``
    (a tuple, or a dict by HTTP method), and 401 when the view needs a
    signed-in caller."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        statuses = getattr(self.view, "error_statuses", ())
        statuses = set(statuses.get(self.method, ()) if isinstance(statuses, dict) else statuses)
        if getattr(self.view, "requires_auth", True):
            statuses.add(401)
        for code in sorted(statuses):
            responses.setdefault(str(code), self._get_response_for_code(ErrorSerializer, str(code)))
        return responses

    def _map_basic_serializer(self, serializer, direction):
        # A request body that refuses keys it does not take (serializers.Body) says so.
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and getattr(serializer, "refuses_unknown_keys", False):
            schema["additionalProperties"] = False
        return schema


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=_('The dossier\'s ETag as last read (e.g. `"42-3"`). Missing: 428; stale: 412.'),
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=_("The ETag you hold; if the dossier has not changed the answer is 304 without a body."),
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=_("Any unique text up to 128 characters; a retry with the same key returns the same dossier (200)."),
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=["200", "201", "304"],
    description=_("The dossier's current version; send it back in If-Match."),
)
