import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need PostgreSQL's row locks; on another database
    they are deselected (not skipped) and CI's PostgreSQL run executes them."""
    if connection.vendor == "postgresql":
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read the English messages; Vietnamese is tested where it matters."""
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        yield
