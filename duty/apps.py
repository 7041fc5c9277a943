from django.apps import AppConfig


class DutyConfig(AppConfig):
    name = "duty"

    def ready(self) -> None:
        # An SMS reply answers a roll call through the same service as the page.
        from duty.rollcalls.notifications import register_handlers

        register_handlers()
