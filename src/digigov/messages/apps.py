from django.apps import AppConfig


class MessagesConfig(AppConfig):
    name = "digigov.messages"
    label = "outbox"  # "messages" is Django's own (django.contrib.messages)
    verbose_name = "Digigov messages to residents"
