from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "schedule"

    def ready(self) -> None:
        from events.signals import watch

        from .models import Session, SessionSpeaker

        watch(Session, SessionSpeaker)
