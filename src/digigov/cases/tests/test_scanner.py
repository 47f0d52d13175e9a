"""The ClamAV adapter against a small clamd stand-in on loopback."""

import socket
import struct
import threading

import pytest

from digigov.cases import storage


def clamd(answer: bytes) -> tuple[int, list[bytes]]:
    """A one-shot server speaking clamd's INSTREAM; returns its port and what it received."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    received: list[bytes] = []

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            command = b""
            while not command.endswith(b"\0"):
                command += connection.recv(1)
            assert command == b"zINSTREAM\0"
            while True:
                (size,) = struct.unpack("!L", connection.recv(4))
                if size == 0:
                    break
                chunk = b""
                while len(chunk) < size:
                    chunk += connection.recv(size - len(chunk))
                received.append(chunk)
            connection.sendall(answer + b"\0")
        server.close()

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1], received


def test_a_clean_file_passes_and_is_streamed_whole():
    port, received = clamd(b"stream: OK")
    storage.ClamdScanner("127.0.0.1", port).scan([b"%PDF-1.4 ", b"rest"])
    assert b"".join(received) == b"%PDF-1.4 rest"


def test_an_infected_file_is_refused():
    port, _ = clamd(b"stream: Eicar-Test-Signature FOUND")
    with pytest.raises(storage.ScanError) as error:
        storage.ClamdScanner("127.0.0.1", port).scan([b"X5O!P%@AP"])
    assert error.value.infected


def test_an_unreachable_scanner_refuses_rather_than_lets_through():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(storage.ScanError) as error:
        storage.ClamdScanner("127.0.0.1", port, timeout=2).scan([b"data"])
    assert not error.value.infected


def test_the_setting_picks_the_scanner(settings):
    settings.VIRUS_SCANNER = "none"
    assert isinstance(storage.scanner(), storage.NoScanner)
    settings.VIRUS_SCANNER = "clamd://127.0.0.1:3310"
    assert storage.scanner() == storage.ClamdScanner("127.0.0.1", 3310)
    settings.VIRUS_SCANNER = "http://scanner"
    with pytest.raises(ValueError):
        storage.scanner()
