"""The development backend: one .eml file per message in the mail directory."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMessage
from django.core.mail.message import sanitize_address
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from frukost.mail.backends import EmlDirectoryBackend, envelope_address
from frukost.mail.worker import send_due
from frukost.registrations.services import register
from tests.conftest import read_eml_files


def test_eml_backend_writes_one_file_per_message(event_factory, person, colleague, settings, mail_dir):
    settings.EMAIL_BACKEND = "frukost.mail.backends.EmlDirectoryBackend"
    event = event_factory(capacity=2)
    register(event=event, person=person("anna@example.se"), colleagues=[colleague("bo@example.se")])
    register(event=event, person=person("cilla@example.se", first_name="Cilla"))

    sent = send_due()

    assert sent == 3
    assert sorted(path.suffix for path in mail_dir.iterdir()) == [".eml", ".eml", ".eml"]
    delivered = read_eml_files(mail_dir)
    assert sorted(mail["To"] for mail in delivered) == [
        "anna@example.se",
        "bo@example.se",
        "cilla@example.se",
    ]
    for mail in delivered:
        assert mail["From"] == settings.DEFAULT_FROM_EMAIL
        assert mail["Reply-To"] == "julia.walbrink@akademssr.se"
        # Anna has a seat: her confirmation carries the check-in QR code inside the HTML part.
        html = (
            ["multipart/related", "text/html", "image/png"]
            if mail["To"] == "anna@example.se"
            else ["text/html"]
        )
        assert [part.get_content_type() for part in mail.walk()] == [
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            *html,
            "text/calendar",
        ]
        assert "Chefsfrukost: Leda med tillit" in mail.get_body(("plain",)).get_content()


def test_eml_backend_keeps_messages_to_same_address_apart(tmp_path, frozen):
    frozen("2029-04-20 10:00")  # same timestamp for both files
    backend = EmlDirectoryBackend(directory=tmp_path / "mail")
    messages = [EmailMessage(subject=f"nummer {n}", body="hej", to=["anna@example.se"]) for n in (1, 2)]

    sent = backend.send_messages(messages)

    assert sent == 2
    subjects = sorted(mail["Subject"] for mail in read_eml_files(tmp_path / "mail"))
    assert subjects == ["nummer 1", "nummer 2"]
    assert len(list((tmp_path / "mail").iterdir())) == 2


def test_eml_backend_makes_its_directory_when_a_write_finds_it_missing(tmp_path):
    directory = tmp_path / "var" / "mail"
    backend = EmlDirectoryBackend(directory=directory)
    message = EmailMessage(
        subject="hej", body="hej", to=["anna@example.se"], from_email="frukost <noreply@localhost>"
    )

    assert backend.send_messages([message]) == 1
    for written in directory.iterdir():  # emptied and removed between two messages of one round
        written.unlink()
    directory.rmdir()
    assert backend.send_messages([message]) == 1

    [written] = directory.iterdir()
    assert written.name.endswith("-anna@example.se-" + written.name.rsplit("-", 1)[1])
    assert not written.name.startswith(".")
    [read] = read_eml_files(directory)
    assert (read["Subject"], read["To"], read.get_content()) == ("hej", "anna@example.se", "hej")


ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~-"
plain_addresses = st.from_regex(
    rf"\A[{ATEXT}]{{1,20}}(\.[{ATEXT}]{{1,10}}){{0,2}}@[A-Za-z0-9-]{{1,63}}(\.[A-Za-z0-9-]{{1,63}}){{0,3}}\Z"
)
near_misses = st.text(alphabet=ATEXT[:9] + 'åé. @<>"()[],;:\\', min_size=1, max_size=40)


@hypothesis_settings(max_examples=1500, deadline=None)
@given(address=st.one_of(plain_addresses, near_misses, st.text(max_size=30)))
def test_an_envelope_address_is_the_one_django_sanitises(address):
    try:
        expected = sanitize_address(address, "utf-8")
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(type(exc)):
            envelope_address(address, "utf-8")
    else:
        assert envelope_address(address, "utf-8") == expected


def test_the_smtp_backend_sends_what_django_s_sends(smtp_server, settings):
    settings.DEFAULT_FROM_EMAIL = "Frukost på kontoret <noreply@frukost.test>"
    for backend in ("frukost.mail.backends.SmtpBackend", "django.core.mail.backends.smtp.EmailBackend"):
        settings.EMAIL_BACKEND = backend
        to = ["asa@example.se", "Bo Ek <bo@exämple.se>"]
        message = EmailMessage(subject="Hej", body="Hej Åsa!\n", to=to)
        message.extra_headers = {"Date": "Wed, 02 Dec 2026 03:23:37 -0000", "Message-ID": "<1@frukost.test>"}
        assert message.send() == 1
    ours, django = smtp_server.handler.received
    assert (ours.mail_from, ours.rcpt_tos, ours.raw) == (django.mail_from, django.rcpt_tos, django.raw)
    assert ours.rcpt_tos == ["asa@example.se", "bo@xn--exmple-cua.se"]
