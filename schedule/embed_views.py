"""The schedule for an <iframe> on the conference's own site (list or grid, with filters).

Every other page refuses to be framed (X-Frame-Options DENY, frame-ancestors 'none').
An embed page may be framed by the origins the organizers list on the event
(``Event.frame_origins``), and by nobody while that list is empty. The page is the same
for every visitor: no stars (a framed page has no cookie of ours to keep an agenda in),
and links to sessions open the full site in a new tab.
"""

from functools import wraps

from csp.constants import NONE
from django.http import HttpRequest, HttpResponse

from events.models import Event, frame_origins
from events.pages import event_page

from .filters import SessionFilter
from .views import _filtered_schedule, grid_rows, list_rows

TEMPLATE = "schedule/embed.html"


def framable(view):
    """Let the event's listed origins, and only them, frame what ``view`` answers.

    Outside the page cache (``@event_page``): a cached copy or a 304 gets the headers too,
    from the event's list as it is now.
    """

    @wraps(view)
    def framed(request: HttpRequest, event_slug: str, **kwargs) -> HttpResponse:
        response = view(request, event_slug=event_slug, **kwargs)
        listed = (
            Event.objects.published()
            .filter(slug=event_slug)
            .values_list("frame_origins", flat=True)
        )
        origins = frame_origins(listed.first() or "")
        response._csp_replace = {"frame-ancestors": origins or [NONE]}  # read by django-csp
        if origins:  # X-Frame-Options cannot name origins: CSP alone decides
            response.xframe_options_exempt = True
        return response

    return framed


@framable
@event_page(query=SessionFilter.base_filters)
def embed_list(request: HttpRequest, event: Event, query) -> HttpResponse:
    build = list_rows(event, embed=True)
    return _filtered_schedule(request, event, query, TEMPLATE, build, embed=True)


@framable
@event_page(query=SessionFilter.base_filters)
def embed_grid(request: HttpRequest, event: Event, query) -> HttpResponse:
    build = grid_rows(event, embed=True)
    return _filtered_schedule(request, event, query, TEMPLATE, build, grid=True, embed=True)
