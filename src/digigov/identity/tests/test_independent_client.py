"""An independent OpenID Connect client (panva's certified openid-client, from npm)
signs in through Digigov's test e-ID provider, as an integrator's system would
(issue 11): registered with `digigov test_eid`, with and without a nonce, with and
without the identity number's scope."""

import html
import json
import re
import time

import httpx
import pytest

from digigov.core.actors import Actor
from digigov.identity import actions
from digigov.identity.builtin_eid import NUMBER_SCOPE
from digigov.identity.oidc import PERSONAL_IDENTITY_NUMBER_CLAIM
from digigov.identity.tests import interop

pytestmark = pytest.mark.django_db(transaction=True)
ANNA = "199003152387"
REDIRECT = "http://127.0.0.1:9/callback"  # the browser stops there; nothing listens


@pytest.fixture
def registered(live_server):
    client, secret = actions.register_test_client(
        actor=Actor.system("tests"), name="integrator", redirect_uris=[REDIRECT]
    )
    return client.client_id, secret


def run_client(live_server, registered, scope, nonce=""):
    client_id, secret = registered
    configuration = {
        "issuer": f"{live_server.url}/test-eid",
        "client_id": client_id,
        "client_secret": secret,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "nonce": nonce,
    }
    node = interop.Running(["rp.mjs", json.dumps(configuration)], ready="")
    try:
        authorize = wait_for(node, "AUTHORIZE ")
        with httpx.Client(timeout=10) as browser:
            page = browser.get(authorize)
            assert page.status_code == 200, page.text[:300]
            form = re.search(
                r'<form method="post" class="inline-form">(.*?)</form>', page.text, re.S
            )
            assert form is not None
            fields = {
                name: html.unescape(value)
                for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(1))
            }
            fields["personal_identity_number"] = ANNA
            answer = browser.post(authorize, data=fields, headers={"Referer": authorize})
            assert answer.status_code == 302, answer.text[:500]
        assert node.process.stdin is not None
        node.process.stdin.write(answer.headers["location"] + "\n")
        node.process.stdin.flush()
        return wait_for(node, "RESULT ", "FAILED ")
    finally:
        node.stop()


def wait_for(node, *prefixes):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for line in node.lines:
            for prefix in prefixes:
                if line.startswith(prefix):
                    return line if prefix != "AUTHORIZE " else line.removeprefix(prefix)
        time.sleep(0.05)
    raise AssertionError("\n".join(node.lines))


def test_an_independent_client_signs_in_without_a_nonce(live_server, registered):
    line = run_client(live_server, registered, f"openid profile {NUMBER_SCOPE}")
    assert line.startswith("RESULT "), line
    result = json.loads(line.removeprefix("RESULT "))
    assert "nonce" not in result["claims"]
    assert result["claims"]["aud"] == registered[0]
    assert result["userinfo"][PERSONAL_IDENTITY_NUMBER_CLAIM] == ANNA
    assert result["userinfo"]["name"] == "Anna Andersson"


def test_an_independent_client_with_a_nonce_and_without_the_number_scope(live_server, registered):
    line = run_client(live_server, registered, "openid profile", nonce="n-0123456789")
    result = json.loads(line.removeprefix("RESULT "))
    assert result["claims"]["nonce"] == "n-0123456789"
    assert PERSONAL_IDENTITY_NUMBER_CLAIM not in result["claims"]
    assert PERSONAL_IDENTITY_NUMBER_CLAIM not in result["userinfo"]
