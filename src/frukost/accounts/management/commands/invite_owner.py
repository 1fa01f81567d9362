"""`frukost invite-owner`: the operator's way to give an organisation its first owner."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from frukost.accounts.enums import Role
from frukost.accounts.exceptions import AlreadyMember, InvalidInput
from frukost.accounts.services import invite_member
from frukost.events.models import Organisation


class Command(BaseCommand):
    help = (
        "Invite the owner of an organisation by e-mail (creating the organisation if it does not "
        "exist yet). The owner then invites everyone else from the back office."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "slug", help="the organisation's short name in addresses, e.g. akademikerforbundet-ssr"
        )
        parser.add_argument("email", help="the owner's e-mail address")
        parser.add_argument(
            "--name", help="the organisation's name, to create it (e.g. “Akademikerförbundet SSR”)"
        )
        parser.add_argument(
            "--language", choices=["sv", "en"], default="sv", help="the invitation's language"
        )

    def handle(self, *args, slug, email, name=None, language="sv", **options):
        with transaction.atomic():
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                if not name:
                    raise CommandError(f"No organisation “{slug}”: give --name to create it.")
                organisation = Organisation(name=name, slug=slug)
                try:
                    organisation.full_clean()
                except ValidationError as exc:
                    problems = "; ".join(" ".join(messages) for messages in exc.message_dict.values())
                    raise CommandError(f"The organisation cannot be created: {problems}") from exc
                organisation.save()
                self.stdout.write(f"Created the organisation {organisation.name} ({slug}).")
            try:
                with translation.override(language):
                    sent = invite_member(organisation=organisation, email=email, role=Role.OWNER, actor=None)
            except (AlreadyMember, InvalidInput) as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Invitation e-mailed to {sent.invitation.email} (valid until "
                f"{sent.invitation.expires_at:%Y-%m-%d %H:%M}). The link, if the mail does not arrive:\n"
                f"{sent.link}"
            )
        )
