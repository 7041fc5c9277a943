from django.apps import AppConfig


class CommandConfig(AppConfig):
    name = "command"
