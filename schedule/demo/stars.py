"""Attendees' stars for the demo event, so that organizers see demand on the board.

A few sessions draw a crowd and most draw a few, as at a real conference: each of a few
hundred anonymous agendas stars some sessions, picked with weights that fall with a
session's (random) popularity rank.
"""

import hashlib
import random

from django.db import transaction

from events.models import Event

from ..models import Agenda, AgendaItem, Session


@transaction.atomic
def star_demo(event: Event, *, seed: int, agendas: int = 700, per_agenda: int = 6) -> int:
    """Create ``agendas`` anonymous agendas starring public sessions; return the stars."""
    rng = random.Random(f"{seed}:stars")
    sessions = list(
        Session.objects.public()
        .filter(event=event, starts_at__isnull=False, session_type__is_break=False)
        .exclude(status=Session.Status.CANCELLED)
        .order_by("pk")
    )
    if not sessions:
        return 0
    rng.shuffle(sessions)
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(sessions))]
    made = Agenda.objects.bulk_create(
        Agenda(event=event, key_hash=hashlib.sha256(f"demo:{seed}:{n}".encode()).hexdigest())
        for n in range(agendas)
    )
    items = []
    for agenda in made:
        picked = {s.pk: s for s in rng.choices(sessions, weights, k=per_agenda)}
        for session in picked.values():
            item = AgendaItem(agenda=agenda, session=session)
            item.remember(session)
            items.append(item)
    AgendaItem.objects.bulk_create(items)
    return len(items)
