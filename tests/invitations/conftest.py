import pytest


@pytest.fixture(autouse=True)
def _private_uploads(tmp_path, settings):
    """Each test keeps its uploads in a directory of its own (staging lives under DATA_DIR)."""
    settings.DATA_DIR = tmp_path
