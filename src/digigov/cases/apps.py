from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "digigov.cases"
    label = "cases"
    verbose_name = "Digigov cases"
