"""Settings for the test suite: the ordinary settings in test mode."""

import os

os.environ.setdefault("DIGIGOV_MODE", "test")

from digigov.settings import *  # noqa: F403

# The test client's address; a test with a live server has that server's (conftest).
PUBLIC_URL = "http://testserver"

# Keys the tests make (SAML, the BankID simulator's CA) go to a folder of the run's own.
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

_made = Path(tempfile.mkdtemp(prefix="digigov-test-keys-"))
SAML_DIR = _made / "saml"
BANKID_SIMULATOR_DIR = _made / "bankid-simulator"
