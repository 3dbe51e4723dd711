"""The WSGI application, its code loaded before the first request.

Every module a request can use (the URLconf imports the views) is imported here, then
``gc.freeze()`` moves what loading made out of the cycle collector's reach: a full
collection otherwise walks every object of Django and the apps again (several hundred
thousand), and each worker would pay it now and then in the middle of an answer. Under
gunicorn's ``--preload`` it also keeps those pages shared with the workers.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 (imports the URLconf and every view)
gc.collect()
gc.freeze()
