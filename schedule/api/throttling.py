"""Throttles of the API, counted atomically in the shared cache.

DRF's own throttles read a list of timestamps, append and write it back: parallel
requests on several workers overwrite each other's hits and get through (163 of 300 at
a limit of 120). These count with ``add``/``incr`` instead (lib.limits.count_hit).

Failed token authentications have a limit of their own, per client address: a guessed
token is answered 401 until the address has failed too often, then 429 for the rest of
the window, even for a valid token (the guessing must stop, not go on luckier).
"""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, throttling
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.settings import api_settings

from lib.limits import client_ip, count_hit, hits, seconds_left


class CountingRateThrottle(throttling.SimpleRateThrottle):
    def get_rate(self):
        # Read when used, not when imported: the rates are settings like any other.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        return count_hit(self.scope, self.key, self.duration) <= self.num_requests

    def wait(self):
        return seconds_left(self.duration)


class AnonRateThrottle(CountingRateThrottle, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(CountingRateThrottle, throttling.UserRateThrottle):
    pass


class ThrottledTokenAuthentication(TokenAuthentication):
    """Token authentication with a limit on failures per client address."""

    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != self.keyword.lower().encode():
            return None  # no token: nothing to guess
        address = client_ip(request._request)
        window = settings.TOKEN_FAILURE_WINDOW
        if hits("token-failure", address, window) >= settings.TOKEN_FAILURE_LIMIT:
            raise exceptions.Throttled(
                wait=seconds_left(window), detail=_("Too many failed token attempts from here.")
            )
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            count_hit("token-failure", address, window)
            raise
