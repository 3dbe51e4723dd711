"""Posts from this site's own pages, checked without a CSRF token.

Public pages are the same for every visitor, so shared caches may keep them and no
visitor gets a cookie before they star a session: such a page cannot carry a token of
its visitor. Its forms (the star buttons) are protected the way browsers make possible
instead: every current browser sends ``Origin`` with a POST (a form or a script), and a
page of another site cannot forge it. A POST whose Origin (or, without one, Referer) is
not this site's own scheme and host, or one of CSRF_TRUSTED_ORIGINS, is refused; one
that names neither is refused too. Cookies are SameSite=Lax besides.
"""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


def from_this_site(request: HttpRequest) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        referer = urlsplit(request.headers.get("Referer", ""))
        if not (referer.scheme and referer.netloc):
            return False
        origin = f"{referer.scheme}://{referer.netloc}"
    if origin == "null":  # sandboxed frames, privacy-sensitive redirects
        return False
    return origin == f"{request.scheme}://{request.get_host()}" or origin in set(
        settings.CSRF_TRUSTED_ORIGINS
    )


def same_origin_post(view):
    """Instead of Django's CSRF token check (see the module), for views that only
    answer POST. Django's test client, which skips CSRF checks unless asked, skips this
    one alike."""

    @csrf_exempt
    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        skip = getattr(request, "_dont_enforce_csrf_checks", False)
        if not skip and not from_this_site(request):
            response = HttpResponse(
                _("Refused: this form was not sent from this site's own pages."),
                status=403,
                content_type="text/plain; charset=utf-8",
            )
            response["Cache-Control"] = "no-store"
            return response
        # Read the body now, as Django's CSRF check does: one too large is refused (400)
        # before the view changes anything.
        _body = request.POST
        return view(request, *args, **kwargs)

    return checked
