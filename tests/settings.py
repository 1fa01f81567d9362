"""Settings for the test suite: the environment is set before frukost's settings are read."""

import os
import tempfile

os.environ.setdefault("FRUKOST_TESTING", "1")
os.environ["FRUKOST_DATA_DIR"] = tempfile.mkdtemp(prefix="frukost-test-")
os.environ.setdefault("FRUKOST_BASE_URL", "http://testserver")

from frukost.settings import *  # noqa: E402,F403

# Still argon2 (hashes start with "argon2"), cheap enough for hundreds of test users.
PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
