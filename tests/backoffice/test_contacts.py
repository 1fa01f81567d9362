"""The back office's invitation list: who consented, when, with what words; removal on request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frukost.contacts.models import Contact
from frukost.contacts.services import record_consent
from frukost.core.models import AuditLog
from frukost.events.models import Organisation
from frukost.registrations.models import Registration
from frukost.registrations.services import register
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

URL = "/backoffice/akademikerforbundet-ssr/kontakter/"


@pytest.fixture
def organiser(client, staff_factory):
    user = staff_factory("organiser", "olle@example.se")
    client.force_login(user)
    return user


def _consent(organisation, email, first_name="Anna", last_name="Svensson", **kwargs):
    return record_consent(
        organisation=organisation,
        email=email,
        first_name=first_name,
        last_name=last_name,
        text=kwargs.pop("text", "Ja, skicka mig inbjudningar"),
        **kwargs,
    )


def test_the_list_shows_who_consented_when_and_the_words_they_saw(client, organiser, event):
    anna = make_person(
        "anna@example.se",
        workplace="Sundsvalls kommun",
        wants_future_invitations=True,
        consent_text="Ja, tack.",
    )
    register(event=event, person=anna)
    _consent(Organisation.objects.create(name="Vision", slug="vision"), "eva@example.se", first_name="Eva")

    response = client.get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert [c.email for c in response.context["page"].object_list] == ["anna@example.se"]
    assert "Ja, tack." in page
    assert "Sundsvalls kommun" in page
    assert event.title in page
    assert response.context["page"].object_list[0].consented_at is not None
    assert "eva@example.se" not in page


def test_the_list_searches_by_name_address_and_workplace(client, organiser, organisation):
    _consent(organisation, "anna@example.se", workplace="Region Västernorrland")
    _consent(organisation, "bo@example.se", first_name="Bo", last_name="Ek", workplace="Sundsvalls kommun")

    found = {
        q: [c.email for c in client.get(URL, {"q": q}).context["page"].object_list]
        for q in ("ek", "ANNA@", "västernorrland", "ingen")
    }

    assert found == {
        "ek": ["bo@example.se"],
        "ANNA@": ["anna@example.se"],
        "västernorrland": ["anna@example.se"],
        "ingen": [],
    }


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_takes_the_same_number_of_queries_for_one_or_three(client, organiser, event, count):
    for n in range(count):
        _consent(event.organisation, f"p{n}@example.se", event=event)
    client.get(URL)  # warm the session and the menus

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)

    assert len(response.context["page"].object_list) == count
    assert len(queries) == 7


def test_removing_a_contact_withdraws_the_consent_on_their_behalf(client, organiser, event):
    register(event=event, person=make_person("anna@example.se", wants_future_invitations=True))
    contact = Contact.objects.get()
    url = f"{URL}{contact.pk}/ta-bort/"

    confirm = client.get(url)
    response = client.post(url)

    assert "Ta bort Anna Svensson från inbjudningslistan?" in confirm.content.decode()
    assert response.status_code == 302
    assert Contact.objects.count() == 0
    assert Registration.objects.get().wants_future_invitations is False
    entry = AuditLog.objects.get(action="contact.withdrawn")
    assert (entry.actor, entry.data["contact_id"]) == (organiser, contact.pk)
    assert "anna@example.se" in client.get(URL).content.decode()  # the success message, then gone
    assert "anna@example.se" not in client.get(URL).content.decode()


def test_door_staff_cannot_see_the_list(client, staff_factory, event):
    client.force_login(staff_factory("door", events=[event]))

    assert client.get(URL).status_code == 403


def test_the_list_marks_a_contact_whose_address_is_on_the_do_not_mail_list(client, organiser, organisation):
    from frukost.contacts.suppression import suppress

    _consent(organisation, "anna@example.se")
    _consent(organisation, "bo@example.se", first_name="Bo")
    suppress(organisation=organisation, email="bo@example.se", reason="bounced")

    response = client.get(URL)

    rows = {c.email: c.suppression_reason for c in response.context["page"].object_list}
    assert rows == {"anna@example.se": None, "bo@example.se": "bounced"}
    assert response.content.decode().count("/sparrlista/?q=") == 1
