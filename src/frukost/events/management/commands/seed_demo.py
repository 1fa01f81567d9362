"""Create the demo organisation, its organiser and the seed's breakfast, if they are absent."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from frukost.events.enums import EventStatus
from frukost.events.models import STOCKHOLM, Event, Organisation

DEMO_ORGANISATION = {"slug": "akademikerforbundet-ssr", "name": "Akademikerförbundet SSR", "colour": "#6a1b4d"}
ORGANISER_USERNAME = "arrangor"


def next_wednesday_16_may(today: dt.date) -> dt.date:
    year = today.year
    while True:
        candidate = dt.date(year, 5, 16)
        if candidate >= today and candidate.weekday() == 2:
            return candidate
        year += 1


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
                self.stdout.write(f"Demo event: {event.title}, {event.starts_at.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}")

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
        day = next_wednesday_16_may(dt.date.today())

        def at(hour: int, minute: int) -> dt.datetime:
            return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=STOCKHOLM)

        return Event.objects.create(
            organisation=organisation,
            slug="chefsfrukost-leda-med-tillit",
            status=EventStatus.PUBLISHED,
            title="Chefsfrukost: Leda med tillit",
            host_name="Hanna Broberg",
            host_role="chefsstrateg på Akademikerförbundet SSR",
            starts_at=at(8, 0),
            ends_at=at(9, 30),
            doors_at=at(7, 30),
            venue_name="Scandic Sundsvall City",
            street_address="Trädgårdsgatan 31-33",
            city="Sundsvall",
            registration_deadline=day.replace(day=1),
            capacity=60,
            max_colleagues=1,
            gift="boken Leda med tillit",
            contact_name="Julia Wålbrink",
            contact_email="julia.walbrink@akademssr.se",
        )
