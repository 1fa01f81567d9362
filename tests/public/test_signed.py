"""The thank-you cookie is signed by public.signed.dumps, with its HMAC keyed once: its bytes
must be signing.dumps's (signing.loads reads them, old cookies stay valid), under every secret."""

from __future__ import annotations

import datetime as dt

import hypothesis
import pytest
from django.core import signing
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from frukost.public import signed
from frukost.public.views import DONE_COOKIE
from frukost.registrations.enums import Status

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30) | st.sampled_from(list(Status)),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@hypothesis.settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    obj=json_values,
    salt=st.sampled_from([DONE_COOKIE, "another salt", "å"]),
    secret=st.text(min_size=1, max_size=80),
    when=st.integers(min_value=0, max_value=4_000_000_000),
)
def test_the_value_is_signing_dumps_byte_for_byte(obj, salt, secret, when, time_machine, settings):
    settings.SECRET_KEY = secret
    time_machine.move_to(dt.datetime.fromtimestamp(when, dt.UTC), tick=False)

    value = signed.dumps(obj, salt=salt)

    assert value == signing.dumps(obj, salt=salt)
    assert signing.loads(value, salt=salt) == signing.loads(signing.dumps(obj, salt=salt), salt=salt)


def test_the_thank_you_cookie_is_read_back_and_a_rotated_secret_applies_at_once(settings, time_machine):
    time_machine.move_to(dt.datetime(2029, 5, 1, 12, tzinfo=dt.UTC), tick=False)
    done = {"status": Status.REGISTERED, "colleagues": 1, "confirm": False}
    before = signed.dumps(done, salt=DONE_COOKIE)
    settings.SECRET_KEY = "a rotated secret key, long enough to pass for one, " * 2

    after = signed.dumps(done, salt=DONE_COOKIE)

    assert after != before
    assert after == signing.dumps(done, salt=DONE_COOKIE)
    assert signing.loads(after, salt=DONE_COOKIE, max_age=3600) == {
        "status": "registered",
        "colleagues": 1,
        "confirm": False,
    }
    with pytest.raises(signing.BadSignature):
        signing.loads(before, salt=DONE_COOKIE)
