from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from interviews.formats import SUPPORTED_EXTENSIONS
from interviews.models import Project
from interviews.services import ServiceError
from interviews.services.transcripts import import_transcript


class Command(BaseCommand):
    help = (
        "Import every transcript file of a folder into a project. Files that "
        "cannot be imported are listed with the reason; the others are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--project", required=True, help="The project's id.")
        parser.add_argument("--user", required=True, help="Who imports (username).")

    def handle(self, *args, folder, project, user, **options):
        folder = Path(folder)
        if not folder.is_dir():
            raise CommandError(f"{folder}: no such folder.")
        target = (
            Project.objects.filter(pk=project).first() if project.isdigit() else None
        )
        if target is None:
            raise CommandError(f"There is no project with id {project!r}.")
        importer = get_user_model().objects.filter(username=user).first()
        if importer is None:
            raise CommandError(f"There is no user {user!r}.")
        files = sorted(
            p
            for p in folder.iterdir()
            if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS
        )
        refused = 0
        for path in files:
            try:
                transcript = import_transcript(
                    project=target,
                    user=importer,
                    filename=path.name,
                    data=path.read_bytes(),
                )
            except ServiceError as exc:
                refused += 1
                self.stderr.write(f"Refused {exc}")
            else:
                self.stdout.write(f"Imported {path.name} as “{transcript.title}”.")
        self.stdout.write(f"{len(files) - refused} imported, {refused} refused.")
        if refused and refused == len(files):
            raise CommandError("No file could be imported.")
