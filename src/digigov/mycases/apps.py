from django.apps import AppConfig


class MycasesConfig(AppConfig):
    name = "digigov.mycases"
    label = "mycases"
    verbose_name = "Digigov Mina ärenden"
