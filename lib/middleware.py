"""Two middlewares of the stack, doing per request only what a request uses.

Every public answer, a cached one and a 304 too, passes the whole stack, and two of its
middlewares did fixed work each time that most public requests do not need (measured
on a 304 of a session page: some 5 and 7 % of its time):

- Django's messages open their storage (a cookie signer and a session store) for
  every request; here only when a view or template reads or adds a message (the admin,
  sign-in; no public page).
- django-csp builds the Content-Security-Policy header from the settings for every
  response (a deep copy of the policy, then joining). A response without a policy of
  its own (no nonce asked for, no view's change: the embeds set one) gets the site's,
  the same string every time: built by django-csp once, then copied.
"""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.utils.functional import SimpleLazyObject, empty

# What a view or decorator sets on a response to change or drop its policy (django-csp).
OWN_POLICY = tuple(
    f"_csp_{part}{ro}" for part in ("config", "update", "replace", "exempt") for ro in ("", "_ro")
)


class LazyMessageMiddleware(MessageMiddleware):
    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response  # never opened: nothing read, nothing to store
        return super().process_response(request, response)


class SitePolicyMiddleware(CSPMiddleware):
    def __init__(self, get_response):
        super().__init__(get_response)
        self._site: tuple | None = None  # (the settings it was built from, its headers)

    def process_response(self, request, response):
        own = (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in OWN_POLICY)
            or HEADER in response
            or HEADER_REPORT_ONLY in response
            or response.status_code not in (200, 304)  # django-csp exempts some in DEBUG
        )
        source = (
            getattr(settings, "CONTENT_SECURITY_POLICY", None),
            getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None),
        )
        if own or any(policy and policy.get("EXCLUDE_URL_PREFIXES") for policy in source):
            return super().process_response(request, response)
        built_from = self._site[0] if self._site else (None, None)
        if self._site is None or any(a is not b for a, b in zip(built_from, source, strict=True)):
            super().process_response(request, response)
            headers = (HEADER, HEADER_REPORT_ONLY)
            built = {name: response[name] for name in headers if name in response}
            self._site = (source, built)
            return response
        for name, value in self._site[1].items():
            response[name] = value
        # As django-csp does: asking for a nonce after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
