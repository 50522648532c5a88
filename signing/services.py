"""The one function other apps call: render a document and sign it."""

from __future__ import annotations

from signing.models import Certificate
from signing.rendering import render_pdf
from signing.signer import sign_pdf


def issue_signed_pdf(*, template: str, context: dict, certificate: Certificate, reason: str, location: str) -> bytes:
    """``template`` rendered with ``context`` to PDF, signed by ``certificate`` (PAdES B-LT)."""
    return sign_pdf(render_pdf(template, context), certificate, reason=reason, location=location)
