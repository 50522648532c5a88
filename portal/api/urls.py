"""/api/v1/: the REST API. Anything not routed here answers 404 in the API's error shape."""

from django.urls import include, path, register_converter

from portal.api import views


class CodeConverter:
    """Dossier, procedure and action codes: letters, digits, ``_``, ``.`` and ``-``."""

    regex = r"[A-Za-z0-9_.\-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CodeConverter, "code")

app_name = "api"

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("procedures/", views.ProcedureListView.as_view(), name="procedure-list"),
    path("procedures/<code:code>/", views.ProcedureDetailView.as_view(), name="procedure-detail"),
    path("dossiers/", views.DossierListView.as_view(), name="dossier-list"),
    path("dossiers/<code:code>/", views.DossierDetailView.as_view(), name="dossier-detail"),
    path("dossiers/<code:code>/actions/<code:action>/", views.DossierActionView.as_view(), name="dossier-action"),
    path("dossiers/<code:code>/attachments/", views.AttachmentView.as_view(), name="dossier-attachments"),
    path("dossiers/<code:code>/attachments/<int:id>/", views.AttachmentDetailView.as_view(), name="dossier-attachment"),
    path("dossiers/<code:code>/payment/", views.PaymentView.as_view(), name="dossier-payment"),
    path("dossiers/<code:code>/rating/", views.RatingView.as_view(), name="dossier-rating"),
    path("documents/<int:id>/download/", views.DocumentDownloadView.as_view(), name="document-download"),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("metrics/", include("portal.api.metrics")),
    path("", views.NotFoundView.as_view()),
    path("<path:rest>", views.NotFoundView.as_view()),
]
