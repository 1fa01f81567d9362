from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    name = "frukost.invitations"
    label = "invitations"
    verbose_name = _("Invitations")

    def ready(self) -> None:
        from frukost.core.periodic import register_frequent
        from frukost.invitations import staging

        # Uploaded files not confirmed within an hour are deleted (they hold a member register).
        register_frequent("invitations.purge_uploads", staging.purge)
