"""django.core.signing.dumps, byte for byte, with the keyed HMAC prepared once per secret and salt.

    value = signed.dumps({"status": "registered", "colleagues": 0, "confirm": False}, salt=DONE_COOKIE)

signing.dumps makes a TimestampSigner for every call, derives its key (a SHA-256 of the salt and
SECRET_KEY) and keys a new HMAC: most of what signing the thank-you cookie cost the registration
POST (issue 10). Here the derived, keyed HMAC is kept per (SECRET_KEY, salt) and copied for each
value; the JSON, base64, timestamp and signature are made exactly as signing.dumps makes them
(tests/public/test_signed.py compares the two), so signing.loads reads them as before, and a
rotated SECRET_KEY is used at once (it is part of the key).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import time

from django.conf import settings
from django.core import signing


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


@functools.lru_cache(maxsize=8)
def _keyed_hmac(secret: str, salt: str) -> hmac.HMAC:
    # Signer.signature: salted_hmac(salt + "signer", value, SECRET_KEY, algorithm="sha256"), whose
    # key is sha256(key_salt + secret). Only ever copied, never updated itself.
    key = hashlib.sha256(f"{salt}signer{secret}".encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)
