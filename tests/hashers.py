"""Argon2 with light parameters for the test suite: the same algorithm and hash format, a fraction
of the cost (the production hasher takes 100 MB and ~0.3 s a hash, multiplied by every test user)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 256
    parallelism = 1
