import threading

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need PostgreSQL's row locks; on another database
    they are deselected (not skipped) and CI's PostgreSQL run executes them.

    Browser tests run last: Playwright's sync API keeps an event loop running
    in the main thread from the first browser test to the end of the session,
    and signing a PDF (pyHanko's ``asyncio.run``) cannot run under it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    if connection.vendor == "postgresql":
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Rolled-back tests can reuse primary keys, which per-process caches would mistake."""
    from signing.signer import forget_crl
    from workflow.engine import pinned_version

    pinned_version.cache_clear()
    forget_crl()
    yield
    pinned_version.cache_clear()
    forget_crl()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded and signed files go to a folder of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test PKI, made once per test database: its RSA time-stamp key is slow to generate."""
    from signing.pki import init_pki

    with django_db_blocker.unblock():
        init_pki()


def race(count: int, work):
    """Run ``work(i)`` in ``count`` threads released at once, each on its own
    database connection (closed at the end); return results or exceptions."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
