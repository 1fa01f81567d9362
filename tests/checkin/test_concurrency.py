"""Two phones check the same person in at the same moment, through real requests: one check-in.

What these prove is what the door sees: one row, no error page, and the second phone told
"already checked in". The row count alone would hold without the person's lock too (the
one-to-one on the registration refuses a second row); the lock is what makes the loser answer
"already" with the winner's time instead of failing, which the messages assert.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.urls import reverse

from frukost.checkin import services
from frukost.checkin.models import CheckIn
from frukost.registrations.services import register
from tests.conftest import make_person

DEVICES = 4


def _device(live_server, user) -> requests.Session:
    """A phone signed in as `user`: the session cookie of a complete sign-in."""
    client = Client()
    client.force_login(user)
    session = requests.Session()
    name = settings.SESSION_COOKIE_NAME
    session.cookies.set(name, client.cookies[name].value)
    return session


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_same_person_checked_in_from_several_phones_at_once_is_one_check_in(
    live_server, event_factory, staff_factory, monkeypatch
):
    event = event_factory()
    anna = register(event=event, person=make_person("anna@example.se")).registration
    phones = [_device(live_server, staff_factory("door", events=[event])) for _ in range(DEVICES)]
    door = live_server.url + reverse("backoffice:event-door", args=[event.organisation.slug, event.pk])
    action = live_server.url + reverse(
        "backoffice:event-door-action", args=[event.organisation.slug, event.pk, anna.pk, "checkin"]
    )
    real_ensure_seated = services._ensure_seated

    def slow_ensure_seated(registration):
        real_ensure_seated(registration)
        time.sleep(0.1)  # widen the window between "not checked in yet" and the insert

    monkeypatch.setattr(services, "_ensure_seated", slow_ensure_seated)
    barrier = threading.Barrier(DEVICES)

    def tap(phone: requests.Session) -> str:
        page = phone.get(door, timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        barrier.wait(timeout=60)
        response = phone.post(
            action,
            data={"csrfmiddlewaretoken": token, "client_id": str(uuid.uuid4())},
            headers={"Referer": door},
            timeout=60,
        )
        assert response.status_code == 200, response.status_code  # after the redirect
        return re.search(r'class="bo-messages".*?</div>', response.text, re.S).group(0)

    with ThreadPoolExecutor(max_workers=DEVICES) as pool:
        answers = list(pool.map(tap, phones))

    assert CheckIn.objects.filter(registration=anna).count() == 1
    assert sum("checkades in kl." in answer for answer in answers) == 1
    assert sum("var redan incheckad kl." in answer for answer in answers) == DEVICES - 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_phones_syncing_the_same_offline_check_in_at_once_give_one_check_in(
    live_server, event_factory, staff_factory, monkeypatch
):
    """Several phones come back online together, each with its own queued check-in of Anna."""
    event = event_factory()
    anna = register(event=event, person=make_person("anna@example.se")).registration
    phones = [_device(live_server, staff_factory("door", events=[event])) for _ in range(DEVICES)]
    door = live_server.url + reverse("backoffice:event-door", args=[event.organisation.slug, event.pk])
    sync = live_server.url + reverse("backoffice:event-door-sync", args=[event.organisation.slug, event.pk])
    real_ensure_seated = services._ensure_seated

    def slow_ensure_seated(registration):
        real_ensure_seated(registration)
        time.sleep(0.1)  # widen the window between "not checked in yet" and the insert

    monkeypatch.setattr(services, "_ensure_seated", slow_ensure_seated)
    barrier = threading.Barrier(DEVICES)

    def come_back_online(phone: requests.Session) -> list[str]:
        phone.get(door, timeout=60)  # sets the CSRF cookie, as opening the door list does
        tap = {
            "op": "checkin",
            "registration": anna.pk,
            "client_id": str(uuid.uuid4()),
            "at": "2029-05-16T07:42:00+02:00",
        }
        barrier.wait(timeout=60)
        response = phone.post(
            sync,
            json={"operations": [tap]},
            headers={"X-CSRFToken": phone.cookies["csrftoken"], "Referer": door},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return [result["status"] for result in response.json()["results"]]

    with ThreadPoolExecutor(max_workers=DEVICES) as pool:
        answers = sorted(status for statuses in pool.map(come_back_online, phones) for status in statuses)

    assert CheckIn.objects.filter(registration=anna).count() == 1
    assert answers == ["already"] * (DEVICES - 1) + ["done"]
