from django.apps import AppConfig


class SpeakersConfig(AppConfig):
    name = "speakers"

    def ready(self) -> None:
        from events.signals import watch

        from .models import Speaker

        watch(Speaker)
