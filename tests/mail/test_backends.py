"""The development backend: one .eml file per message in the mail directory."""

from __future__ import annotations

from django.core.mail import EmailMessage

from frukost.mail.backends import EmlDirectoryBackend
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
