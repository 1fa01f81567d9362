"""Each organisation's privacy notice, generated from its settings: change a setting, the page changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from frukost.accounts.services import update_retention
from frukost.events.enums import EventStatus
from frukost.events.models import RETENTION_LIMITS, Event, Organisation
from frukost.events.services import free_slug
from frukost.registrations.services import register
from tests.conftest import make_person
from tests.public.test_personal_link import link_in_last_mail

pytestmark = pytest.mark.django_db

URL = "/akademikerforbundet-ssr/integritet/"
DOCS = Path(__file__).parents[2] / "docs" / "privacy.md"


def text_of(response) -> str:
    main = response.content.decode().split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def english() -> Client:
    client = Client()
    client.cookies["frukost_language"] = "en"
    return client


def test_the_notice_names_controller_contact_processor_and_the_authority(client, organisation, settings):
    settings.FRUKOST_OPERATOR_NAME = "Driftbolaget AB"
    settings.FRUKOST_OPERATOR_EMAIL = "drift@example.se"
    organisation.privacy_contact = "dataskydd@akademssr.se"
    organisation.save()

    response = client.get(URL)
    text = text_of(response)

    assert response.status_code == 200
    assert "Personuppgiftsansvarig Akademikerförbundet SSR" in text
    assert 'href="mailto:dataskydd@akademssr.se"' in response.content.decode()
    assert "Personuppgiftsbiträde Driftbolaget AB, drift@example.se" in text
    assert "Integritetsskyddsmyndigheten (IMY)" in text
    assert 'href="https://www.imy.se/"' in response.content.decode()


def test_the_notice_gives_each_purpose_its_legal_basis_and_the_periods_from_the_settings(
    client, organisation
):
    text = text_of(client.get(URL))

    for title, basis, period in [
        ("Anmälan och genomförandet av evenemanget", "Art. 6.1 b", "raderas 12 månader efter evenemanget"),
        ("Specialkost och tillgänglighetsbehov", "Art. 9.2 a", "Raderas dagen efter evenemanget"),
        ("Frågan om medlemskap", "art. 9.2 d", "Raderas 30 dagar efter evenemanget"),
        ("Inbjudningar till kommande evenemang", "Art. 6.1 a", "Tills du tar tillbaka samtycket"),
        ("E-postloggen", "Art. 6.1 f", "90 dagar efter att det skickades"),
        ("Arrangörsverktygets händelselogg", "Art. 6.1 f", "leder posterna inte längre till dig"),
    ]:
        section = text.split(title, 1)[1][:900]
        assert basis in section, title
        assert period in section, title
    assert "och en avanmäld eller släppt anmälan 7 dagar efter evenemanget" in text


def test_changing_a_setting_changes_the_notice_and_the_forms_sentence(
    client, organisation, event, staff_factory
):
    client.get(event.get_absolute_url())  # the form is cached: the change must still show

    update_retention(
        organisation=organisation,
        actor=staff_factory("owner"),
        periods={"retain_needs_days": 3, "retain_membership_days": 14, "retain_identity_months": 6,
                 "retain_cancelled_days": 2},
    )  # fmt: skip

    notice = text_of(client.get(URL))
    form = text_of(client.get(event.get_absolute_url()))
    assert "Raderas 3 dagar efter evenemanget" in notice
    assert "Raderas 14 dagar efter evenemanget" in notice
    assert "raderas 6 månader efter evenemanget, och en avanmäld eller släppt anmälan 2 dagar efter" in notice
    assert (
        "Specialkost och andra behov raderas 3 dagar efter evenemanget, svaret om medlemskap 14 dagar efter "
        "evenemanget och ditt namn, din e-postadress, arbetsplats och befattning 6 månader efter evenemanget"
    ) in form


def test_the_notice_and_the_forms_sentence_in_english(organisation, event):
    client = english()
    text = text_of(client.get(URL))
    form = text_of(client.get(event.get_absolute_url()))

    assert (
        "Dietary and other needs are erased the day after the event, the membership answer 30 days after "
        "the event, and your name, e-mail address, workplace and job title 12 months after the event"
    ) in form
    assert "We then keep your name, e-mail address, workplace and job title" in form

    assert "Privacy notice" in text
    assert "Erased the day after the event." in text
    assert "Erased 30 days after the event" in text
    assert "erased 12 months after the event" in text
    assert "Art. 9(2)(a) GDPR" in text
    assert "Swedish Authority for Privacy Protection" in text


def test_the_notice_says_how_to_use_the_rights(client, organisation):
    response = client.get(URL)
    text = text_of(response)

    for right in ("Tillgång", "Rättelse", "Radering", "Invändning", "Återkallande av samtycke", "Klagomål"):
        assert right in text
    assert "Din personliga länk" in text
    assert "Utan länken: be om dina uppgifter med din e-postadress" in text
    assert 'href="/mina-uppgifter/"' in response.content.decode()  # the data-request page
    assert "kontaktpersonen som står på evenemangets sida" in text  # no privacy contact set
    assert "Lokalen: bara antalet per kost och anteckningar utan namn" in text
    assert "Entrévärdar: bara namn" in text


def test_an_unknown_organisation_has_no_notice(client, db):
    assert client.get("/ingen-sadan/integritet/").status_code == 404


def test_no_event_can_take_the_notices_address(event_factory, organisation):
    event = event_factory()
    event.slug = "integritet"

    with pytest.raises(ValidationError) as refused:
        event.full_clean(exclude=["organisation"])

    assert "slug" in refused.value.message_dict
    assert free_slug(organisation=organisation, slug="integritet") == "integritet-2"


def test_the_event_page_the_form_and_the_personal_page_link_the_organisations_notice(client, event):
    page = client.get(event.get_absolute_url()).content.decode()
    register(event=event, person=make_person("anna@example.se"))
    personal = client.get(link_in_last_mail("anna@example.se")).content.decode()

    privacy_note = page.split('class="privacy-note"', 1)[1].split("</p>", 1)[0]
    assert f'href="{URL}"' in privacy_note
    assert "Specialkost och andra behov raderas dagen efter evenemanget" in privacy_note
    assert page.count(f'href="{URL}"') == 2  # the form's sentence and the footer
    assert personal.count(f'href="{URL}"') == 2
    assert "Då sparar vi ditt namn, din e-postadress" in page


def test_the_sites_own_notice_lists_each_organisations_notice(client, organisation, event_factory):
    event_factory()
    drafts_only = Organisation.objects.create(name="Vision", slug="vision")
    Event.objects.create(
        organisation=drafts_only, slug="utkast", title="Utkast", status=EventStatus.DRAFT,
        starts_at=event_factory().starts_at, ends_at=event_factory().ends_at, capacity=5,
    )  # fmt: skip

    page = client.get("/integritet/").content.decode()

    assert f'href="{URL}"' in page
    assert "/vision/integritet/" not in page


def test_docs_privacy_states_the_same_defaults_and_limits_as_the_settings():
    docs = DOCS.read_text(encoding="utf-8")

    for name, (low, high) in RETENTION_LIMITS.items():
        default = Organisation._meta.get_field(name).default
        line = next(line for line in docs.splitlines() if f"`{name}`" in line and line.startswith("|"))
        assert f"default {default}" in line, name
        assert f"{low}–{high}" in line, name


def test_the_site_wide_periods_come_from_the_operators_settings(client, organisation, settings):
    settings.FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT = 14
    settings.FRUKOST_RETAIN_MAIL_DAYS = 60

    text = text_of(client.get(URL))

    assert "Personliga länkar slutar fungera 14 dagar efter evenemanget" in text
    assert "Adressen och ämnesraden raderas 60 dagar efter att det skickades" in text
