"""The operators' admin for registrations: no bulk cancel, and the one-active rule as a form error."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from frukost.registrations.models import Registration
from frukost.registrations.services import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = get_user_model().objects.create_superuser("drift", "drift@example.se", "a-long-password")
    client.force_login(user)
    return user


def _change_data(registration, **changes):
    fields = [
        "first_name", "last_name", "email", "workplace", "job_title", "membership", "diet_other",
        "other_needs", "answer",
    ]  # fmt: skip
    data = {name: getattr(registration, name) for name in fields}
    data["diets"] = "[]"
    return data | changes


def _url(registration):
    return f"/admin/registrations/registration/{registration.pk}/change/"


def test_admin_edit_to_an_address_already_registered_is_a_form_error(client, operator, event, person):
    register(event=event, person=person("bo@example.se"))
    anna = register(event=event, person=person("anna@example.se")).registration

    response = client.post(_url(anna), _change_data(anna, email="Bo@Example.se"))

    anna.refresh_from_db()
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [
        "Adressen är redan anmäld till evenemanget."
    ]
    assert anna.email == "anna@example.se"


def test_admin_edit_stores_the_address_lower_cased(client, operator, event, person):
    anna = register(event=event, person=person("anna@example.se")).registration

    response = client.post(_url(anna), _change_data(anna, email="Anna@Example.se"))

    anna.refresh_from_db()
    assert response.status_code == 302
    assert anna.email == "anna@example.se"


def test_admin_has_no_bulk_cancel(client, operator, event, person):
    register(event=event, person=person("anna@example.se"))

    response = client.get("/admin/registrations/registration/")

    actions = [value for value, _label in response.context["action_form"].fields["action"].choices]
    assert "cancel_selected" not in actions
    assert Registration.objects.get().status == "registered"
