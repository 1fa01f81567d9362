"""The do-not-mail list page: who is on it and why, search, add, remove (never an unsubscribe), export."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frukost.contacts.models import Suppression
from frukost.contacts.suppression import suppress
from frukost.core.models import AuditLog
from frukost.events.models import Organisation

pytestmark = pytest.mark.django_db

ORG = "akademikerforbundet-ssr"
LIST = f"/backoffice/{ORG}/sparrlista/"
ADD = f"/backoffice/{ORG}/sparrlista/lagg-till/"
EXPORT = f"/backoffice/{ORG}/sparrlista/export/"
PASSWORD = "ett-langt-losenord"


@pytest.fixture
def organiser(client, staff_factory):
    user = staff_factory("organiser", "olle@example.se")
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    return user


def emails(response) -> list[str]:
    return [row.email for row in response.context["page"].object_list]


def download(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content), delimiter=";"))


def test_the_list_shows_address_reason_time_and_detail_and_no_other_organisations(
    client, organiser, organisation
):
    suppress(organisation=organisation, email="anna@example.se", reason="unsubscribed")
    suppress(
        organisation=organisation, email="bo@example.se", reason="bounced", detail="550 5.1.1 no such user"
    )
    suppress(
        organisation=Organisation.objects.create(name="Vision", slug="vision"),
        email="eva@example.se",
        reason="added",
    )

    response = client.get(LIST)

    page = response.content.decode()
    assert response.status_code == 200
    assert sorted(emails(response)) == ["anna@example.se", "bo@example.se"]
    assert "Avregistrerad" in page or "Unsubscribed" in page
    assert "550 5.1.1 no such user" in page
    assert "eva@example.se" not in page


def test_an_unsubscribe_has_no_remove_link_and_the_others_have(client, organiser, organisation):
    unsubscribed = suppress(organisation=organisation, email="anna@example.se", reason="unsubscribed")
    bounced = suppress(organisation=organisation, email="bo@example.se", reason="bounced")

    page = client.get(LIST).content.decode()

    assert reverse("backoffice:suppression-remove", args=[ORG, bounced.pk]) in page
    assert reverse("backoffice:suppression-remove", args=[ORG, unsubscribed.pk]) not in page


def test_search_by_address_and_filter_by_reason(client, organiser, organisation):
    suppress(organisation=organisation, email="anna@sundsvall.se", reason="unsubscribed")
    suppress(organisation=organisation, email="bo@harnosand.se", reason="bounced")

    assert emails(client.get(LIST, {"q": "SUNDSVALL"})) == ["anna@sundsvall.se"]
    assert emails(client.get(LIST, {"reason": "bounced"})) == ["bo@harnosand.se"]
    assert client.get(LIST, {"reason": "spam"}).status_code == 400


def test_an_organiser_adds_an_address_with_a_note(client, organiser, organisation):
    response = client.post(ADD, {"email": "Cia@Example.se", "detail": "Ringde 3 december"}, follow=True)

    assert response.redirect_chain[-1][0] == LIST
    assert list(Suppression.objects.values_list("email", "reason", "detail")) == [
        ("cia@example.se", "added", "Ringde 3 december")
    ]
    assert "cia@example.se" in response.content.decode()
    assert AuditLog.objects.get(action="suppression.added").actor == organiser


@pytest.mark.parametrize(
    "data, field",
    [
        ({"email": "inte en adress", "detail": ""}, "email"),
        ({"email": "", "detail": "Ringde"}, "email"),
        ({"email": "cia@example.se", "detail": "x" * 301}, "detail"),
    ],
)
def test_a_bad_entry_is_a_message_on_the_field_and_saves_nothing(client, organiser, data, field):
    response = client.post(ADD, data)

    assert response.status_code == 400
    assert response.context["add_form"].errors[field]
    assert Suppression.objects.count() == 0


def test_adding_an_address_already_on_the_list_says_why_it_is_there(client, organiser, organisation):
    suppress(organisation=organisation, email="cia@example.se", reason="unsubscribed")

    response = client.post(ADD, {"email": "cia@example.se", "detail": "Ringde"})

    assert response.status_code == 400
    [message] = response.context["add_form"].errors["email"]
    assert "Avregistrerad" in message or "Unsubscribed" in message
    assert list(Suppression.objects.values_list("reason", flat=True)) == ["unsubscribed"]


def test_removing_a_bounce_asks_first_then_takes_it_off(client, organiser, organisation):
    row = suppress(organisation=organisation, email="bo@example.se", reason="bounced")
    url = reverse("backoffice:suppression-remove", args=[ORG, row.pk])

    asked = client.get(url)
    assert asked.status_code == 200 and Suppression.objects.count() == 1

    response = client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == LIST
    assert Suppression.objects.count() == 0
    assert AuditLog.objects.get(action="suppression.removed").actor == organiser


def test_an_unsubscribe_cannot_be_removed_even_by_a_crafted_post(client, organiser, organisation):
    row = suppress(organisation=organisation, email="anna@example.se", reason="unsubscribed")
    url = reverse("backoffice:suppression-remove", args=[ORG, row.pk])

    shown = client.get(url)
    response = client.post(url)

    assert shown.status_code == 200
    assert shown.context["row"] == row
    assert response.status_code == 400
    assert Suppression.objects.filter(pk=row.pk).exists()
    assert not AuditLog.objects.filter(action="suppression.removed").exists()


def test_export_is_neutralised_csv_of_the_search_and_audited(client, organiser, organisation):
    suppress(organisation=organisation, email="anna@example.se", reason="added", detail='=HYPERLINK("x")')
    suppress(organisation=organisation, email="bo@other.se", reason="bounced")

    response = client.post(EXPORT, {"q": "example", "reason": ""})

    rows = download(response)
    assert response["Content-Disposition"].startswith(
        'attachment; filename="sparrlista-akademikerforbundet-ssr-'
    )
    assert [(r[0], r[3]) for r in rows[1:]] == [("anna@example.se", '\'=HYPERLINK("x")')]
    assert AuditLog.objects.get(action="suppressions.exported").data["rows"] == 1


def test_export_asks_for_the_password_again_when_the_sign_in_is_old(
    client, organiser, organisation, settings
):
    suppress(organisation=organisation, email="anna@example.se", reason="added")
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0

    asked = client.post(EXPORT, {"q": ""})

    assert asked.status_code == 302 and "reauthenticate" in asked["Location"]
    assert not AuditLog.objects.filter(action="suppressions.exported").exists()


@pytest.mark.parametrize(
    "role, status", [("owner", 200), ("organiser", 200), ("door", 403), ("representative", 403)]
)
def test_owners_and_organisers_see_the_list(client, staff_factory, role, status):
    client.force_login(staff_factory(role))

    assert client.get(LIST).status_code == status


def test_an_organiser_needs_two_factor(client, staff_factory):
    client.force_login(staff_factory("organiser", two_factor=False))

    assert client.get(LIST)["Location"] == reverse("backoffice:two-factor-required")


def test_the_menu_links_the_list_for_organisers_and_marks_it_current_on_its_pages(organiser):
    from frukost.accounts.models import OrganisationMember
    from frukost.backoffice.navigation import organisation_menu

    member = OrganisationMember.objects.get(user=organiser)

    for view in ("backoffice:suppressions", "backoffice:suppression-remove"):
        menu = organisation_menu(member, view)
        assert [item["current"] for item in menu if item["url"] == LIST] == [True]


@pytest.mark.parametrize("view", ["list", "export"])
def test_the_list_and_the_export_take_as_many_queries_for_60_entries_as_for_3(
    client, organiser, organisation, view
):
    def count(n: int) -> int:
        Suppression.objects.all().delete()
        for number in range(n):
            suppress(
                organisation=organisation,
                email=f"p{number}@example.se",
                reason=("added", "bounced", "unsubscribed")[number % 3],
            )
        with CaptureQueriesContext(connection) as queries:
            if view == "list":
                assert client.get(LIST).status_code == 200
            else:
                assert len(download(client.post(EXPORT, {"q": ""}))) == n + 1
        return len(queries)

    assert count(3) == count(60)
