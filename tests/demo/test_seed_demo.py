"""`make run`'s demo: an organisation whose owner signs in with the password the seed prints."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from frukost.accounts.models import OrganisationMember

pytestmark = pytest.mark.django_db


def _seed() -> str:
    output = StringIO()
    call_command("seed_demo", stdout=output)
    return output.getvalue()


def test_seed_demo_prints_an_owners_login_that_signs_in(client):
    output = _seed()
    email, password = re.search(r"e-mail (\S+)\s+password (\S+)", output).groups()

    signed_in = client.post(reverse("account_login"), {"login": email, "password": password})

    owner = OrganisationMember.objects.get(user__email=email)
    assert (owner.organisation.slug, owner.role) == ("akademikerforbundet-ssr", "owner")
    assert signed_in["Location"] == reverse("backoffice:home")
    # The owner has no second factor yet: the back office asks them to set it up first.
    events = client.get(reverse("backoffice:events", args=["akademikerforbundet-ssr"]))
    assert events["Location"] == reverse("backoffice:two-factor-required")


def test_seed_demo_a_second_time_keeps_the_owner_and_prints_no_password():
    _seed()

    output = _seed()

    assert "password" not in output
    assert OrganisationMember.objects.filter(role="owner").count() == 1
