"""The e-mail tests' loopback SMTP server, for the bounce tests."""

from tests.mail.conftest import smtp_down, smtp_server, smtp_settings  # noqa: F401 - fixtures
