from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from interviews.services import ServiceError
from interviews.services.refi import import_qdpx


class Command(BaseCommand):
    help = (
        "Import a REFI-QDA project (.qdpx) as a new project and print the "
        "report of what was imported, dropped or changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .qdpx file.")
        parser.add_argument("--project", default="", help="Name of the new project.")
        parser.add_argument(
            "--owner", required=True, help="Username of the new project's owner."
        )
        parser.add_argument(
            "--max-mb",
            type=int,
            default=None,
            help="Largest file accepted, in MB (default: UPLOAD_MAX_BYTES).",
        )

    def handle(self, *args, file, project, owner, max_mb, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        user = get_user_model().objects.filter(username=owner).first()
        if user is None:
            raise CommandError(f"There is no user {owner!r}.")
        try:
            report = import_qdpx(
                owner=user,
                path=path,
                filename=path.name,
                project_name=project,
                max_bytes=max_mb * 1024 * 1024 if max_mb else None,
            )
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.as_text())
        self.stdout.write(
            f"Created project “{report.project.name}” (id {report.project.pk})."
        )
