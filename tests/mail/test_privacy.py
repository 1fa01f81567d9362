"""Special-category data (membership, diet, needs) never travels by e-mail (GDPR art. 9, IMY)."""

from __future__ import annotations

import re

from django.utils import translation

from frukost.mail.worker import send_due
from frukost.registrations.enums import Diet, Membership
from frukost.registrations.models import Registration
from frukost.registrations.services import (
    Answers,
    cancel_registration,
    confirm_colleague,
    register,
    update_answers,
)
from tests.conftest import read_eml_files, worker_keeps_up
from tests.mail.conftest import messages


def _forbidden_words() -> list[str]:
    words = {
        "member",
        "members",
        "medlem",
        "gluten",
        "vegan",
        "celiaki",
        "teleslinga",
        "teckentolkning",
        "not_member",
    }
    for language in ("sv", "en"):
        with translation.override(language):
            words |= {str(Membership.MEMBER.label), str(Membership.NOT_MEMBER.label)}
            words |= {str(Diet.GLUTEN.label), str(Diet.VEGAN.label), str(Diet.MILK.label)}
    return sorted(words)


def _leaks(text: str) -> list[str]:
    return [word for word in _forbidden_words() if re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE)]


def test_notifications_never_contain_membership_diet_or_needs(
    event_factory, person, colleague, settings, mail_dir
):
    settings.EMAIL_BACKEND = "frukost.mail.backends.EmlDirectoryBackend"
    event = event_factory(capacity=2)
    sensitive = {
        "membership": "member",
        "diets": ["gluten", "vegan"],
        "diet_other": "Celiaki",
        "other_needs": "Teleslinga",
    }
    register(
        event=event, person=person("anna@example.se", **sensitive), colleagues=[colleague("bo@example.se")]
    )
    register(event=event, person=person("cilla@example.se", first_name="Cilla", language="en", **sensitive))
    bo = Registration.objects.get(email="bo@example.se")
    confirm_colleague(
        registration=bo,
        answers=Answers(membership="not_member", diets=["milk"], other_needs="Teckentolkning"),
        language="en",
    )
    anna = Registration.objects.get(email="anna@example.se")
    update_answers(
        registration=anna, answers=Answers(membership="member", diets=["vegan"], diet_other="Celiaki")
    )
    worker_keeps_up()
    cancel_registration(registration=anna)
    queued = messages()
    assert len(queued) == 6

    leaks_before_sending = {
        (m.kind, m.to): _leaks(m.subject + m.body_text + m.body_html + m.ics.replace("\r\n ", ""))
        for m in queued
    }
    send_due()
    delivered = read_eml_files(mail_dir)
    leaks_on_the_wire = {
        (mail["To"], mail["Subject"]): _leaks(
            "".join(
                part.get_content() for part in mail.walk() if part.get_content_maintype() == "text"
            ).replace("\r\n ", "")
        )
        for mail in delivered
    }

    assert len(delivered) == 6
    assert leaks_before_sending == {key: [] for key in leaks_before_sending}
    assert leaks_on_the_wire == {key: [] for key in leaks_on_the_wire}


def test_forbidden_words_are_found_when_present():
    # The check above would pass trivially if it could not see a leak.
    assert _leaks("Ja, jag är medlem. Specialkost: Vegansk, glutenfri? Gluten!") == [
        "Gluten",
        "Ja, jag är medlem",
        "Vegansk",
        "gluten",
        "medlem",
    ]
