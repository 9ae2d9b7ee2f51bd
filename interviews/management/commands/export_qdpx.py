from django.core.management.base import BaseCommand, CommandError

from interviews.models import Project
from interviews.services.refi import export_qdpx


class Command(BaseCommand):
    help = "Export a project as a REFI-QDA .qdpx file."

    def add_arguments(self, parser):
        parser.add_argument("project", help="The project's id, or its exact name.")
        parser.add_argument("file", help="Where to write the .qdpx.")

    def handle(self, *args, project, file, **options):
        found = Project.objects.filter(pk=int(project)) if project.isdigit() else None
        if not found:
            found = Project.objects.filter(name=project)
        if found.count() != 1:
            raise CommandError(
                f"No single project is called {project!r}; give its id instead."
                if found.count() > 1
                else f"There is no project {project!r}."
            )
        try:
            export_qdpx(project=found.get(), file=file)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        self.stdout.write(f"Wrote {file}.")
