"""Print a new API token for a user; only its hash is stored, so this is the one time it is shown."""

from django.core.management.base import BaseCommand, CommandError

from loopdesk.accounts.models import ApiToken, User
from loopdesk.audit.models import AuditEntry
from loopdesk.audit.services import record_audit


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="a label for the token")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {options['username']!r}")
        token, raw = ApiToken.issue(user, options["name"])
        record_audit(
            action=AuditEntry.Action.TOKEN_CREATED,
            actor_name="cli",
            object_type="api_token",
            object_id=str(token.pk),
            reason=f"for {user.username}",
        )
        self.stdout.write(raw)
