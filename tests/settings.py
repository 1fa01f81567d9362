"""Settings for the test suite: the environment is set before frukost's settings are read."""

import os
import tempfile

os.environ.setdefault("FRUKOST_TESTING", "1")
os.environ["FRUKOST_DATA_DIR"] = tempfile.mkdtemp(prefix="frukost-test-")
os.environ.setdefault("FRUKOST_BASE_URL", "http://testserver")
# The suite freezes Python's clock (time_machine) while the database's runs on: the outbox compares
# the times it writes with the clock that wrote them (tests/mail/test_worker_clock.py tests the other).
os.environ.setdefault("FRUKOST_WORKER_CLOCK", "process")

from frukost.settings import *  # noqa: E402,F403

# Still argon2 (hashes start with "argon2"), cheap enough for hundreds of test users.
PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
