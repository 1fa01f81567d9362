"""The personal link keeps its promises: purposes, expiry, erasure, revocation, no referrer."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from frukost.core.tokens import hash_token
from frukost.mail.models import OutboxMessage
from frukost.registrations.enums import LinkPurpose, Status
from frukost.registrations.links import link_hash, mint_token
from frukost.registrations.models import PersonalLink, Registration
from frukost.registrations.services import register
from tests.conftest import rendered

pytestmark = pytest.mark.django_db

PAGES = ("", "avanmal/", "kalender.ics")


def link_in_last_mail(address: str) -> str:
    message = rendered([OutboxMessage.objects.filter(to=address).latest("id")])[0]
    return re.search(r"http://testserver(/r/[\w-]+/)", message.body_text).group(1)


@pytest.fixture
def anna(event, person, colleague):
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    return Registration.objects.get(email="anna@example.se")


def _token(path: str) -> str:
    return path.split("/")[2]


# --- Purposes ---------------------------------------------------------------------------------


def test_link_hash_differs_per_purpose_and_manage_keeps_the_plain_hash():
    token = "A" * 32

    hashes = {purpose: link_hash(token, purpose) for purpose in LinkPurpose}

    assert len(set(hashes.values())) == len(LinkPurpose) == 4
    assert hashes[LinkPurpose.MANAGE] == hash_token(token)  # links e-mailed before purposes still open


@pytest.mark.parametrize("page", PAGES)
def test_a_door_code_opens_no_personal_page(client, anna, page):
    token = mint_token(anna, LinkPurpose.CHECKIN)

    response = client.get(f"/r/{token}/{page}")

    assert response.status_code == 404
    assert "Anna" not in response.content.decode()
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_door_code_cannot_cancel(client, anna):
    token = mint_token(anna, LinkPurpose.CHECKIN)

    response = client.post(f"/r/{token}/avanmal/")

    assert response.status_code == 404
    anna.refresh_from_db()
    assert anna.status == Status.REGISTERED


def test_a_token_with_another_purposes_prefix_is_refused(client, anna):
    token = mint_token(anna, LinkPurpose.CONFIRM)

    assert client.get(f"/r/confirm:{token}/").status_code == 404
    assert client.get(f"/r/{token}/").status_code == 200


def test_colleagues_invitation_carries_a_confirm_link_and_the_registrant_a_manage_link(anna):
    link_in_last_mail("anna@example.se")
    link_in_last_mail("bo@example.se")

    purposes = dict(PersonalLink.objects.values_list("registration__email", "purpose"))

    assert purposes == {"anna@example.se": LinkPurpose.MANAGE, "bo@example.se": LinkPurpose.CONFIRM}


def test_confirm_link_confirms_and_cancels_but_cannot_add_colleagues(client, anna):
    path = link_in_last_mail("bo@example.se")

    confirmed = client.post(path, {"action": "answers", "membership": "undisclosed"})
    page = client.get(path).content.decode()
    refused = client.post(
        path, {"action": "colleague", "first_name": "Cia", "last_name": "Ek", "email": "cia@example.se"}
    )
    cancelled = client.post(path + "avanmal/")

    assert (confirmed.status_code, refused.status_code, cancelled.status_code) == (302, 403, 302)
    assert "Ta med en kollega" not in page
    assert "Med den här länken går det inte att anmäla kollegor." in refused.content.decode()
    assert not Registration.objects.filter(email="cia@example.se").exists()
    assert Registration.objects.get(email="bo@example.se").status == Status.CANCELLED


def test_manage_link_still_adds_colleagues(client, event, person):
    register(event=event, person=person("carl@example.se", first_name="Carl"))
    path = link_in_last_mail("carl@example.se")

    response = client.post(
        path, {"action": "colleague", "first_name": "Cia", "last_name": "Ek", "email": "cia@example.se"}
    )

    assert response.status_code == 302
    assert Registration.objects.get(email="cia@example.se").invited_by.email == "carl@example.se"


# --- When links stop working ----------------------------------------------------------------


def test_link_stops_working_once_the_registrations_data_is_erased(client, anna):
    path = link_in_last_mail("anna@example.se")
    Registration.objects.filter(pk=anna.pk).update(anonymised_at=timezone.now())

    assert client.get(path).status_code == 404


def test_link_expires_a_set_time_after_the_event(client, anna, time_machine, settings):
    settings.FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT = 30
    path = link_in_last_mail("anna@example.se")

    time_machine.move_to(anna.event.ends_at + dt.timedelta(days=30), tick=False)
    last_day = client.get(path)
    time_machine.move_to(anna.event.ends_at + dt.timedelta(days=30, minutes=1), tick=False)
    expired = client.get(path)
    expired_cancel = client.post(path + "avanmal/")

    assert last_day.status_code == 200
    assert (expired.status_code, expired_cancel.status_code) == (410, 410)
    text = expired.content.decode()
    assert "Länken har gått ut" in text
    assert "julia.walbrink@akademssr.se" in text
    assert "Anna" not in text
    assert expired["Referrer-Policy"] == "no-referrer"
    anna.refresh_from_db()
    assert anna.status == Status.REGISTERED


# --- No referrer, and forms that work without Django's CSRF token ----------------------------


def test_personal_pages_ask_for_no_referrer_in_the_page_too(client, anna):
    path = link_in_last_mail("anna@example.se")

    for page in (path, path + "avanmal/"):
        html = client.get(page).content.decode()
        assert '<meta name="referrer" content="no-referrer">' in html
    assert (
        '<meta name="referrer" content="same-origin">'
        in client.get(anna.event.get_absolute_url()).content.decode()
    )


def test_personal_pages_forms_work_when_the_browser_sends_origin_null(anna):
    """Under no-referrer Chromium sends "Origin: null" and no Referer: Django's CSRF check would
    refuse that; the token in the URL is the protection."""
    strict = Client(enforce_csrf_checks=True)
    path = link_in_last_mail("anna@example.se")
    headers = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}

    saved = strict.post(
        path, {"action": "answers", "membership": "member", "workplace": "Kommunen"}, headers=headers
    )
    cancelled = strict.post(path + "avanmal/", headers=headers)

    assert (saved.status_code, cancelled.status_code) == (302, 302)
    anna.refresh_from_db()
    assert (anna.workplace, anna.status) == ("Kommunen", Status.CANCELLED)


def test_a_cross_site_post_to_a_personal_page_is_refused(anna):
    path = link_in_last_mail("anna@example.se")

    response = Client().post(
        path + "avanmal/", headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
    )

    assert response.status_code == 403
    anna.refresh_from_db()
    assert anna.status == Status.REGISTERED


def test_the_language_switch_on_a_personal_page_posts_to_the_page_itself(anna):
    strict = Client(enforce_csrf_checks=True)
    path = link_in_last_mail("anna@example.se")
    html = strict.get(path).content.decode()

    assert f'class="language-switch" action="{path}"' in html
    response = strict.post(path, {"language": "en", "next": path}, headers={"Origin": "null"})

    assert (response.status_code, response["Location"]) == (302, path)
    assert "Your registration" in strict.get(path).content.decode()
    anna.refresh_from_db()
    assert anna.status == Status.REGISTERED


def test_an_unknown_page_under_a_personal_link_sends_no_referrer(client, anna):
    path = link_in_last_mail("anna@example.se")

    response = client.get(path + "no-such-page/")

    assert response.status_code == 404
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="referrer" content="no-referrer">' in response.content.decode()
