"""Settings for the test suite: the ordinary settings in test mode."""

import os

os.environ.setdefault("DIGIGOV_MODE", "test")

from digigov.settings import *  # noqa: F403
