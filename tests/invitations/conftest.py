import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _private_uploads(tmp_path, settings):
    """Each test keeps its uploads in a directory of its own (staging lives under DATA_DIR)."""
    settings.DATA_DIR = tmp_path


@pytest.fixture(autouse=True)
def _english():
    """The domain's messages are compared as their English msgids (a page test may have left
    Swedish active in this thread)."""
    with translation.override("en"):
        yield


# The e-mail tests' loopback SMTP server, for the bounce tests.
from tests.mail.conftest import smtp_down, smtp_server, smtp_settings  # noqa: E402, F401 - fixtures
