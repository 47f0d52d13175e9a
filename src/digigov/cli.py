"""The ``digigov`` command: Django's management commands plus demo, serve and worker."""

from __future__ import annotations

import os
import subprocess
import sys

USAGE = """\
digigov demo           migrate, load demo data, serve on http://127.0.0.1:8000 with the gateways
digigov gateway        run this installation's exchange gateways
digigov exchange ...   the federation registry, keys, configuration, message log
digigov serve          production server (granian); runs collectstatic first
digigov worker         run background jobs from the database queue
digigov audit verify   check the hash-chained audit log
digigov settings-doc   print the settings reference (docs/settings.md)
digigov staff save     a staff account and its roles (--superuser for the operator)
digigov <command>      any Django management command (migrate, check, ...)
"""


def _granian(*, workers: int, threads: int) -> None:
    from digigov import config

    arguments = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        config.get(config.HOST),
        "--port",
        config.get(config.PORT),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--no-ws",
        "digigov.wsgi:application",
    ]
    sys.stdout.flush()
    os.execv(sys.executable, arguments)  # noqa: S606 - our own interpreter, fixed arguments


ONE_WAY = {
    "createsuperuser": "--superuser makes the operator's account",
    "changepassword": "it sets a new password for an existing account",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    command = argv[1] if len(argv) > 1 else "help"
    if command == "demo":
        os.environ.setdefault("DIGIGOV_MODE", "demo")
    if os.environ.get("DIGIGOV_MODE") == "demo":
        # The demo's federation, for `digigov demo` and every command run beside it.
        # E-services ask the demo's register node over the exchange, through the gateways.
        os.environ.setdefault("DIGIGOV_REGISTERS", "SE-DEMO/GOV/2021009978/register")
        # Mina ärenden: the agency's hub asks every municipality's producer over the exchange.
        os.environ.setdefault("DIGIGOV_MYCASES_HUB", "SE-DEMO/GOV/2021009978/minaarenden")
        # The logs' anchors go to the agency's witness as well as to the anchor file.
        os.environ.setdefault("DIGIGOV_ANCHOR_WITNESS", "SE-DEMO/GOV/2021009978/register/vittne")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digigov.settings")

    if command in ONE_WAY:
        # Staff accounts are kept by an action with audit rows, not by Django's commands.
        sys.stderr.write(
            f"digigov {command}: use `digigov staff save` instead ({ONE_WAY[command]})\n"
        )
        sys.exit(2)
    if command in {"help", "-h", "--help"}:
        print(USAGE)
        return
    if command == "settings-doc":
        import digigov.settings  # noqa: F401 - declares nothing, but proves settings load
        from digigov import config

        sys.stdout.write(config.settings_markdown())
        return

    import django
    from django.core.management import call_command, execute_from_command_line

    if command == "demo":
        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo")
        from digigov import config

        print(
            f"Digigov demo on http://{config.get(config.HOST)}:{config.get(config.PORT)}/ "
            "(sign in with BankID's simulator or the test e-ID; see README.md)"
        )
        # The demo organisations' gateways run beside the web server (same process group,
        # so Ctrl-C stops both).
        subprocess.Popen([sys.executable, "-m", "digigov", "gateway"])
        from django.conf import settings

        if settings.BANKID_SIMULATOR:
            # BankID's relying-party API, simulated, with its virtual app at /bankid-simulator/
            subprocess.Popen([sys.executable, "-m", "digigov", "bankid_simulator", "serve"])
        # Threads, not one: the sign-in's back channel calls this same server.
        _granian(workers=1, threads=4)
    elif command == "serve":
        django.setup()
        call_command("collectstatic", interactive=False, verbosity=0)
        from digigov import config

        _granian(workers=int(config.get(config.WORKERS)), threads=int(config.get(config.THREADS)))
    elif command == "worker":
        execute_from_command_line([argv[0], "db_worker", *argv[2:]])
    else:
        execute_from_command_line(argv)


if __name__ == "__main__":
    main()
