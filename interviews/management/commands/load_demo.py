from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from interviews.models import Coding
from interviews.services import ServiceError
from interviews.services.demo import DemoDataError, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo project (Interregional cooperation in the Eurasian "
        "Economic Union) and create the demo accounts. Development only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo accounts have a known password).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo project, with everything coded in it, and reload.",
        )

    def handle(self, *args, force=False, reset=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "The demo accounts have a published password; load_demo runs "
                "only with DEBUG on. Pass --force if you really mean it."
            )
        try:
            result = load_demo(reset=reset)
        except (DemoDataError, ServiceError) as exc:
            raise CommandError(f"The demo data could not be loaded: {exc}") from exc
        project = result.project
        if result.created:
            self.stdout.write(
                f"Loaded the demo project “{project.name}” (id {project.pk}): "
                f"{project.transcripts.count()} transcripts, "
                f"{project.codes.count()} codes, "
                f"{Coding.objects.filter(transcript__project=project).count()} codings."
            )
        else:
            self.stdout.write(
                f"The demo project “{project.name}” (id {project.pk}) is already "
                "loaded; left as it is (use --reset to reload it)."
            )
        self.stdout.write(
            f"Demo accounts (development only), password “{result.password}”:"
        )
        for username, role in result.users:
            self.stdout.write(f"  {username:<12} {role}")
