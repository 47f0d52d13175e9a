from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "digigov.exchange"
    label = "exchange"
    verbose_name = "Digigov exchange"

    def ready(self) -> None:
        from digigov.core import anchors
        from digigov.exchange import log, witness

        anchors.register(log.GatewayLogs())
        anchors.STORE_FACTORIES.append(witness.configured_store)
