"""Request body parsers of the API."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.parsers import JSONParser as DrfJSONParser

from portal.api.errors import ApiError


class JSONParser(DrfJSONParser):
    """DRF's JSON parser, with a body nested too deeply for Python's parser
    refused as a parse error (400) rather than failing the request."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            detail = _("The JSON body is nested too deeply.")
            raise ApiError(status.HTTP_400_BAD_REQUEST, "parse_error", detail) from None
