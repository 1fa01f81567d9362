"""django.core.signing.dumps and loads, with the keyed HMAC prepared once per secret and salt.

    value = signed.dumps({"status": "registered", "colleagues": 0, "confirm": False}, salt=DONE_COOKIE)
    done = signed.loads(value, salt=DONE_COOKIE, max_age=3600)   # raises signing.BadSignature

signing.dumps makes a TimestampSigner for every call, derives its key (a SHA-256 of the salt and
SECRET_KEY) and keys a new HMAC: most of what signing the thank-you cookie cost the registration
POST (issue 10). Here the derived, keyed HMAC is kept per (SECRET_KEY, salt) and copied for each
value; the JSON, base64, timestamp and signature are made exactly as signing.dumps makes them
(tests/public/test_signed.py compares the two), so signing.loads reads them as before, and a
rotated SECRET_KEY is used at once (it is part of the key). loads is signing.loads the same way,
for the thank-you page: the signature checked against SECRET_KEY and then each of
SECRET_KEY_FALLBACKS, read from the settings on every call, then the age, then the JSON; the same
errors (BadSignature, SignatureExpired) in the same cases.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import time

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare


def dumps(obj, *, salt: str) -> str:
    """signing.dumps(obj, salt=salt): the default serializer, no compression, SECRET_KEY."""
    secret = settings.SECRET_KEY
    if not isinstance(secret, str):  # bytes are allowed by Django; not worth a second path
        return signing.dumps(obj, salt=salt)
    data = signing.b64_encode(json.dumps(obj, separators=(",", ":")).encode("latin-1")).decode()
    value = f"{data}:{signing.b62_encode(int(time.time()))}"
    mac = _keyed_hmac(secret, salt).copy()
    mac.update(value.encode())
    return f"{value}:{signing.b64_encode(mac.digest()).decode()}"


def loads(value: str, *, salt: str, max_age: int):
    """signing.loads(value, salt=salt, max_age=max_age): the default serializer, SECRET_KEY and
    SECRET_KEY_FALLBACKS. Raises signing.BadSignature (SignatureExpired past max_age)."""
    secret = settings.SECRET_KEY
    keys = [secret, *settings.SECRET_KEY_FALLBACKS]
    if not all(isinstance(key, str) for key in keys):
        return signing.loads(value, salt=salt, max_age=max_age)
    # Signer.unsign
    if ":" not in value:
        raise signing.BadSignature('No ":" found in value')
    signed_value, sig = value.rsplit(":", 1)
    message = signed_value.encode()
    for key in keys:
        mac = _keyed_hmac(key or secret, salt).copy()  # Signer.signature: `key or self.key`
        mac.update(message)
        if constant_time_compare(sig, signing.b64_encode(mac.digest()).decode()):
            break
    else:
        raise signing.BadSignature(f'Signature "{sig}" does not match')
    # TimestampSigner.unsign
    data, timestamp = signed_value.rsplit(":", 1)
    age = time.time() - signing.b62_decode(timestamp)
    if age > max_age:
        raise signing.SignatureExpired(f"Signature age {age} > {max_age} seconds")
    # Signer.unsign_object with JSONSerializer
    encoded = data.encode()
    if encoded[:1] == b".":
        return signing.loads(value, salt=salt, max_age=max_age)  # compressed: never made here
    return json.loads(signing.b64_decode(encoded).decode("latin-1"))


@functools.lru_cache(maxsize=8)
def _keyed_hmac(secret: str, salt: str) -> hmac.HMAC:
    # Signer.signature: salted_hmac(salt + "signer", value, SECRET_KEY, algorithm="sha256"), whose
    # key is sha256(key_salt + secret). Only ever copied, never updated itself.
    key = hashlib.sha256(f"{salt}signer{secret}".encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)
