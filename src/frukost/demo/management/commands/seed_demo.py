"""Create the demo organisation, its owner and the seed's breakfast, if they are absent."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from frukost import importer
from frukost.accounts.enums import Role
from frukost.accounts.services import add_member, create_person
from frukost.events.models import STOCKHOLM, Event, Organisation
from frukost.importer.parse import parse_invitation
from frukost.importer.services import create_event_from_draft

DEMO_ORGANISATION = {
    "slug": "akademikerforbundet-ssr",
    "name": "Akademikerförbundet SSR",
    "colour": "#6a1b4d",
}
OWNER_EMAIL = "arrangor@example.se"
SEED_INVITATION = Path(importer.__file__).parent / "data" / "chefsfrukost-leda-med-tillit.txt"


class Command(BaseCommand):
    help = "Create the demo organisation, its owner's login and the Chefsfrukost event if absent."

    def handle(self, *args, **options):
        with transaction.atomic():
            organisation, _ = Organisation.objects.get_or_create(
                slug=DEMO_ORGANISATION["slug"],
                defaults={"name": DEMO_ORGANISATION["name"], "colour": DEMO_ORGANISATION["colour"]},
            )
            self._owner(organisation)
            if not organisation.events.exists():
                event = self._event(organisation)
                self.stdout.write(
                    f"Demo event: {event.title}, {event.starts_at.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}"
                )

    def _owner(self, organisation: Organisation) -> None:
        User = get_user_model()  # noqa: N806
        existing = User.objects.filter(email=OWNER_EMAIL).first()
        if existing is not None:
            # A database seeded before roles existed: its organiser becomes the owner.
            if not organisation.memberships.filter(user=existing).exists():
                add_member(organisation=organisation, user=existing, role=Role.OWNER)
            return
        password = secrets.token_urlsafe(12)
        user = create_person(email=OWNER_EMAIL, password=password)
        add_member(organisation=organisation, user=user, role=Role.OWNER)
        self.stdout.write(
            self.style.SUCCESS(
                f"Back-office login (shown once): {settings.BASE_URL}/backoffice/  e-mail {OWNER_EMAIL}  "
                f"password {password}\n(you set up two-factor authentication at the first sign-in; "
                f"forgot the password? use “Forgot your password?” on the sign-in page)"
            )
        )

    def _event(self, organisation: Organisation) -> Event:
        # The demo event is made the way an organiser makes one: by pasting its invitation.
        draft = parse_invitation(SEED_INVITATION.read_text(encoding="utf-8"), today=timezone.localdate())
        return create_event_from_draft(draft=draft, organisation=organisation, capacity=60, publish=True)
