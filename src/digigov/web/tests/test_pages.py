import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from digigov.conftest import ANNA, sign_in_resident

pytestmark = pytest.mark.django_db


def test_the_start_page_lists_the_organisations(client, organisation, other_organisation):
    page = client.get("/").content.decode()
    assert '<html lang="sv">' in page
    assert "Exempelby kommun" in page and "Provstad kommun" in page
    assert 'href="#main"' in page  # skip link


def test_an_organisation_page(client, organisation):
    page = client.get(reverse("web:organisation", args=["exempelby"])).content.decode()
    assert "212000-9994" in page and "9991" in page


def test_an_unknown_organisation_is_a_bilingual_404(client):
    response = client.get("/organisationer/finns-inte/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Sidan finns inte" in body and "Page not found" in body


def test_swedish_is_the_default_whatever_the_browser_asks_for(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="sv">' in response.content.decode()
    assert response["Content-Language"] == "sv"


def test_the_language_switch_works_without_javascript(client, organisation):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Organisations" in body
    assert "På svenska" in body


def test_a_forged_csrf_token_gets_a_clear_bilingual_page(db):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("identity:staff-login"))
    response = client.post(
        reverse("identity:staff-login"),
        {"username": "x", "password": "y", "csrfmiddlewaretoken": "forged" * 6},
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert "Formuläret kunde inte skickas" in body and "The form could not be sent" in body


def test_every_answer_says_how_long_the_server_took(client):
    import re

    for url in (reverse("web:accessibility"), "/api/organisations", "/no-such-page/"):
        timing = client.get(url)["Server-Timing"]
        found = re.fullmatch(r"app;dur=(\d+\.\d), cpu;dur=(\d+\.\d)", timing)
        assert found, timing
        assert float(found.group(2)) <= float(found.group(1)) + 1  # CPU within the wall time


def test_every_page_sends_the_security_headers(client):
    response = client.get(reverse("web:accessibility"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_my_pages_needs_sign_in(client):
    response = client.get(reverse("web:my-pages"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('identity:sign-in')}?next=%2Fmina-sidor%2F"


def test_the_accessibility_statement_names_the_law(client):
    assert "2018:1937" in client.get(reverse("web:accessibility")).content.decode()


def settings_in(mode_env: dict[str, str], expression: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGIGOV_")}
    env.update(mode_env)
    env["DJANGO_SETTINGS_MODULE"] = "digigov.settings"
    return subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings as s; print({expression})"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


PRODUCTION = {
    "DIGIGOV_MODE": "production",
    "DIGIGOV_SECRET_KEY": "k" * 50,
    "DIGIGOV_VIRUS_SCANNER": "none",
}


def test_production_settings_are_secure():
    result = settings_in(
        PRODUCTION,
        "s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_HSTS_SECONDS, s.TEST_EID_ENABLED",
    )
    assert result.stdout.strip() == "False True True True 31536000 False", result.stderr


def test_production_gives_no_server_timing_unless_asked():
    timing = "'digigov.core.middleware.ServerTimingMiddleware' in s.MIDDLEWARE"
    assert settings_in(PRODUCTION, timing).stdout.strip() == "False"
    asked = {**PRODUCTION, "DIGIGOV_SERVER_TIMING": "true"}
    assert settings_in(asked, timing).stdout.strip() == "True"


def test_production_refuses_to_start_without_a_secret_key():
    result = settings_in({"DIGIGOV_MODE": "production"}, "s.SECRET_KEY")
    assert result.returncode != 0
    assert "DIGIGOV_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"DIGIGOV_SECRET_KEY": "k" * 49}, "at least 50 characters"),
        ({"DIGIGOV_DEBUG": "true"}, "DIGIGOV_DEBUG is refused in production"),
        ({"DIGIGOV_VIRUS_SCANNER": ""}, "DIGIGOV_VIRUS_SCANNER must be set"),
        ({"DIGIGOV_EXCHANGE_LOG_BODIES": "ja"}, "must be true or false"),
        ({"DIGIGOV_CACHE_URL": "memcached://x"}, "redis:// address"),
    ],
)
def test_production_refuses_to_start_unsafe(change, refusal):
    result = settings_in({**PRODUCTION, **change}, "s.SECRET_KEY")
    assert result.returncode != 0
    assert refusal in result.stderr


def test_files_the_installation_writes_are_its_own(tmp_path):
    result = settings_in(
        {"DIGIGOV_MODE": "demo", "DIGIGOV_DATA_DIR": str(tmp_path / "data")},
        "s.SECRET_KEY and oct(__import__('os').stat(s.DATA_DIR).st_mode & 0o777)",
    )
    assert result.stdout.strip() == "0o700", result.stderr
    assert oct((tmp_path / "data" / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_production_refuses_the_test_eid_unless_explicitly_allowed():
    refused = settings_in(
        {**PRODUCTION, "DIGIGOV_EID_PROVIDERS": "test"},
        "s.TEST_EID_ENABLED",
    )
    assert refused.returncode != 0
    assert "DIGIGOV_ALLOW_TEST_EID" in refused.stderr
    allowed = settings_in(
        {**PRODUCTION, "DIGIGOV_EID_PROVIDERS": "test", "DIGIGOV_ALLOW_TEST_EID": "true"},
        "s.TEST_EID_ENABLED",
    )
    assert allowed.stdout.strip() == "True", allowed.stderr


def test_the_test_provider_is_gone_when_it_is_off(client, settings):
    settings.TEST_EID_ENABLED = False
    assert client.get("/test-eid/.well-known/openid-configuration").status_code == 404


@pytest.mark.parametrize("path", ["/", "/logga-in/", "/tillganglighet/", "/personal/logga-in/"])
def test_pages_answer_head_requests(client, path):
    assert client.head(path).status_code == 200


def python_in(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh process with Digigov set up in `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DIGIGOV_")}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "digigov.settings"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("cache_url", ["", "redis://127.0.0.1:6379/15"])
def test_the_cache_is_shared_by_every_process(tmp_path, cache_url):
    """Two processes, one cache: a table in the database by default, Redis when named."""
    env = {
        "DIGIGOV_MODE": "demo",
        "DIGIGOV_DATA_DIR": str(tmp_path / "data"),
        "DIGIGOV_CACHE_URL": cache_url,
    }
    migrated = python_in(
        env, "from django.core.management import call_command as c; c('migrate', verbosity=0)"
    )
    assert migrated.returncode == 0, migrated.stderr
    put = python_in(env, "from django.core.cache import cache; cache.set('shared', 42, 60)")
    assert put.returncode == 0, put.stderr
    got = python_in(env, "from django.core.cache import cache; print(cache.get('shared'))")
    assert got.stdout.strip() == "42", got.stderr


def test_nothing_personal_is_kept_in_a_cache(client, bygglov_case, case_worker):
    assert "no-store" not in client.get("/").get("Cache-Control", "")
    assert "no-store" in client.get("/api/services").get("Cache-Control", "")
    sign_in_resident(client, ANNA)
    for url in [
        reverse("web:my-pages"),
        reverse("web:my-case", args=[bygglov_case.public_id]),
        reverse("web:my-case-document", args=[bygglov_case.public_id, 2]),
        reverse("web:application-receipt-pdf", args=[bygglov_case.application.public_id]),
        "/",
    ]:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]
    staff = type(client)()
    staff.force_login(case_worker)
    assert "no-store" in staff.get(reverse("web:workspace"))["Cache-Control"]
