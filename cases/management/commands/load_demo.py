from django.core.management.base import BaseCommand

from cases.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo data (real, sourced facts from docs/demo_facts.md). "
        "Creates what is missing and leaves existing rows alone, so it is safe to run again."
    )

    def handle(self, *args, **options):
        summary = load_demo()
        self.stdout.write(str(summary))
