"""What other apps call: render a document and sign it, and load what that
needs into a process ahead of time."""

from __future__ import annotations

from signing.models import Certificate
from signing.rendering import load_fonts, render_pdf
from signing.signer import load_signer, sign_pdf


def issue_signed_pdf(*, template: str, context: dict, certificate: Certificate, reason: str, location: str) -> bytes:
    """``template`` rendered with ``context`` to PDF, signed by ``certificate`` (PAdES B-LT)."""
    return sign_pdf(render_pdf(template, context), certificate, reason=reason, location=location)


def prepare_signing(certificate: Certificate) -> None:
    """Load the fonts, the stylesheet, the CRL, the authorities and
    ``certificate``'s key into this process, so that worker processes forked
    from it (``workflow.services.batch_sign``) start with them."""
    load_fonts()
    load_signer(certificate)
