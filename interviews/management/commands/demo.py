"""Run the whole app for development: database, demo data, web server, worker.

The web server and the Celery worker run as two child processes with the
same environment. Ctrl-C or SIGTERM stops both; if either exits on its own,
the other is stopped too and the command exits with its status.
"""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# How long each child gets to shut down cleanly before it is killed.
STOP_SECONDS = 15


class Command(BaseCommand):
    help = (
        "Migrate, load the demo project, then run the web server and a Celery "
        "worker until Ctrl-C. Development only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo accounts even with DEBUG off.",
        )

    def handle(self, *args, port, host, force, **options):
        if not 0 < port < 65536:
            raise CommandError("--port must be between 1 and 65535.")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo", force=force, stdout=self.stdout)
        python, manage = sys.executable, str(settings.BASE_DIR / "manage.py")
        commands = {
            "worker": [
                python,
                *("-m", "celery", "-A", "coding_site", "worker"),
                *("--pool=solo", "--concurrency=1", "-l", "info"),
            ],
            "web server": [python, manage, "runserver", "--noreload", f"{host}:{port}"],
        }
        self.stdout.write(
            f"\nOpen http://{host}:{port}/ and log in with a demo account above."
            f"\nBroker: {_redact(settings.CELERY_BROKER_URL)}; "
            f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}."
            "\nPress Ctrl-C to stop the web server and the worker.\n"
        )
        self.stdout.flush()
        sys.exit(run_until_one_exits(commands, cwd=settings.BASE_DIR))


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}" if "@" in rest else url


def run_until_one_exits(commands: dict[str, list[str]], *, cwd) -> int:
    """Start every command; when one exits or we are told to stop, stop all.

    Return the exit status of the child that exited first (0 when stopped
    by Ctrl-C or SIGTERM).
    """
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    previous = {
        sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    children = {
        name: subprocess.Popen(argv, cwd=cwd) for name, argv in commands.items()
    }
    status = 0
    try:
        while not stopping:
            exited = [(n, p) for n, p in children.items() if p.poll() is not None]
            if exited:
                name, process = exited[0]
                # A child killed by signal N reports -N; shells say 128 + N.
                status = process.returncode
                status = status if status >= 0 else 128 - status
                print(
                    f"The {name} exited (status {process.returncode}); stopping.",
                    file=sys.stderr,
                )
                break
            time.sleep(0.5)
    finally:
        for process in children.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in children.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status
