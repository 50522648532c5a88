"""WSGI entry point (gunicorn config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from config.heap import settle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
# Load the URL configuration (and with it every view, serializer and form) now rather
# than on the first request, then keep all of it out of the collector's way.
get_resolver().url_patterns  # noqa: B018
settle()
