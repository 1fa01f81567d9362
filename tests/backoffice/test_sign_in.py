"""Signing in: allauth's pages in the back office's frame and in Swedish, two-factor, throttling,
session limits, argon2."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from frukost.mail.enums import MailKind
from frukost.mail.models import OutboxMessage
from tests.conftest import TOTP_SECRET, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "ett-langt-losenord"
LOGIN = "/konto/login/"


def _sign_in(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def _html(response) -> str:
    return response.content.decode()


def _text(response) -> str:
    """The page's visible words, roughly: tags and surplus whitespace removed."""
    return " ".join(re.sub(r"<[^>]+>", " ", _html(response)).split())


def _h1(response) -> str:
    return " ".join(
        re.sub(r"<[^>]+>", " ", re.search(r"<h1[^>]*>(.*?)</h1>", _html(response), re.S).group(1)).split()
    )


def test_login_page_is_the_back_offices_in_swedish_without_sign_up(client):
    response = client.get(LOGIN)

    html = _html(response)
    assert response.status_code == 200
    assert '<html lang="sv">' in html
    assert 'class="bo-entrance"' in html
    assert _h1(response) == "Logga in"
    assert f'href="{reverse("account_reset_password")}">Glömt lösenordet?</a>' in html
    assert "account_signup" not in html and "/konto/signup/" not in html
    assert '<label for="id_login">E-postadress</label>' in html
    assert '<label for="id_password">Lösenord</label>' in html


def test_login_page_reads_well_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    text = _text(client.get(LOGIN))

    assert "Sign In For organisers, owners and door staff." in text
    assert "Forgot your password?" in text
    assert "No account? You get one when an owner of your organisation invites you." in text


def test_sign_up_is_closed(client):
    response = client.post(
        "/konto/signup/", {"email": "ny@example.se", "password1": "x" * 12, "password2": "x" * 12}
    )

    assert response.status_code == 200
    assert "signup_closed" in response.templates[0].name or "stängd" in _text(response).lower()


def test_owner_signs_in_with_password_and_authenticator_code(client, staff_factory):
    staff_factory("owner", "agare@example.se")

    first = _sign_in(client, "agare@example.se")
    step = client.get(first["Location"])
    second = client.post(first["Location"], {"code": totp_code()})

    assert first["Location"] == reverse("mfa_authenticate")
    assert "Ange koden med sex siffror från din autentiseringsapp." in _text(step)
    assert 'class="bo-entrance"' in _html(step)
    assert second["Location"] == reverse("backoffice:home")
    assert client.get(reverse("backoffice:home"))["Location"] == "/backoffice/akademikerforbundet-ssr/"


def test_owner_without_two_factor_is_sent_to_set_it_up_without_typing_the_password_again(
    client, staff_factory, organisation
):
    staff_factory("owner", "agare@example.se", two_factor=False)
    _sign_in(client, "agare@example.se")

    events = client.get(reverse("backoffice:events", args=[organisation.slug]))
    activate = client.get(reverse("mfa_activate_totp"))

    assert events["Location"] == reverse("backoffice:two-factor-required")
    assert activate.status_code == 200  # no "confirm your password" on the way


def test_totp_set_up_page_shows_the_qr_code_and_the_secret_under_the_csp(client, staff_factory):
    user = staff_factory("organiser", two_factor=False)
    _sign_in(client, user.email)

    response = client.get(reverse("mfa_activate_totp"))

    html = _html(response)
    secret = response.context["form"].secret
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="[^"]+" class="bo-qr"', html)
    assert f'<code class="bo-secret" id="authenticator_secret">{secret}</code>' in html
    assert "img-src 'self' data:" in response["Content-Security-Policy"]
    assert _h1(response) == "Slå på tvåstegsverifiering"


def test_totp_set_up_leads_to_the_recovery_codes_and_on_to_the_back_office(
    client, staff_factory, organisation
):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    user = staff_factory("organiser", two_factor=False)
    _sign_in(client, user.email)
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))

    activated = client.post(reverse("mfa_activate_totp"), {"code": code})
    codes = client.get(activated["Location"])

    assert activated["Location"] == reverse("mfa_view_recovery_codes")
    assert (
        len(re.findall(r"<li><code>[0-9a-z]+</code></li>", _html(codes))) == settings.MFA_RECOVERY_CODE_COUNT
    )
    assert f'<a class="button" href="{reverse("backoffice:home")}">' in _html(codes)
    assert client.get(reverse("backoffice:events", args=[organisation.slug])).status_code == 200


def test_door_staff_without_two_factor_use_the_door_pages(client, staff_factory, organisation, event):
    staff_factory("door", "dorr@example.se", events=[event])

    signed_in = _sign_in(client, "dorr@example.se")
    events = client.get(reverse("backoffice:events", args=[organisation.slug]))

    assert signed_in["Location"] == reverse("backoffice:home")
    assert events.status_code == 200


def test_door_staff_with_two_factor_sign_in_with_it(client, staff_factory):
    staff_factory("door", "dorr@example.se", two_factor=True)

    signed_in = _sign_in(client, "dorr@example.se")

    assert signed_in["Location"] == reverse("mfa_authenticate")


