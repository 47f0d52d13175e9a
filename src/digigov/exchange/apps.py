from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "digigov.exchange"
    label = "exchange"
    verbose_name = "Digigov exchange"
