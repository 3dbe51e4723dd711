from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScheduleConfig(AppConfig):
    name = "schedule"
    verbose_name = _("Schedule")

    def ready(self) -> None:
        from events.signals import watch

        from .models import Session, SessionSpeaker

        watch(Session, SessionSpeaker)