def test_sixth_sign_in_after_five_wrong_passwords_is_refused_even_with_the_right_one(client, staff_factory):
    staff_factory("door", "dorr@example.se")
    for _ in range(5):
        assert _sign_in(client, "dorr@example.se", "fel-losenord-igen").status_code == 200

    refused = _sign_in(client, "dorr@example.se")

    assert refused.status_code == 200
    with translation.override("sv"):
        from allauth.account.adapter import get_adapter

        message = str(get_adapter().error_messages["too_many_login_attempts"])
    assert message in _text(refused)
    assert "_auth_user_id" not in client.session


def test_new_password_hashes_are_argon2(staff_factory):
    from frukost import settings as production

    user = staff_factory("door")

    assert user.password.startswith("argon2")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_session_idle_too_long_is_signed_out(client, staff_factory, organisation, time_machine, event):
    time_machine.move_to(dt.datetime(2029, 5, 2, 8, 0, tzinfo=dt.UTC), tick=False)
    client.force_login(staff_factory("door", events=[event]))
    url = reverse("backoffice:events", args=[organisation.slug])
    assert client.get(url).status_code == 200

    time_machine.shift(dt.timedelta(seconds=settings.FRUKOST_SESSION_IDLE_SECONDS + 1))
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_session_older_than_its_maximum_age_is_signed_out_even_if_active(
    client, staff_factory, organisation, time_machine, event
):
    time_machine.move_to(dt.datetime(2029, 5, 2, 8, 0, tzinfo=dt.UTC), tick=False)
    client.force_login(staff_factory("door", events=[event]))
    url = reverse("backoffice:events", args=[organisation.slug])
    step = dt.timedelta(seconds=settings.FRUKOST_SESSION_IDLE_SECONDS - 60)
    elapsed = dt.timedelta(0)
    while elapsed + step <= dt.timedelta(seconds=settings.SESSION_COOKIE_AGE):
        assert client.get(url).status_code == 200
        time_machine.shift(step)
        elapsed += step

    time_machine.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE) - elapsed + dt.timedelta(seconds=1))
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_password_reset_mails_a_link_that_sets_a_new_password(client, staff_factory):
    staff_factory("door", "dorr@example.se")

    requested = client.post(reverse("account_reset_password"), {"email": "dorr@example.se"})
    message = OutboxMessage.objects.get(to="dorr@example.se")
    link = re.search(r"http://testserver(/konto/password/reset/key/\S+/)", message.body_text).group(1)
    form = client.get(link, follow=True)
    changed = client.post(
        form.redirect_chain[-1][0],
        {"password1": "ett-helt-nytt-losenord", "password2": "ett-helt-nytt-losenord"},
    )

    assert requested["Location"] == reverse("account_reset_password_done")
    assert message.kind == MailKind.ACCOUNT
    assert changed["Location"] == reverse("account_reset_password_from_key_done")
    assert _sign_in(client, "dorr@example.se", "ett-helt-nytt-losenord")["Location"] == reverse(
        "backoffice:home"
    )


@pytest.mark.parametrize(
    ("url_name", "signed_in", "heading"),
    [
        ("account_reset_password", False, "Återställning av lösenord"),
        ("account_reset_password_done", False, "Återställning av lösenord"),
        ("account_logout", True, "Logga ut"),
        ("account_reauthenticate", True, "Bekräfta åtkomst"),
        ("mfa_index", True, "Tvåstegsverifiering"),
        ("account_change_password", True, "Ändra lösenord"),
    ],
)
def test_allauth_pages_are_in_the_back_offices_frame_and_in_swedish(
    client, staff_factory, url_name, signed_in, heading
):
    user = staff_factory("owner")
    RecoveryCodes.activate(user)
    if signed_in:
        client.force_login(user)

    response = client.get(reverse(url_name))

    html = _html(response)
    assert response.status_code == 200
    assert 'class="bo-entrance"' in html
    assert _h1(response) == heading
    assert 'lang="sv"' in html


def test_password_reset_from_a_bad_key_explains_in_swedish(client):
    response = client.get("/konto/password/reset/key/x-set-password/", follow=True)

    assert response.status_code == 200
    assert "bo-entrance" in _html(response)


def test_recovery_code_signs_in_instead_of_the_authenticator(client, staff_factory):
    user = staff_factory("organiser", "arr@example.se")
    code = RecoveryCodes.activate(user).get_unused_codes()[0]

    step = _sign_in(client, "arr@example.se")
    done = client.post(step["Location"], {"code": code})

    assert done["Location"] == reverse("backoffice:home")
    assert TOTP_SECRET  # the fixture's TOTP stays; the recovery code was used instead


def test_a_session_signed_in_with_the_password_alone_is_refused_though_the_person_has_two_factor(
    client, staff_factory, organisation
):
    """The operators' admin once signed people in with a password alone: the back office asks the
    session itself whether the second factor was used, not only whether the person has one."""
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import authenticate, login
    from django.test import RequestFactory

    owner = staff_factory("owner", "agare@example.se")
    Authenticator.objects.filter(user=owner).update(created_at=timezone.now() - dt.timedelta(days=30))
    request = RequestFactory().get("/")
    request.session = client.session
    login(request, authenticate(request, username=owner.username, password=PASSWORD))
    request.session.save()
    client.cookies["frukost_session"] = request.session.session_key

    response = client.get(reverse("backoffice:members", args=[organisation.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.get(reverse("backoffice:home")).status_code == 302  # signed out


def test_admin_login_page_sends_operators_through_the_sign_in_with_two_factor(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
