"""A public page of one event: found by its slug, answered through the page cache.

``@event_page`` is how every public page and export of an event reads: the view gets
the published event (404 otherwise) and renders; the decorator answers 304, the cached
copy, or the view's fresh answer (lib/conditional.py), keyed on when the event's data
last changed, so an edit shows at once and nothing needs explicit invalidation.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.db import DEFAULT_DB_ALIAS
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language

from lib.conditional import Personal, canonical_query, conditional_response
from lib.sql import Statement

from .models import Event

# Cookie: a visitor's agenda, and the language they chose (django_language).
PAGE_VARY = ("HX-Request", "Cookie", "Accept-Encoding", "Accept-Language")


# Every public request reads its event first: a statement compiled once (lib/sql.py).
_COLUMNS = [f.attname for f in Event._meta.concrete_fields]
_PUBLISHED = Statement(
    lambda slug: Event.objects.published().filter(slug=slug).order_by().values_list(*_COLUMNS),
    str,
)


def public_event(slug: str) -> Event:
    """The published event with this slug; 404 for any other."""
    found = _PUBLISHED.rows(slug)
    if not found:
        raise Http404("No Event matches the given query.")
    return Event.from_db(DEFAULT_DB_ALIAS, _COLUMNS, found[0])


def event_key(event: Event) -> list[str]:
    """What every page of an event is made from, besides its own parameters: the event
    and its last change, the phase (the banner changes when the event starts and ends;
    during the event the list opens at today) and the language."""
    phase = event.phase()
    today = event.local_today().isoformat() if phase == "live" else ""
    # The words, dates and times of a page are in the visitor's language.
    return [str(event.pk), event.changed_at.isoformat(), phase, today, get_language()]


def event_page(
    view: Callable | None = None,
    *,
    query: Iterable[str] = (),
    personal: Callable[[HttpRequest, Event], Personal] | None = None,
):
    """Decorate ``view(request, event, **kwargs)``, routed with ``<slug:event_slug>``.

    ``query`` names the parameters the page takes: the view gets them as ``query``
    (each value once, in one order) and the cache key holds them and nothing else, so
    an unknown parameter neither renders nor stores a page of its own. ``personal``
    turns a shared page into this visitor's (their stars).
    """
    names = tuple(query)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def page(request: HttpRequest, event_slug: str, **kwargs) -> HttpResponse:
            event = public_event(event_slug)
            params = canonical_query(request.GET, names)
            if names:
                kwargs["query"] = params
            return conditional_response(
                request,
                key=[*event_key(event), params.urlencode()],
                changed_at=event.changed_at,
                render=lambda: view(request, event, **kwargs),
                personal=personal(request, event) if personal else None,
                vary=PAGE_VARY,
            )

        return page

    return decorate(view) if view is not None else decorate
