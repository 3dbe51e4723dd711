from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpeakersConfig(AppConfig):
    name = "speakers"
    verbose_name = _("Speakers")

    def ready(self) -> None:
        from events.signals import watch

        from .models import Speaker

        watch(Speaker)
