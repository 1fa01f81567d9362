"""Feedback in a person's own data: the download shows it, their erasure request deletes it."""

from __future__ import annotations

import pytest

from frukost.followup.feedback import FeedbackAnswers, submit_feedback
from frukost.followup.models import Feedback
from frukost.privacy.selfservice import erase_registration, personal_data, with_personal_data
from frukost.registrations.models import Registration

pytestmark = pytest.mark.django_db


def _give(registration, **answers):
    return submit_feedback(
        registration=registration,
        answers=FeedbackAnswers(**{"rating": 4, "most_useful": "Tilliten", **answers}),
        language="sv",
    )


def test_the_persons_data_includes_their_feedback(breakfast, django_assert_num_queries):
    bo = breakfast.people["bo"]
    _give(bo, comment="Mer sånt", contact=False)

    # The registration with its data, and the invitation lists' and do-not-mail list's rows.
    with django_assert_num_queries(5):
        (row,) = with_personal_data(Registration.objects.filter(pk=bo.pk))
        section = personal_data(row)["sections"]["feedback"]

    values = {field["key"]: field["value"] for field in section["fields"]}
    assert values["rating"] == "4"
    assert values["most_useful"] == "Tilliten"
    assert values["comment"] == "Mer sånt"
    assert values["contact_consent"] is False
    assert values["contact_consent_text"].startswith("Får Akademikerförbundet SSR kontakta dig?")


def test_a_person_without_feedback_has_an_empty_section(breakfast):
    assert personal_data(breakfast.people["anna"])["sections"]["feedback"]["fields"] == []


def test_the_persons_erasure_request_deletes_their_feedback(breakfast):
    anna, bo = breakfast.people["anna"], breakfast.people["bo"]
    _give(anna)
    _give(bo, contact=True)

    erase_registration(registration=bo)

    assert list(Feedback.objects.values_list("registration_id", flat=True)) == [anna.pk]


def test_the_events_personal_data_counts_feedback_tied_to_a_name_until_anonymised(breakfast):
    from django.utils import timezone

    from frukost.privacy.erasure import anonymise
    from frukost.privacy.retention import FEEDBACK, stored_personal_data

    anna, bo = breakfast.people["anna"], breakfast.people["bo"]
    _give(anna)
    _give(bo)

    def stored() -> int:
        return next(kind.count for kind in stored_personal_data(breakfast).kinds if kind.kind == FEEDBACK)

    assert stored() == 2
    anonymise([anna.pk], now=timezone.now())
    assert stored() == 1
    assert Feedback.objects.count() == 2  # the texts stay, without a name
