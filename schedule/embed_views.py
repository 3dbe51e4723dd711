"""The schedule for an <iframe> on the conference's own site (list or grid, with filters).

Every other page refuses to be framed (X-Frame-Options DENY, frame-ancestors 'none').
An embed page may be framed by the origins the organizers list on the event
(``Event.frame_origins``), and by nobody while that list is empty. The page is the same
for every visitor: no stars (a framed page has no cookie of ours to keep an agenda in),
and links to sessions open the full site in a new tab.
"""

from csp.constants import NONE
from django.http import HttpRequest, HttpResponse

from events.models import Event, frame_origins

from .views import _filtered_schedule, grid_rows, list_rows, public_event

TEMPLATE = "schedule/embed.html"


def framable_by(response: HttpResponse, event: Event) -> HttpResponse:
    """Let the event's listed origins, and only them, show ``response`` in a frame."""
    origins = frame_origins(event.frame_origins)
    response._csp_replace = {"frame-ancestors": origins or [NONE]}  # read by django-csp
    if origins:  # X-Frame-Options cannot name origins: CSP alone decides
        response.xframe_options_exempt = True
    return response


def embed_list(request: HttpRequest, event: str) -> HttpResponse:
    obj = public_event(event)
    page = _filtered_schedule(request, obj, TEMPLATE, list_rows(obj, embed=True), embed=True)
    return framable_by(page, obj)


def embed_grid(request: HttpRequest, event: str) -> HttpResponse:
    obj = public_event(event)
    build = grid_rows(obj, embed=True)
    page = _filtered_schedule(request, obj, TEMPLATE, build, grid=True, embed=True)
    return framable_by(page, obj)
