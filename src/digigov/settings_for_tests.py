"""Settings for the test suite: the ordinary settings in test mode."""

import os

os.environ.setdefault("DIGIGOV_MODE", "test")

from digigov.settings import *  # noqa: F403

# The test client's address; a test with a live server has that server's (conftest).
PUBLIC_URL = "http://testserver"
