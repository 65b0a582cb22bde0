"""manage.py rebuild_aggregates: recompute the overview's incremental figures (AreaFigures) from scratch."""

from django.core.management.base import BaseCommand

from overview.aggregates import rebuild


class Command(BaseCommand):
    help = "Recompute the overview's incremental figures (overview.AreaFigures) from the result records."

    def handle(self, *args, **options):
        rows = rebuild(log=lambda line: self.stdout.write(line) if options["verbosity"] > 1 else None)
        self.stdout.write(self.style.SUCCESS(f"{rows} area rows rebuilt"))
