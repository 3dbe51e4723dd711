"""The API's error answers in the asker's language.

Django's ``get_object_or_404`` (which DRF's ``get_object`` uses) says "No Room matches
the given query." in English whatever the language; the API answers DRF's own "Not
found." instead, which DRF's catalogues translate. Lineup's own 404s keep their words.
"""

from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler


def handle(exc, context):
    if isinstance(exc, Http404) and str(exc).endswith("matches the given query."):
        exc = exceptions.NotFound()
    return exception_handler(exc, context)
