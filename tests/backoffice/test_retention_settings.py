"""The organisation's retention schedule in the back office: owners set it within its limits."""

from __future__ import annotations

import pytest

from frukost.accounts import services
from frukost.accounts.exceptions import InvalidInput, NotAllowed
from frukost.core.models import AuditLog
from frukost.events.models import RETENTION_LIMITS

pytestmark = pytest.mark.django_db

URL = "/backoffice/akademikerforbundet-ssr/installningar/"
VALID = {
    "section": "retention",
    "retention-retain_needs_days": "2",
    "retention-retain_membership_days": "45",
    "retention-retain_cancelled_days": "7",
    "retention-retain_identity_months": "6",
}


@pytest.fixture
def owner(client, staff_factory):
    user = staff_factory("owner", "agnes@example.se")
    client.force_login(user)
    return user


def test_the_settings_page_shows_each_period_with_its_limits(client, owner):
    page = client.get(URL).content.decode()

    assert "Hur länge personuppgifter sparas" in page
    assert "Från 1 till 30 dagar; 1 om inget annat väljs." in page
    assert "Från 1 till 36 månader; 12 om inget annat väljs." in page
    assert 'name="retention-retain_membership_days"' in page and 'value="30"' in page


def test_an_owner_sets_the_periods_and_the_change_is_audited(client, owner, organisation):
    response = client.post(URL, VALID)

    organisation.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == URL + "#retention"
    assert [getattr(organisation, name) for name in RETENTION_LIMITS] == [2, 45, 7, 6]
    entry = AuditLog.objects.get(action="organisation.retention_changed")
    assert (entry.actor, entry.data["periods"]) == (
        owner,
        {"retain_needs_days": 2, "retain_membership_days": 45, "retain_identity_months": 6},
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("retention-retain_needs_days", "31", "Skriv ett heltal från 1 till 30 (dagar)."),
        ("retention-retain_needs_days", "0", "Skriv ett heltal från 1 till 30 (dagar)."),
        ("retention-retain_membership_days", "-5", "Skriv ett heltal från 1 till 90 (dagar)."),
        ("retention-retain_identity_months", "37", "Skriv ett heltal från 1 till 36 (månader)."),
        ("retention-retain_identity_months", "tolv", "Skriv ett heltal från 1 till 36 (månader)."),
        ("retention-retain_cancelled_days", "99999", "Skriv ett heltal från 1 till 90 (dagar)."),
    ],
)
def test_a_period_outside_its_limits_is_a_form_error_not_a_500(
    client, owner, organisation, field, value, message
):
    response = client.post(URL, {**VALID, field: value})

    organisation.refresh_from_db()
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (organisation.retain_needs_days, organisation.retain_identity_months) == (1, 12)
    assert not AuditLog.objects.filter(action="organisation.retention_changed").exists()


def test_the_error_is_in_english_on_an_english_page(client, owner):
    client.cookies["frukost_language"] = "en"

    response = client.post(URL, {**VALID, "retention-retain_needs_days": "31"})

    assert "Give a whole number from 1 to 30 (days)." in response.content.decode()


def test_the_other_settings_form_is_unaffected(client, owner, organisation):
    response = client.post(URL, {"section": "settings", "name": "SSR", "colour": "#123456"})

    organisation.refresh_from_db()
    assert response.status_code == 302
    assert (organisation.name, organisation.retain_membership_days) == ("SSR", 30)


def test_the_service_refuses_values_outside_the_limits_and_an_organiser(organisation, staff_factory):
    owner, organiser = staff_factory("owner"), staff_factory("organiser")

    with pytest.raises(InvalidInput) as refused:
        services.update_retention(
            organisation=organisation,
            actor=owner,
            periods={"retain_needs_days": 0, "retain_identity_months": True},
        )
    with pytest.raises(NotAllowed):
        services.update_retention(
            organisation=organisation, actor=organiser, periods={"retain_needs_days": 2}
        )

    assert sorted(refused.value.errors) == ["retain_identity_months", "retain_needs_days"]
    unchanged = services.update_retention(
        organisation=organisation, actor=owner, periods={"retain_needs_days": 1}
    )
    assert unchanged.retain_needs_days == 1
    assert not AuditLog.objects.filter(action="organisation.retention_changed").exists()
