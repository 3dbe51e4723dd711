"""Mark an event's data as changed whenever a row that belongs to it is saved or deleted.

This is the one place that keeps ``Event.changed_at`` honest: admin saves, API writes,
imports and cascaded deletes all pass through these model signals. Each app names its
models of event data in its ``AppConfig.ready`` with ``watch(...)`` (events: rooms,
tracks, types; speakers; schedule: sessions and their speaker links), so the receivers
run for those senders only. Bulk ``QuerySet.update`` calls bypass signals and must call
``Event.objects...touch()``.

``changed_at`` is public (the API shows it; pages' ETag and Last-Modified come from
it), and only public data is cached under it: a row with ``seen_by_public()`` (a
session, its speaker links, a speaker) moves it only when visitors see the row before
or after the change. Work on drafts stays invisible; organizers' screens read the rows
themselves, never a cache keyed on ``changed_at``.
"""

import threading

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from .models import Event, EventData

# Events being deleted in this thread: their rows go with them, nothing to mark.
_deleting = threading.local()


def _touch(instance, *, deleted: bool = False) -> None:
    if not isinstance(instance, EventData):
        return
    if hasattr(instance, "seen_by_public"):
        was_seen = getattr(instance, "_was_seen_by_public", False)
        if not (was_seen or (not deleted and instance.seen_by_public())):
            instance._loaded_event_id = getattr(instance, "event_id", None)
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


def data_saving(sender, instance, raw=False, **kwargs):
    """Remember whether visitors saw the row as it is stored (one query per save)."""
    if raw or not hasattr(instance, "seen_by_public") or not isinstance(instance, EventData):
        return
    known = instance.__dict__.pop("_stored_seen_by_public", None)
    if known is not None:  # read by the caller from the row it holds locked
        instance._was_seen_by_public = known
        return
    stored = sender._default_manager.filter(pk=instance.pk).first() if instance.pk else None
    instance._was_seen_by_public = stored is not None and stored.seen_by_public()


def data_deleting(sender, instance, **kwargs):
    if hasattr(instance, "seen_by_public") and isinstance(instance, EventData):
        # A whole event being deleted: its rows need no look-up (see _touch).
        going = getattr(_deleting, "ids", ())
        if going and getattr(instance, "event_id", None) in going:
            instance._was_seen_by_public = True
        else:
            instance._was_seen_by_public = instance.seen_by_public()


def data_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _touch(instance)


@receiver(post_delete, sender=Event)
def event_deleted(sender, instance, **kwargs):
    _deleting.ids = getattr(_deleting, "ids", set()) - {instance.pk}


def data_deleted(sender, instance, **kwargs):
    _touch(instance, deleted=True)


def data_linked(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        _touch(instance)


def watch(*senders: type[models.Model]) -> None:
    """Mark the event as changed when a row of these models (EventData) is saved or
    deleted, or when their many-to-many links change."""
    for model in senders:
        uid = f"lineup-event-data-{model._meta.label}"
        pre_save.connect(data_saving, sender=model, dispatch_uid=uid)
        post_save.connect(data_saved, sender=model, dispatch_uid=uid)
        pre_delete.connect(data_deleting, sender=model, dispatch_uid=uid)
        post_delete.connect(data_deleted, sender=model, dispatch_uid=uid)
        for field in model._meta.many_to_many:
            m2m_changed.connect(data_linked, sender=field.remote_field.through, dispatch_uid=uid)
