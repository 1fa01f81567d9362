"""The check-in code reaches the person: in the confirmation e-mail (with its QR image) and on
the personal page; it is the same code in both, and it only checks in."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from frukost.checkin import codes
from frukost.mail.worker import send_due
from frukost.registrations.links import issue_link
from frukost.registrations.services import register
from tests.conftest import make_person, read_eml_files

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}\b")


def _confirmation(mail_dir, to):
    [mail] = [m for m in read_eml_files(mail_dir) if m["To"] == to]
    return mail


def test_the_confirmation_e_mail_carries_the_code_and_its_qr_image(settings, mail_dir, event_factory):
    settings.EMAIL_BACKEND = "frukost.mail.backends.EmlDirectoryBackend"
    event = event_factory(capacity=1)
    anna = register(event=event, person=make_person("anna@example.se")).registration
    register(event=event, person=make_person("cilla@example.se", first_name="Cilla"))  # waiting list

    send_due()

    mail = _confirmation(mail_dir, "anna@example.se")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert f"Din incheckningskod: {codes.code_for(anna)}" in text
    assert codes.code_for(anna) in html
    [image] = [part for part in mail.walk() if part.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<incheckning-qr@frukost>"
    assert 'src="cid:incheckning-qr@frukost"' in html
    assert image.get_content().startswith(b"\x89PNG")
    assert codes.registration_for_code(event, CODE.search(text).group()) == anna  # works at the door
    waiting = _confirmation(mail_dir, "cilla@example.se")
    assert not CODE.search(waiting.get_body(("plain",)).get_content())  # no seat, no code
    assert "[[" not in text + html


def test_the_personal_page_shows_the_same_code_and_a_qr_image(client, event):
    anna = register(event=event, person=make_person("anna@example.se")).registration
    url = issue_link(anna).removeprefix("http://testserver")

    with translation.override("sv"):
        page = client.get(url).content.decode()

    assert codes.code_for(anna) in page
    assert 'src="data:image/png;base64,' in page
    assert "Din incheckningskod" in page
    assert codes.registration_for_code(event, codes.code_for(anna)) == anna


@pytest.mark.parametrize("scale", [6, 3])
@pytest.mark.parametrize("code", ["K7QX-2MPA", "2222-2222", "ZZZZ-ZZZZ", "H8NM-4TQV"])
def test_the_qr_png_is_the_image_segnos_writer_makes(code, scale):
    import io

    import segno

    from tests.checkin.png import image

    made_by_segno = io.BytesIO()
    segno.make(code, error="m", micro=False).save(made_by_segno, kind="png", scale=scale, border=4)

    # The same header and pixel rows; the rows are compressed at another zlib level (checkin/qr.py).
    assert image(codes.qr_png(code, scale=scale)) == image(made_by_segno.getvalue())
