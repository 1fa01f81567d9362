"""A personal link's row, stored by the INSERT built once (links.store_link), is the row the ORM's
`create` stored: the link opens the page, a check-in code's row is stored once, and a link
minted for a message goes with it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from frukost.checkin import codes
from frukost.mail.models import OutboxMessage
from frukost.registrations import links
from frukost.registrations.enums import LinkPurpose
from frukost.registrations.models import PersonalLink
from frukost.registrations.services import register
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(event):
    return register(event=event, person=make_person("anna@example.se")).registration


def test_a_minted_link_is_stored_as_create_stored_it_and_opens_the_page(anna):
    message = OutboxMessage.objects.filter(registration=anna).first()
    before = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        token = links.mint_token(anna, LinkPurpose.MANAGE, message=message)
    assert [q["sql"].split(" ", 1)[0] for q in queries.captured_queries] == ["INSERT"]
    row = PersonalLink.objects.get(token_hash=links.link_hash(token, LinkPurpose.MANAGE))
    assert (row.registration_id, row.purpose, row.message_id) == (anna.pk, LinkPurpose.MANAGE, message.pk)
    assert before - dt.timedelta(seconds=1) <= row.created_at <= timezone.now()
    assert links.registration_for_token(token) == anna

    feedback = links.mint_token(anna, "feedback")
    row = PersonalLink.objects.get(token_hash=links.link_hash(feedback, LinkPurpose.FEEDBACK))
    assert (row.purpose, row.message_id) == (LinkPurpose.FEEDBACK, None)
    assert links.link_for_token(feedback, purposes=(LinkPurpose.FEEDBACK,)).registration == anna

    # A message that is never delivered takes its links with it (the row names the message).
    assert links.discard_links_of(message) == 1


def test_a_check_in_code_is_stored_once_and_a_link_hash_never_twice(anna):
    first = codes.issue_code(anna)
    assert codes.issue_code(anna) == first  # the same code again: nothing stored the second time
    rows = PersonalLink.objects.filter(registration=anna, purpose=LinkPurpose.CHECKIN)
    assert rows.count() == 1
    assert codes.registration_for_code(anna.event, first.lower()) == anna

    with pytest.raises(IntegrityError), transaction.atomic():
        links.store_link(registration=anna, token_hash=rows.get().token_hash, purpose=LinkPurpose.CHECKIN)


_TOKENS = st.from_regex(links.TOKEN_FORMAT, fullmatch=True)


@hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    token=st.one_of(_TOKENS, st.just(links._SAMPLE_TOKEN), st.text(max_size=40)),
    purpose=st.sampled_from(list(LinkPurpose)),
    base_url=st.sampled_from(["http://127.0.0.1:8000", "https://frukost.example.se", "https://x.se/Zq9"]),
    prefix=st.sampled_from(["/", "/frukost/", "/Zq9-Zq9_Zq9-Zq9_Zq9-Zq9_Zq9-Zq9_/"]),
)
def test_a_link_s_url_is_the_one_reverse_gives(token, purpose, base_url, prefix, settings):
    # The halves around the token are kept per base URL, script prefix and URLconf: each of them
    # changed here between examples, and a prefix holding the sample token itself.
    settings.BASE_URL = base_url
    set_script_prefix(prefix)
    try:
        name = "public:feedback" if purpose == LinkPurpose.FEEDBACK else "public:registration"
        try:
            expected = base_url + reverse(name, kwargs={"token": token})
        except NoReverseMatch:
            with pytest.raises(NoReverseMatch):
                links.url_for_token(token, purpose)
            return
        assert links.url_for_token(token, purpose) == expected
    finally:
        set_script_prefix("/")
