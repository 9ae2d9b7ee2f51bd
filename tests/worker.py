"""A real Celery worker process, for the integration and browser tests.

The fixture is made available to every test by tests/conftest.py, so that a
test session starts at most one worker whichever tests ask for it.

The worker is `celery -A coding_site worker --pool=solo`, started once per
test session with the same environment as the tests except DATABASE_URL,
which points at pytest-django's test database so that the worker sees what
a test wrote (the tests use `transactional_db`, so their writes are
committed). The broker is the configured one: Redis in CI, the embedded
filesystem broker in var/broker on a laptop.

Without a reachable broker the tests skip, saying why, unless
REQUIRE_SERVICES=1 (set by .ci/run), in which case they fail.
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from coding_site.celery import app

READY_SECONDS = 90
STOP_SECONDS = 20


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") == "1"


def unavailable(reason: str):
    """Skip on a laptop; fail when CI says the services must be there."""
    if services_required():
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1, so this is a failure)")
    pytest.skip(reason)


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def database_url(settings_dict: dict) -> str:
    """Return a DATABASE_URL for the database described by `settings_dict`."""
    engine = settings_dict["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else f"{user}@"
        host = settings_dict.get("HOST") or "localhost"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'])}"
    raise NotImplementedError(f"No worker DATABASE_URL for {engine}")


def check_broker() -> None:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=5)
    except Exception as exc:
        unavailable(f"The Celery broker at {broker_label()} is unreachable: {exc}")


def broker_label() -> str:
    url = settings.CELERY_BROKER_URL
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """Start a real Celery worker on the test database; stop it at the end.

    Depending on django_db_setup makes the worker stop before the test
    database is dropped (PostgreSQL refuses to drop a database in use).
    """
    check_broker()
    with django_db_blocker.unblock():
        url = database_url(connection.settings_dict)
    # Messages left by earlier runs would point at jobs that no longer exist.
    app.control.purge()
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {**os.environ, "DATABASE_URL": url}
    argv = [
        sys.executable,
        *("-m", "celery", "-A", "coding_site", "worker"),
        *("--pool=solo", "--concurrency=1", "-l", "info"),
        *("-n", f"pytest-{os.getpid()}@%h"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            argv, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log
        )
    worker = Worker(process=process, log_path=log_path)
    try:
        wait_until_ready(worker)
        yield worker
    finally:
        stop(worker)


def wait_until_ready(worker: Worker) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(
                f"The Celery worker exited with status {worker.process.returncode}:"
                f"\n{worker.log_tail()}"
            )
        if " ready." in worker.log_path.read_text(errors="replace"):
            return
        time.sleep(0.2)
    pytest.fail(
        f"The Celery worker was not ready after {READY_SECONDS} s:\n{worker.log_tail()}"
    )


def stop(worker: Worker) -> None:
    if worker.process.poll() is None:
        worker.process.send_signal(signal.SIGTERM)
        try:
            worker.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()
