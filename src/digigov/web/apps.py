from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "digigov.web"
    label = "web"
    verbose_name = "Digigov pages"
