"""Pages for the citizen audience (see portal/views/__init__.py)."""

urlpatterns: list = []
