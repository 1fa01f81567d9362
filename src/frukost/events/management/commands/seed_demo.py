"""Create the demo organisation, its organiser and the seed's breakfast, if they are absent."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from frukost import importer
from frukost.events.models import STOCKHOLM, Event, Organisation
from frukost.importer.parse import parse_invitation
from frukost.importer.services import create_event_from_draft

DEMO_ORGANISATION = {
    "slug": "akademikerforbundet-ssr",
    "name": "Akademikerförbundet SSR",
    "colour": "#6a1b4d",
}
ORGANISER_USERNAME = "arrangor"
SEED_INVITATION = Path(importer.__file__).parent / "data" / "chefsfrukost-leda-med-tillit.txt"


class Command(BaseCommand):
    help = "Create the demo organisation, organiser login and the Chefsfrukost event if absent."

    def handle(self, *args, **options):
        with transaction.atomic():
            organisation, _ = Organisation.objects.get_or_create(
                slug=DEMO_ORGANISATION["slug"],
                defaults={"name": DEMO_ORGANISATION["name"], "colour": DEMO_ORGANISATION["colour"]},
            )
            self._organiser(organisation)
            if not organisation.events.exists():
                event = self._event(organisation)
                self.stdout.write(
                    f"Demo event: {event.title}, {event.starts_at.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}"
                )

    def _organiser(self, organisation: Organisation) -> None:
        User = get_user_model()  # noqa: N806
        if User.objects.filter(username=ORGANISER_USERNAME).exists():
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(ORGANISER_USERNAME, "arrangor@example.se", password)
        organisation.members.add(user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Organiser login (shown once): {settings.BASE_URL}/admin/  user {ORGANISER_USERNAME}  "
                f"password {password}\n(change it with: frukost changepassword {ORGANISER_USERNAME})"
            )
        )

    def _event(self, organisation: Organisation) -> Event:
        # The demo event is made the way an organiser makes one: by pasting its invitation.
        draft = parse_invitation(SEED_INVITATION.read_text(encoding="utf-8"), today=timezone.localdate())
        return create_event_from_draft(draft=draft, organisation=organisation, capacity=60, publish=True)
