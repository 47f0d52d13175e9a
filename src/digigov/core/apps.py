from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "digigov.core"
    label = "core"
    verbose_name = "Digigov core"

    def ready(self) -> None:
        from digigov.core import anchors, audit

        anchors.register(audit.AuditChains())
