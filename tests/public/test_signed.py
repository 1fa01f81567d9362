"""The thank-you cookie is signed by public.signed.dumps, with its HMAC keyed once: its bytes
must be signing.dumps's (signing.loads reads them, old cookies stay valid), under every secret."""

from __future__ import annotations

import datetime as dt
import time

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


# The thank-you page reads the cookie with signed.loads (its HMAC keyed once): whatever a browser
# sends, it must answer as signing.loads does, the same value or the same error and message.
secrets_ = st.text(min_size=1, max_size=40)


def _outcome(read, value: str, salt: str):
    try:
        return ("value", read(value, salt=salt, max_age=3600))
    except Exception as error:
        return (type(error), str(error))


@hypothesis.settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    obj=json_values,
    salt=st.sampled_from([DONE_COOKIE, "å"]),
    signer_secret=secrets_,
    secret=secrets_,
    fallbacks=st.lists(secrets_ | st.just(""), max_size=2),
    signed_at=st.integers(min_value=0, max_value=4_000_000_000),
    age=st.sampled_from([0, 1, 3599, 3600, 3601, 10**6, -5]),
    tamper=st.sampled_from(["none", "value", "signature", "timestamp", "colon", "cut", "garbage"]),
    garbage=st.text(max_size=60),
    rotation=st.sampled_from(["same", "fallback", "other"]),
)
def test_loads_answers_as_signing_loads(
    obj,
    salt,
    signer_secret,
    secret,
    fallbacks,
    signed_at,
    age,
    tamper,
    garbage,
    rotation,
    time_machine,
    settings,
):
    settings.SECRET_KEY = signer_secret
    time_machine.move_to(dt.datetime.fromtimestamp(signed_at, dt.UTC), tick=False)
    value = signing.dumps(obj, salt=salt)
    data, timestamp, signature = value.split(":")
    value = {
        "none": value,
        "value": f"{data[:-1]}A:{timestamp}:{signature}" if data else value,
        "signature": f"{data}:{timestamp}:{signature[::-1]}",
        "timestamp": f"{data}:{signing.b62_encode(signed_at + 7)}:{signature}",
        "colon": f"{data}{timestamp}{signature}",
        "cut": value[: len(value) // 2],
        "garbage": garbage,
    }[tamper]
    # Read back later, under the signer's secret, a rotated one (the signer's a fallback) or another.
    settings.SECRET_KEY = signer_secret if rotation == "same" else secret
    settings.SECRET_KEY_FALLBACKS = [*fallbacks, signer_secret] if rotation == "fallback" else fallbacks
    time_machine.move_to(dt.datetime.fromtimestamp(signed_at + age, dt.UTC), tick=False)

    assert _outcome(signed.loads, value, salt) == _outcome(signing.loads, value, salt)


def test_loads_reads_a_cookie_signed_before_the_secret_was_rotated(settings, time_machine):
    time_machine.move_to(dt.datetime(2029, 5, 1, 12, tzinfo=dt.UTC), tick=False)
    done = {"status": Status.WAITLISTED, "colleagues": 2, "confirm": True}
    old_secret = settings.SECRET_KEY
    value = signed.dumps(done, salt=DONE_COOKIE)
    settings.SECRET_KEY = "a rotated secret key, long enough to pass for one, " * 2

    with pytest.raises(signing.BadSignature):
        signed.loads(value, salt=DONE_COOKIE, max_age=3600)
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    assert signed.loads(value, salt=DONE_COOKIE, max_age=3600) == {
        "status": "waitlisted",
        "colleagues": 2,
        "confirm": True,
    }
    with pytest.raises(signing.BadSignature):
        signed.loads(value, salt="another salt", max_age=3600)
    time_machine.shift(3601)
    with pytest.raises(signing.SignatureExpired):
        signed.loads(value, salt=DONE_COOKIE, max_age=3600)


def test_an_empty_fallback_key_is_the_secret_key_as_in_signing(settings, time_machine):
    # Signer.signature uses `key or self.key`: an empty fallback never accepts a value whose HMAC
    # was made with an empty key.
    time_machine.move_to(dt.datetime(2029, 5, 1, 12, tzinfo=dt.UTC), tick=False)
    settings.SECRET_KEY_FALLBACKS = [""]
    unsigned = f"{signing.b64_encode(b'{}').decode()}:{signing.b62_encode(int(time.time()))}"
    forged = f"{unsigned}:{signing.base64_hmac(DONE_COOKIE + 'signer', unsigned, b'', algorithm='sha256')}"

    with pytest.raises(signing.BadSignature):
        signing.loads(forged, salt=DONE_COOKIE, max_age=3600)
    with pytest.raises(signing.BadSignature):
        signed.loads(forged, salt=DONE_COOKIE, max_age=3600)
