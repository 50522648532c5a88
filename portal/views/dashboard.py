"""Pages for the dashboard audience (see portal/views/__init__.py)."""

urlpatterns: list = []
