from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("metrics/", include("portal.api.metrics")),
]
