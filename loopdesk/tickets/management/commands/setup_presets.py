"""Choose the seed presets: categories and routing (000, 001 or 004) and SLA tables (000, 001, 002 or 003)."""

from django.core.management.base import BaseCommand, CommandError

from loopdesk.routing.presets import ROUTING_PRESETS
from loopdesk.routing.setup import apply_routing_preset
from loopdesk.sla.presets import SLA_PRESETS
from loopdesk.sla.setup import apply_sla_preset
from loopdesk.tickets.presets import CATEGORY_PRESETS
from loopdesk.tickets.setup import apply_category_preset, ensure_default_priorities


class Command(BaseCommand):
    help = "Activate seed presets; other categories and preset SLA policies are deactivated (tickets keep theirs)."

    def add_arguments(self, parser):
        parser.add_argument("--categories", choices=sorted(CATEGORY_PRESETS))
        parser.add_argument("--sla", choices=sorted(SLA_PRESETS), help="priorities and SLA targets of a seed")
        parser.add_argument(
            "--routing",
            choices=sorted(ROUTING_PRESETS),
            help="the seed's routing table (default: the same seed as --categories; custom rules stay)",
        )

    def handle(self, *args, **options):
        if not options["categories"] and not options["sla"] and not options["routing"]:
            raise CommandError("choose --categories, --routing and/or --sla")
        routing = options["routing"] or (options["categories"] if options["categories"] in ROUTING_PRESETS else None)
        try:
            if options["categories"]:
                active = apply_category_preset(options["categories"])
                ensure_default_priorities()
                self.stdout.write("Active categories: " + ", ".join(f"{c.code} {c.name}" for c in active))
            if routing:
                rules = apply_routing_preset(routing)
                self.stdout.write(f"Routing preset {routing}: " + "; ".join(r.name for r in rules))
            if options["sla"]:
                policy = apply_sla_preset(options["sla"])
                assert policy.current_revision is not None
                self.stdout.write(f"SLA policy in force: {policy.name} (revision {policy.current_revision.number})")
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
