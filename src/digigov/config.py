"""Environment variables: the one documented list of every setting an operator can change.

Each variable is declared here with its default and meaning; `docs/settings.md`
is generated from this list (``digigov settings-doc``) and a test keeps the
two identical, so nothing can be read from the environment without being
documented.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    help: str


VARIABLES: dict[str, Variable] = {}


def declare(name: str, default: str, help: str) -> Variable:
    variable = Variable(name, default, help)
    VARIABLES[name] = variable
    return variable


MODE = declare(
    "DIGIGOV_MODE",
    "production",
    "`production`, `demo` or `test`. Production is the safe default: debug off, "
    "secure cookies, HSTS, test e-ID off, a secret key required. `digigov demo` sets `demo`.",
)
DATABASE_URL = declare(
    "DATABASE_URL",
    "sqlite:///<DIGIGOV_DATA_DIR>/digigov.sqlite3",
    "Where the data lives: `sqlite:///path` or `postgres://user:pass@host:5432/name` "
    "(PostgreSQL 15+ through psycopg 3).",
)
DATA_DIR = declare(
    "DIGIGOV_DATA_DIR",
    "./var",
    "Folder for the SQLite file, the demo's generated secret key and uploaded files.",
)
SECRET_KEY = declare(
    "DIGIGOV_SECRET_KEY",
    "",
    "Django's secret key. Required in production; demo and test generate one in the data folder.",
)
ALLOWED_HOSTS = declare(
    "DIGIGOV_ALLOWED_HOSTS",
    "localhost,127.0.0.1",
    "Comma-separated host names the server answers to.",
)
DEBUG = declare(
    "DIGIGOV_DEBUG",
    "false",
    "`true` shows Django's debug pages. Never in production.",
)
EID_PROVIDERS = declare(
    "DIGIGOV_EID_PROVIDERS",
    "",
    "Comma-separated e-ID providers offered at sign-in, each configured by the "
    "`DIGIGOV_OIDC_<NAME>_*` variables below (lower-case names; a `-` in a name is `_` in "
    "its variables). `bankid` is BankID (`DIGIGOV_BANKID_*`); `saml` is Sweden Connect over SAML "
    "(`DIGIGOV_SAML_*`); `test` is the built-in test e-ID provider; empty means "
    "`bankid,saml,test` in demo and test mode and none in production.",
)
STAFF_EID_PROVIDERS = declare(
    "DIGIGOV_STAFF_EID_PROVIDERS",
    "",
    "The e-ID ways in offered to staff (names from `DIGIGOV_EID_PROVIDERS`, for example "
    "`saml` for SITHS or Freja organisation ID through Sweden Connect); an account is "
    "found by its tied personnummer (`digigov staff save --personnummer`). Empty means "
    "the same as residents in demo and test mode and none in production.",
)
SERVER_TIMING = declare(
    "DIGIGOV_SERVER_TIMING",
    "",
    "`true` to add `Server-Timing` (the application's wall and CPU milliseconds) to every "
    "answer, `false` not to. Empty means on in demo and test mode and off in production, "
    "where exact timings would help someone probing sign-in from outside.",
)
STAFF_IDLE_MINUTES = declare(
    "DIGIGOV_STAFF_IDLE_MINUTES", "30", "A staff session ends after this long without a request."
)
ALLOW_TEST_EID = declare(
    "DIGIGOV_ALLOW_TEST_EID",
    "false",
    "In production mode the test e-ID provider, the BankID simulator and the test SAML "
    "identity provider are refused unless this is `true` as well (for staging installations "
    "only).",
)
BANKID_URL = declare(
    "DIGIGOV_BANKID_URL",
    "",
    "BankID's relying-party API v6 when `bankid` is in `DIGIGOV_EID_PROVIDERS`: "
    "`https://appapi2.test.bankid.com/rp/v6.0` (test) or `https://appapi2.bankid.com/rp/v6.0`. "
    "Empty means the built-in BankID simulator (demo and test mode, or "
    "`DIGIGOV_ALLOW_TEST_EID=true`).",
)
BANKID_CERTIFICATE = declare(
    "DIGIGOV_BANKID_CERTIFICATE",
    "",
    "PEM file with the relying party's BankID certificate (and its key, unless "
    "`DIGIGOV_BANKID_KEY` names another file). BankID gives it as a .p12: "
    "`openssl pkcs12 -in rp.p12 -out rp.pem -nodes`.",
)
BANKID_KEY = declare(
    "DIGIGOV_BANKID_KEY", "", "PEM file with the key of the BankID certificate, if apart."
)
BANKID_CA = declare(
    "DIGIGOV_BANKID_CA",
    "",
    "PEM file with the CA that issued BankID's server certificate (BankID publishes it for "
    "test and production); required with `DIGIGOV_BANKID_URL`.",
)
BANKID_SIGNATURE_CA = declare(
    "DIGIGOV_BANKID_SIGNATURE_CA",
    "",
    "PEM file with the CAs that issue BankID's end-user certificates, against which "
    "signatures with BankID are verified (when made and by `digigov signatures verify`). "
    "Empty with the simulator means its test CA.",
)
BANKID_RETURN_RISK = declare(
    "DIGIGOV_BANKID_RETURN_RISK",
    "false",
    "`true` asks BankID for its risk assessment of each order (`returnRisk`); the risk is "
    "kept with the sign-in's evidence.",
)
BANKID_TIMEOUT = declare(
    "DIGIGOV_BANKID_TIMEOUT", "10", "Seconds to wait for BankID's answer to one call."
)
BANKID_SIMULATOR_ADDRESS = declare(
    "DIGIGOV_BANKID_SIMULATOR_ADDRESS",
    "127.0.0.1:8190",
    "Where the BankID simulator listens (`digigov bankid_simulator serve`, started by "
    "`digigov demo`), over mutual TLS with its own test CA.",
)
BANKID_SIMULATOR_DIR = declare(
    "DIGIGOV_BANKID_SIMULATOR_DIR",
    "<DIGIGOV_DATA_DIR>/bankid-simulator",
    "The BankID simulator's test CA and certificates, made on first use.",
)
SAML_METADATA_URL = declare(
    "DIGIGOV_SAML_METADATA_URL",
    "",
    "The SAML federation's metadata when `saml` is in `DIGIGOV_EID_PROVIDERS` (Sweden "
    "Connect: `https://md.swedenconnect.se/role/idp.xml`; its QA: "
    "`https://qa.md.swedenconnect.se/role/idp.xml`). Empty means the built-in test SAML "
    "identity provider (demo and test mode, or `DIGIGOV_ALLOW_TEST_EID=true`).",
)
SAML_METADATA_CERTIFICATE = declare(
    "DIGIGOV_SAML_METADATA_CERTIFICATE",
    "",
    "PEM file with the certificate that signs the federation's metadata; required with "
    "`DIGIGOV_SAML_METADATA_URL`.",
)
SAML_METADATA_HOURS = declare(
    "DIGIGOV_SAML_METADATA_HOURS", "6", "How often the federation's metadata is read anew."
)
SAML_IDP = declare(
    "DIGIGOV_SAML_IDP",
    "",
    "The entityID of the identity provider residents are sent to (for example a Sweden "
    "Connect IdP for Freja eID+ or the eIDAS connector). Empty means the test identity "
    "provider.",
)
SAML_LABEL = declare(
    "DIGIGOV_SAML_LABEL", "Sweden Connect", "What the sign-in page calls the SAML way in."
)
SAML_KEY = declare(
    "DIGIGOV_SAML_KEY",
    "",
    "PEM file with the service provider's key (signs requests and metadata, decrypts "
    "assertions). Empty means one made in `<DIGIGOV_DATA_DIR>/saml` (demo and test).",
)
SAML_CERTIFICATE = declare(
    "DIGIGOV_SAML_CERTIFICATE",
    "",
    "PEM file with the certificate of `DIGIGOV_SAML_KEY`, as registered with the federation.",
)
SAML_XMLSEC = declare(
    "DIGIGOV_SAML_XMLSEC", "/usr/bin/xmlsec1", "The xmlsec1 program (Debian's `xmlsec1`)."
)
OIDC_ISSUER = declare(
    "DIGIGOV_OIDC_<NAME>_ISSUER",
    "",
    "Issuer URL of the OIDC provider `<NAME>` (its discovery document is read from "
    "`<issuer>/.well-known/openid-configuration`).",
)
OIDC_CLIENT_ID = declare(
    "DIGIGOV_OIDC_<NAME>_CLIENT_ID", "", "Client id registered with provider `<NAME>`."
)
OIDC_CLIENT_SECRET = declare(
    "DIGIGOV_OIDC_<NAME>_CLIENT_SECRET", "", "Client secret registered with provider `<NAME>`."
)
OIDC_PRIVATE_KEY_FILE = declare(
    "DIGIGOV_OIDC_<NAME>_PRIVATE_KEY_FILE",
    "",
    "A PEM file with this installation's private key (RSA or EC P-256) for provider `<NAME>`: "
    "when the provider offers `private_key_jwt`, the client authenticates with it instead of "
    "a secret (give the provider the public key).",
)
OIDC_LABEL = declare(
    "DIGIGOV_OIDC_<NAME>_LABEL",
    "<NAME>",
    "What the sign-in page calls provider `<NAME>` (for example `BankID` or `Freja`).",
)
TASKS_IMMEDIATE = declare(
    "DIGIGOV_TASKS_IMMEDIATE",
    "false in production, true otherwise",
    "`true` runs background jobs at once in the request; otherwise they are queued in the "
    "database and `digigov worker` runs them.",
)
LOGIN_ATTEMPTS = declare(
    "DIGIGOV_STAFF_LOGIN_ATTEMPTS",
    "5",
    "Failed staff sign-ins allowed per account (and per client address) in 15 minutes "
    "before sign-in is refused for the rest of that window.",
)
HSTS_SECONDS = declare(
    "DIGIGOV_HSTS_SECONDS",
    "31536000",
    "Strict-Transport-Security max-age in production mode.",
)
PROXY_SSL_HEADER = declare(
    "DIGIGOV_BEHIND_TLS_PROXY",
    "false",
    "`true` when a reverse proxy terminates TLS and sets `X-Forwarded-Proto`.",
)
PROXY_COUNT = declare(
    "DIGIGOV_PROXY_COUNT",
    "1 with DIGIGOV_BEHIND_TLS_PROXY, else 0",
    "How many reverse proxies in front append to `X-Forwarded-For`: the client's address "
    "(for sign-in throttling and the audit) is the entry that many places from the end. "
    "0 takes the connecting address.",
)
VIRUS_SCANNER = declare(
    "DIGIGOV_VIRUS_SCANNER",
    "none (production: must be set)",
    "How uploaded attachments are scanned: `clamd://host:port` for a ClamAV daemon (a file it "
    "finds infected, or any scanner failure, refuses the upload), or `none`. Production mode "
    "refuses to start until it is set, so that `none` is a choice, not an oversight.",
)
ANCHOR_DIR = declare(
    "DIGIGOV_ANCHOR_DIR",
    "DIGIGOV_DATA_DIR/anchors",
    "Where the heads of the audit log's and the message logs' chains are written at intervals "
    "(an append-only file, `checkpoints.jsonl`): put it on storage the database's users "
    "cannot write, or ship it off the machine. Verification compares the logs with it.",
)
ANCHOR_WITNESS = declare(
    "DIGIGOV_ANCHOR_WITNESS",
    "",
    "Another member's witness service that keeps this installation's checkpoints, e.g. "
    "`SE-DEMO/GOV/2021009978/register/vittne`; asked through this installation's first gateway, "
    "as `DIGIGOV_EXCHANGE_SUBSYSTEM`. Empty: the file only.",
)
ANCHOR_TSA = declare(
    "DIGIGOV_ANCHOR_TSA",
    "",
    "An RFC 3161 timestamping authority's URL: each checkpoint of the logs' heads is "
    "timestamped by it, and verification checks the timestamps. Empty: none.",
)
ANCHOR_TSA_CERTIFICATE = declare(
    "DIGIGOV_ANCHOR_TSA_CERTIFICATE",
    "",
    "A PEM file of the TSA certificates to trust (empty: whichever signed the timestamp).",
)
ANCHOR_MINUTES = declare(
    "DIGIGOV_ANCHOR_MINUTES",
    "10",
    "How often `digigov gateway` anchors the logs' heads (`digigov anchor` does it at once).",
)
CACHE_URL = declare(
    "DIGIGOV_CACHE_URL",
    "",
    "The cache every process shares (Mina ärenden's answers, what each process would "
    "otherwise keep apart): `redis://host:6379/0`, or empty for a table in the database.",
)
EXCHANGE_LOG_BODIES = declare(
    "DIGIGOV_EXCHANGE_LOG_BODIES",
    "false",
    "Whether the gateways' message log keeps whole message bodies (`true`) or only their "
    "SHA-256 with the signatures and metadata (`false`).",
)
REGISTERS = declare(
    "DIGIGOV_REGISTERS",
    "local",
    "Where e-services ask the base registers: `local` (this installation's own tables) or the "
    "register node's subsystem over the exchange, e.g. `SE-DEMO/GOV/2021009978/register`, "
    "through the asking organisation's gateway on this installation.",
)
EXCHANGE_SUBSYSTEM = declare(
    "DIGIGOV_EXCHANGE_SUBSYSTEM",
    "arenden",
    "The subsystem an organisation calls the exchange from (its case and e-service system).",
)
PUBLIC_URL = declare(
    "DIGIGOV_PUBLIC_URL",
    "",
    "The address people reach this installation at, e.g. `https://e.exempelby.se`, for links "
    "in answers to other organisations (Mina ärenden's link to a case). Empty: "
    "`http://DIGIGOV_HOST:DIGIGOV_PORT`.",
)
MYCASES_HUB = declare(
    "DIGIGOV_MYCASES_HUB",
    "local",
    "Where the Mina ärenden page gets a person's cases: `local` (this installation's own "
    "organisations, asked in-process), or the subsystem this installation's hub asks every "
    "producer in the federation from, e.g. `SE-DEMO/GOV/2021009978/minaarenden` (it needs a "
    "gateway here).",
)
MYCASES_TIMEOUT = declare(
    "DIGIGOV_MYCASES_TIMEOUT",
    "3",
    "Seconds the hub gives a question: a producer that has not answered by then is reported "
    "as failed (TIMEOUT) and the others' events are given (206).",
)
MYCASES_CACHE_SECONDS = declare(
    "DIGIGOV_MYCASES_CACHE_SECONDS",
    "10",
    "Seconds the hub keeps a person's complete answer (0: not at all).",
)
HOST = declare("DIGIGOV_HOST", "127.0.0.1", "Address `digigov serve` and `digigov demo` bind to.")
PORT = declare("DIGIGOV_PORT", "8000", "Port `digigov serve` and `digigov demo` listen on.")
WORKERS = declare("DIGIGOV_WORKERS", "2", "Server processes `digigov serve` starts.")
THREADS = declare(
    "DIGIGOV_THREADS",
    "2",
    "Threads per server process (`digigov serve`). At least 2: signing in with the test e-ID "
    "calls the server from inside a request. On 2 cores, 2 processes x 2 threads measured best.",
)


def get(variable: Variable, default: str | None = None) -> str:
    return os.environ.get(variable.name, variable.default if default is None else default)


def is_set(variable: Variable) -> bool:
    """Did the environment give this variable (not its default)?"""
    return bool(os.environ.get(variable.name, "").strip())


def get_bool(variable: Variable, default: bool) -> bool:
    raw = os.environ.get(variable.name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{variable.name} must be true or false, not {raw!r}")


def get_list(variable: Variable, default: str | None = None) -> list[str]:
    return [item.strip() for item in get(variable, default).split(",") if item.strip()]


def provider_variable(template: Variable, provider: str) -> str:
    """Read a per-provider variable such as DIGIGOV_OIDC_FREJA_ISSUER. A `-` in the
    provider's name is `_` in the variable's (`sweden-connect`: DIGIGOV_OIDC_SWEDEN_CONNECT_*),
    since no shell can set a variable with `-` in its name."""
    name = template.name.replace("<NAME>", provider.upper().replace("-", "_"))
    return os.environ.get(name, template.default.replace("<NAME>", provider))


def settings_markdown() -> str:
    lines = [
        "# Settings",
        "",
        "Every setting comes from an environment variable. This page is generated from",
        "`src/digigov/config.py` by `digigov settings-doc`; a test fails when they differ.",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    for variable in VARIABLES.values():
        default = f"`{variable.default}`" if variable.default else "(empty)"
        lines.append(f"| `{variable.name}` | {default} | {variable.help} |")
    return "\n".join(lines) + "\n"
