from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "loopdesk.accounts"
    label = "accounts"

    def ready(self) -> None:
        from loopdesk.accounts.services import sync_roles_after_migrate

        # Same mechanism Django uses for its own permissions: groups exist as soon as tables do.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="loopdesk.sync_roles")
