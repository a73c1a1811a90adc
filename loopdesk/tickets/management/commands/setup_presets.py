"""Choose the seed preset of categories (000, 001 or 004) and make sure the default priorities exist."""

from django.core.management.base import BaseCommand, CommandError

from loopdesk.tickets.presets import CATEGORY_PRESETS
from loopdesk.tickets.setup import apply_category_preset, ensure_default_priorities


class Command(BaseCommand):
    help = "Activate one seed preset of categories; other categories are deactivated (tickets keep theirs)."

    def add_arguments(self, parser):
        parser.add_argument("--categories", required=True, choices=sorted(CATEGORY_PRESETS))

    def handle(self, *args, **options):
        try:
            active = apply_category_preset(options["categories"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        ensure_default_priorities()
        self.stdout.write("Active categories: " + ", ".join(f"{c.code} {c.name}" for c in active))
