"""The commands and requests the README and docs/ show work as printed (DESIGN 6).

Every ```sh block's commands run, in order, file by file, against the demo as
`digigov demo` serves it (its data, its federation, its gateways), with the
demo's addresses (127.0.0.1:8000, the gateways' 8100-8105) mapped to where the
test serves them. Every ```http block is sent to the gateway of the member its
X-Road-Client names. A line the tests do not run must match NOT_RUN, which says
why; anything else that fails fails the test, naming the file and the line.
"""

from __future__ import annotations

import getpass
import io
import json
import re
import shlex
from contextlib import redirect_stdout
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command

from digigov.conftest import running_demo
from digigov.web import demo as demo_data

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```(sh|http)\n(.*?)```", re.S)
NOT_RUN = {
    r"^make (demo|test)$": "the two commands: CI runs `make test`, the browser tests walk the demo",
    r"^python3 -m venv ": "installs the package",
    r"^export ": "sets the environment for the commands after it",
    r"^DIGIGOV_[A-Z_]+=(?!.*\bdigigov\b)": "a setting, not a command",
    r"^digigov (serve|worker|gateway)( &)?$": "runs until stopped; the tests run the gateways",
    r"check-producer https://arenden\.example\.se": "another platform's producer (an example address)",
}
# The readers' own files a documented command reads.
READERS_FILES = {
    "folkbokforing.yaml": "openapi: 3.0.3\ninfo: {title: folkbokforing, version: '1'}\npaths: {}\n"
}
# A placeholder in a command, and where the output of an earlier command gives it.
PLACEHOLDERS = {"KEY_ID": re.compile(r"credential (\w+) for")}


def _a_receipt() -> str:
    """A receipt number the reader has on their screen: the demo's signed Bygglov."""
    from digigov.cases.models import Application

    found = Application.objects.filter(status="submitted").exclude(signing_digest="").first()
    return found.reference if found and found.reference else "NONE"


# A placeholder the reader fills in from what the demo shows them.
SHOWN = {"RECEIPT": _a_receipt}


def commands(block: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", block)
    return [
        line.strip() for line in joined.splitlines() if line.strip() and not line.startswith("#")
    ]


def not_run(line: str) -> bool:
    bare = " ".join(shlex.split(line, comments=True))  # without its comment
    return any(re.search(pattern, bare) for pattern in NOT_RUN)


class Reader:
    """Runs a document's commands in order, as a reader at the demo would."""

    def __init__(self, folder: Path, addresses: dict[str, str]) -> None:
        self.folder, self.addresses, self.said = folder, addresses, ""

    def local(self, text: str) -> str:
        for printed, here in self.addresses.items():
            text = text.replace(printed, here)
        for placeholder, found in PLACEHOLDERS.items():
            if placeholder in text and (match := found.search(self.said)):
                text = text.replace(placeholder, match.group(1))
        for placeholder, shown in SHOWN.items():
            if re.search(rf"\b{placeholder}\b", text):
                text = re.sub(rf"\b{placeholder}\b", shown(), text)
        return text

    def run(self, line: str) -> None:
        words = shlex.split(self.local(line), comments=True)
        while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
            words.pop(0)  # DIGIGOV_MODE=demo: the tests' settings are the demo's
        program, *arguments = words
        assert program.endswith("digigov"), f"not a digigov command: {line}"
        target = None
        if ">" in arguments:
            at = arguments.index(">")
            arguments, target = arguments[:at], arguments[at + 1]
        arguments = [str(ROOT / a) if a.startswith("src/") else a for a in arguments]
        out = io.StringIO()
        with redirect_stdout(out):
            call_command(*arguments, stdout=out)
        self.said += out.getvalue()
        if target:
            (self.folder / target).write_text(out.getvalue())

    def send(self, request: str) -> httpx.Response:
        head, _, body = self.local(request).partition("\n\n")
        first, *lines = head.splitlines()
        method, path = first.split()[:2]
        headers = dict(line.split(": ", 1) for line in lines)
        member = headers["X-Road-Client"].rsplit("/", 1)[0]
        gateway = self.addresses[f"gateway of {member}"]
        return httpx.request(
            method, gateway + path, headers=headers, content=body.encode(), timeout=30
        )


@pytest.fixture
def demo(live_server, settings, tmp_path, monkeypatch, underscored_headers):
    monkeypatch.chdir(tmp_path)
    for name, text in READERS_FILES.items():
        (tmp_path / name).write_text(text)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "a-long-documented-password-1")
    with running_demo(live_server, settings) as running:
        addresses = {"http://127.0.0.1:8000": live_server.url}
        for index, (_slug, (member_class, code)) in enumerate(demo_data.MEMBERS.items()):
            member = f"{demo_data.INSTANCE}/{member_class}/{code}"
            client_port, _server = demo_data.gateway_ports(8000, index)
            here = running["gateways"][member]
            addresses[f"http://127.0.0.1:{client_port}"] = here
            addresses[f"gateway of {member}"] = here
        yield Reader(tmp_path, addresses), running


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_what_the_document_shows_works_as_printed(demo, document):
    reader, running = demo
    ran = 0
    for kind, block in BLOCK.findall(document.read_text()):
        if kind == "http":
            answer = reader.send(block)
            assert answer.status_code == 200, f"{document.name}: {block[:80]}\n{answer.text}"
            ran += 1
            continue
        for line in commands(block):
            if not_run(line):
                continue
            try:
                reader.run(line)
            except Exception as error:
                pytest.fail(f"{document.name}: `{line}` failed: {error}")
            ran += 1
        running["running"].reload()  # what a block published, the gateways now know
    if document.name in {"README.md", "integrators.md", "operator.md", "service-packages.md"}:
        assert ran, f"{document.name} shows nothing that runs"


def test_the_published_service_answers_through_the_gateway_as_documented(demo):
    """integrators.md publishes folkbokforing to Byhälla kommun: its call then works (the
    documented local-service address gave 404)."""
    reader, running = demo
    text = (ROOT / "docs" / "integrators.md").read_text()
    joining = text[text.index("### Joining the federation") : text.index("### The base registers")]
    for _kind, block in BLOCK.findall(joining):
        for line in commands(block):
            if not not_run(line):
                reader.run(line)
    # Byhälla has no gateway of its own here: Provstad, granted the same, asks instead.
    reader.run(
        "digigov exchange access grant SE-DEMO/GOV/2021009978/register/folkbokforing "
        "SE-DEMO/MUN/2120009986/arenden --method GET --path /personer"
    )
    reader.run("digigov exchange publish")
    running["running"].reload()
    answer = httpx.get(
        reader.addresses["gateway of SE-DEMO/MUN/2120009986"]
        + "/r1/SE-DEMO/GOV/2021009978/register/folkbokforing/personer/199003152387",
        headers={"X-Road-Client": "SE-DEMO/MUN/2120009986/arenden", "X-Road-UserId": "SE1"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert json.loads(answer.text)["fornamn"] == "Anna"
