"""Mark an event's data as changed whenever a row that belongs to it is saved or deleted.

This is the one place that keeps ``Event.changed_at`` honest: admin saves, API writes,
imports and cascaded deletes all pass through these model signals. Bulk
``QuerySet.update`` calls bypass signals and must call ``Event.objects...touch()``.
"""

import threading

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from .models import Event, EventData

# Events being deleted in this thread: their rows go with them, nothing to mark.
_deleting = threading.local()


def _touch(instance, *, deleted: bool = False) -> None:
    if not isinstance(instance, EventData):
        return
    going = getattr(_deleting, "ids", ()) if deleted else ()
    if getattr(instance, "event_id", None) in going:
        return
    event_ids = {instance.changed_event_id(), getattr(instance, "_loaded_event_id", None)}
    event_ids -= {None, *going}
    if event_ids:
        Event.objects.filter(pk__in=event_ids).touch()
    instance._loaded_event_id = getattr(instance, "event_id", None)


@receiver(pre_delete, sender=Event)
def event_deleting(sender, instance, **kwargs):
    _deleting.ids = {*getattr(_deleting, "ids", ()), instance.pk}


@receiver(post_save)
def data_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _touch(instance)


@receiver(post_delete)
def data_deleted(sender, instance, **kwargs):
    if sender is Event:
        _deleting.ids = getattr(_deleting, "ids", set()) - {instance.pk}
        return
    _touch(instance, deleted=True)


@receiver(m2m_changed)
def data_linked(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        _touch(instance)
