from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        from . import signals
        from .models import Room, SessionType, Track

        signals.watch(Room, Track, SessionType)
