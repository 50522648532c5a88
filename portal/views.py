from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from procedures.models import Procedure


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what the system offers and where each user goes."""
    procedures = Procedure.objects.filter(is_active=True).select_related("agency", "sector")[:50]
    return render(request, "portal/home.html", {"procedures": procedures})
