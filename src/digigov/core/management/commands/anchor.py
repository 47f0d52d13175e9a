"""digigov anchor: write the heads of every log's chains outside the database, now.

`digigov gateway` does this every DIGIGOV_ANCHOR_MINUTES; run this from cron on an
installation without gateways, and before and after maintenance.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from digigov.core import anchors


class Command(BaseCommand):
    help = "Anchor the heads of the audit log's and the message logs' chains (core.anchors)."

    def handle(self, *args: Any, **options: Any) -> None:
        made, failed = anchors.checkpoint()
        for failure in failed:
            self.stderr.write(f"not anchored in {failure}")
        stores = len(anchors.stores()) - len(failed)
        self.stdout.write(f"{len(made.heads)} chains anchored in {stores} places")
        if failed:
            raise CommandError(f"{len(failed)} of the places could not keep the checkpoint")
