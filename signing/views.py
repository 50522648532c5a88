"""The PKI's public files: the CRL named in every certificate, and the root."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from signing.pki import root_pem
from signing.signer import crl_der


@require_GET
@cache_control(public=True, max_age=300)
def crl(request: HttpRequest) -> HttpResponse:
    return HttpResponse(crl_der(), content_type="application/pkix-crl")


@require_GET
@cache_control(public=True, max_age=3600)
def root_certificate(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(root_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="root-ca.pem"'
    return response
