"""Pages for the officer audience (see portal/views/__init__.py)."""

urlpatterns: list = []
