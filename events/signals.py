"""Mark an event's data as changed whenever a row that belongs to it is saved or deleted.

This is the one place that keeps ``Event.changed_at`` honest: admin saves, API writes,
imports and cascaded deletes all pass through these model signals. Bulk
``QuerySet.update`` calls bypass signals and must call ``Event.objects...touch()``.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import Event, EventData


def _touch(instance) -> None:
    if isinstance(instance, EventData):
        event_id = instance.changed_event_id()
        if event_id:
            Event.objects.filter(pk=event_id).touch()


@receiver(post_save)
def data_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _touch(instance)


@receiver(post_delete)
def data_deleted(sender, instance, **kwargs):
    _touch(instance)


@receiver(m2m_changed)
def data_linked(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        _touch(instance)
