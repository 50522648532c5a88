from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from procedures.models import Procedure
from signing.verification import verify_pdf
from workflow.models import Document

MAX_VERIFY_BYTES = 20 * 1024 * 1024


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what the system offers and where each user goes."""
    procedures = Procedure.objects.filter(is_active=True).select_related("agency", "sector")[:50]
    return render(request, "portal/home.html", {"procedures": procedures})


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("Signed PDF file"), help_text=_("At most 20 MB."))

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


def verify_document(request: HttpRequest, token) -> HttpResponse:
    """Public: the page a document's QR code opens."""
    document = Document.objects.select_related("dossier").filter(token=token).first()
    if document is None:
        raise Http404
    with document.file.open("rb") as handle:
        result = verify_pdf(handle.read())
    return render(request, "portal/verify.html", {"form": VerifyForm(), "result": result, "document": document})


urlpatterns = [
    path("", home, name="home"),
    path("verify/", verify_upload, name="verify"),
    path("verify/<uuid:token>/", verify_document, name="verify_document"),
]
