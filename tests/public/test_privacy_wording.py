"""The privacy pages read well with and without an operator named, and their claims about logs
hold for the documented proxy set-up (docs/deploy.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.public.test_privacy_notice import URL, english, text_of

pytestmark = pytest.mark.django_db

SITE = "/integritet/"
DEPLOY = Path(__file__).parents[2] / "docs" / "deploy.md"


def test_the_site_page_names_the_operator_in_a_sentence(client, settings):
    settings.FRUKOST_OPERATOR_NAME = "Driftbolaget AB"
    settings.FRUKOST_OPERATOR_EMAIL = "drift@example.se"

    text = text_of(client.get(SITE))

    assert (
        "Driftbolaget AB driver webbplatsen åt organisationerna som deras personuppgiftsbiträde (art. 28 i "
        "dataskyddsförordningen) och använder inte uppgifterna till något annat. Kontakt: drift@example.se ."
    ) in text


def test_without_an_operator_name_the_site_page_says_who_can_tell(client, settings):
    settings.FRUKOST_OPERATOR_NAME = ""
    settings.FRUKOST_OPERATOR_EMAIL = ""

    text = text_of(client.get(SITE))
    english_text = text_of(english().get(SITE))

    assert "Den som driver webbplatsen" not in text
    assert (
        "Webbplatsen drivs åt organisationerna av deras personuppgiftsbiträde (art. 28 i "
        "dataskyddsförordningen), som inte använder uppgifterna till något annat. Organisationen som bjöd "
        "in dig kan berätta vem det är."
    ) in text
    assert "The organisation that invited you can tell you who that is." in english_text


def test_without_an_operator_name_the_notice_says_the_organisation_can_tell(client, organisation, settings):
    settings.FRUKOST_OPERATOR_NAME = ""

    text = text_of(client.get(URL))

    assert (
        "Personuppgiftsbiträde Företaget eller organisationen som driver webbplatsen åt Akademikerförbundet "
        "SSR enligt ett personuppgiftsbiträdesavtal (art. 28 i dataskyddsförordningen). Den använder inte "
        "uppgifterna till något annat, och Akademikerförbundet SSR kan berätta vem det är."
    ) in text


def test_the_notice_says_when_it_was_made_and_how_often_data_is_erased(client, organisation, frozen):
    frozen("2026-12-01 12:00")

    text = text_of(client.get(URL))

    assert "Sidan bygger på organisationens inställningar den 1 december 2026." in text
    assert "Uppgifterna raderas automatiskt en gång om dygnet." in text
    assert "e-brev" not in text and "e-brev" not in text_of(client.get(SITE))


def _nginx_site() -> str:
    return DEPLOY.read_text().split("```nginx\n", 1)[1].split("```", 1)[0]


def _nginx_mask(value: str) -> str:
    """What the site's `map` makes of a value (nginx regexes are PCRE; this one reads the same in re)."""
    pattern, replacement = re.search(
        r'map \$request \$frukost_request \{\s*"~([^"]+)" "([^"]+)";', _nginx_site()
    ).groups()
    match = re.match(pattern, value)
    return replacement.replace("$1", match.group(1)).replace("$2", match.group(2)) if match else value


@pytest.mark.parametrize(
    ("request_line", "logged"),
    [
        ("GET /r/AbC123-_x/ HTTP/2.0", "GET /r/*/ HTTP/2.0"),
        ("POST /r/AbC123-_x/avanmal/ HTTP/2.0", "POST /r/*/avanmal/ HTTP/2.0"),
        ("GET /r/AbC123-_x/kalender.ics HTTP/2.0", "GET /r/*/kalender.ics HTTP/2.0"),
        ("GET /mina-uppgifter/T0k3n/ HTTP/1.1", "GET /mina-uppgifter/*/ HTTP/1.1"),
        ("POST /i/AbC123-_x/avregistrera/ HTTP/2.0", "POST /i/*/avregistrera/ HTTP/2.0"),
        ("POST /i18n/setlang/ HTTP/2.0", "POST /i18n/setlang/ HTTP/2.0"),
        ("GET /mina-uppgifter/T0k3n.json?x=1 HTTP/1.1", "GET /mina-uppgifter/*?x=1 HTTP/1.1"),
        (
            "GET /akademikerforbundet-ssr/chefsfrukost/ HTTP/2.0",
            "GET /akademikerforbundet-ssr/chefsfrukost/ HTTP/2.0",
        ),
    ],
)
def test_the_nginx_example_masks_personal_links_in_its_log(request_line, logged):
    assert _nginx_mask(request_line) == logged


def test_every_nginx_server_logs_in_the_masked_format():
    site = _nginx_site()
    servers = site.split("server {")[1:]

    assert "log_format frukost" in site and '"$frukost_request"' in site and '"$frukost_referer"' in site
    assert "$request " not in site.split("log_format frukost", 1)[1].split(";", 1)[0]
    assert len(servers) == 3
    assert all("access_log /var/log/nginx/access.log frukost;" in server for server in servers)
