"""The feedback form behind the FEEDBACK link: it opens only the form, asks non-members (and only
them) whether the organisation may contact them, records the words shown, and makes a lead only
on a yes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from frukost.contacts.models import Lead
from frukost.followup.feedback import contact_consent_text
from frukost.followup.models import Feedback
from frukost.registrations.enums import LinkPurpose
from frukost.registrations.links import mint_token, revoke_links
from frukost.registrations.models import Registration
from frukost.registrations.services import ColleagueData, add_colleague
from tests.followup.conftest import arrive

pytestmark = pytest.mark.django_db

QUESTION_SV = "Får Akademikerförbundet SSR kontakta dig?"


def feedback_url(registration, purpose=LinkPurpose.FEEDBACK) -> str:
    return f"/r/{mint_token(registration, purpose)}/aterkoppling/"


@pytest.fixture
def client():
    return Client()


def answer(client, url, **data):
    return client.post(url, {"rating": "5", "most_useful": "Tilliten", "comment": "Bra!", **data})


def test_the_feedback_link_opens_the_form_and_nothing_else(client, breakfast):
    bo = breakfast.people["bo"]
    token = mint_token(bo, LinkPurpose.FEEDBACK)

    assert client.get(f"/r/{token}/aterkoppling/").status_code == 200
    assert client.get(f"/r/{token}/").status_code == 404  # not the personal page
    assert client.get(f"/r/{token}/avanmal/").status_code == 404
    assert client.get(f"/r/{token}/mina-uppgifter/").status_code == 404
    manage = mint_token(bo, LinkPurpose.MANAGE)
    assert client.get(f"/r/{manage}/aterkoppling/").status_code == 404  # and a personal link opens no form


def test_an_expired_feedback_link_is_the_kind_410_and_a_revoked_one_404(client, breakfast, frozen):
    anna = breakfast.people["anna"]
    url = feedback_url(anna)
    frozen("2029-06-16 10:00")  # 31 days after the event

    response = client.get(url)
    assert response.status_code == 410
    assert "Länken har gått ut" in response.content.decode()

    frozen("2029-05-17 10:00")
    revoke_links(anna)
    assert client.get(url).status_code == 404


def test_a_non_member_who_says_yes_becomes_a_lead_with_the_words_shown(client, breakfast, frozen):
    frozen("2029-05-17 10:00")
    bo = breakfast.people["bo"]  # not a member, chose English
    Registration.objects.filter(pk=bo.pk).update(language="sv", workplace="Kommunen", job_title="Chef")
    url = feedback_url(bo)

    page = client.get(url).content.decode()
    assert QUESTION_SV in page
    response = answer(client, url, contact="on")

    assert response.status_code == 302
    assert response["Location"].endswith("/aterkoppling/tack/")
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.contact_consent) == (5, True)
    assert feedback.contact_consent_text == contact_consent_text(breakfast.organisation, "sv")
    assert feedback.contact_consent_text.startswith(QUESTION_SV)
    lead = Lead.objects.get()
    assert (lead.email, lead.kind, lead.workplace, lead.job_title) == (
        "bo@example.se",
        "not_member",
        "Kommunen",
        "Chef",
    )
    assert lead.answers == {"rating": 5, "most_useful": "Tilliten", "comment": "Bra!"}
    assert lead.consent_text == feedback.contact_consent_text
    assert lead.consented_at == feedback.contact_answered_at == dt.datetime(2029, 5, 17, 8, 0, tzinfo=dt.UTC)


def test_a_non_member_who_says_no_is_no_lead(client, breakfast):
    url = feedback_url(breakfast.people["bo"])

    answer(client, url)

    assert Feedback.objects.get().contact_consent is False
    assert Lead.objects.count() == 0


def test_a_member_is_never_asked_and_never_becomes_a_lead(client, breakfast):
    url = feedback_url(breakfast.people["anna"])

    assert QUESTION_SV not in client.get(url).content.decode()
    response = answer(client, url, contact="on")  # a forged yes

    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.contact_consent, feedback.contact_consent_text) == (None, "")
    assert Lead.objects.count() == 0


@pytest.mark.parametrize(("membership", "asked"), [("undisclosed", True), ("", False), ("member", False)])
def test_who_is_asked_by_membership(client, breakfast, membership, asked):
    """'I prefer not to say' is asked; an unknown answer (never given, or erased by retention) is not."""
    cecilia = breakfast.people["cecilia"]
    Registration.objects.filter(pk=cecilia.pk).update(membership=membership)

    assert (QUESTION_SV in client.get(feedback_url(cecilia)).content.decode()) is asked


def test_a_colleague_brought_along_who_says_yes_is_a_colleague_lead(client, breakfast, frozen):
    anna = breakfast.people["anna"]
    frozen("2029-04-20 10:00")  # Anna brought Dora before the deadline
    colleague = add_colleague(
        registration=anna,
        colleague=ColleagueData(first_name="Dora", last_name="Lind", email="dora@example.se"),
    )
    Registration.objects.filter(pk=colleague.pk).update(membership="not_member", confirmed_at=anna.created_at)
    colleague.refresh_from_db()
    frozen("2029-05-17 10:00")
    arrive(colleague)

    answer(client, feedback_url(colleague), contact="on")

    assert Lead.objects.get().kind == "colleague"


def test_sending_again_updates_and_a_no_withdraws_the_lead(client, breakfast):
    url = feedback_url(breakfast.people["bo"])
    answer(client, url, contact="on")
    assert Lead.objects.count() == 1

    page = client.get(url).content.decode()
    assert "You have already answered" in page  # Bo reads English
    response = client.post(url, {"rating": "3", "comment": "Lite för kort"})

    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.comment, feedback.contact_consent) == (3, "Lite för kort", False)
    assert Lead.objects.count() == 0


def test_bad_input_is_refused_clearly_and_nothing_is_saved(client, breakfast):
    url = feedback_url(breakfast.people["bo"])

    response = client.post(url, {"rating": "7", "comment": "x" * 2001, "contact": "on"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a rating from 1 to 5." in page
    assert Feedback.objects.count() == 0
    assert Lead.objects.count() == 0
    assert client.post(url, {}).status_code == 400


def test_the_form_is_in_the_persons_language(client, breakfast):
    bo = breakfast.people["bo"]  # chose English

    page = client.get(feedback_url(bo)).content.decode()

    assert "May Akademikerförbundet SSR contact you?" in page
    assert "What was most useful?" in page
    assert '<html lang="en">' in page


def test_the_thanks_page_follows_the_answers(client, breakfast):
    url = feedback_url(breakfast.people["anna"])
    response = answer(client, url)

    page = client.get(response["Location"]).content.decode()

    assert "Tack för din återkoppling" in page
