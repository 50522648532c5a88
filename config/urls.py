"""Top-level URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from portal.api.views import NotFoundView, SwaggerView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("pki/", include("signing.urls")),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    # Anything else under /api (a missing final slash, another version): a 404 in the API's shape.
    re_path(r"^api(?:/|$)", NotFoundView.as_view()),
    path("", include("portal.urls")),
]

if settings.OIDC_ENABLED:
    urlpatterns.insert(0, path("oidc/", include("mozilla_django_oidc.urls")))

# Media (citizens' papers, signed documents) is never served as files, not even
# in the demo: the portal's and the API's download views check who may read them.
