"""In CI (REQUIRE_SERVICES=1) the real services must be there, not skipped.

On a laptop these checks skip: the suite then runs on SQLite and the embedded
broker, and the browser tests skip without Chromium.
"""

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from coding_site.celery import app
from tests.worker import services_required

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not services_required(),
        reason="REQUIRE_SERVICES is not 1: PostgreSQL, Redis and Chromium are "
        "optional outside CI",
    ),
]


def test_database_is_postgresql():
    assert connection.vendor == "postgresql", (
        f"DATABASE_URL must point at PostgreSQL in CI, not {connection.vendor}"
    )


@pytest.mark.django_db
def test_postgresql_answers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_broker_is_redis_and_answers():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), (
        "CELERY_BROKER_URL must point at Redis in CI"
    )
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=5)
        assert conn.connected


def test_chromium_is_installed_and_runs():
    path = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    assert path.is_file(), f"Chromium is missing at {path}"
    result = subprocess.run(
        [str(path), "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "Chromium" in result.stdout
