from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "digigov.core"
    label = "core"
    verbose_name = "Digigov core"
