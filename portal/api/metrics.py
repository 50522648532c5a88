"""KPI endpoints under /api/v1/metrics/."""

urlpatterns: list = []
