from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "digigov.registers"
    label = "registers"
    verbose_name = "Digigov base registers"
