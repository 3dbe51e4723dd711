"""Peak memory of one app process serving every page and export of one event.

Run by tests/bench/run.py in a fresh process (same scratch database), so the figure is
what a worker needs, not what the benchmark that generated several events holds.
"""

import resource
import sys

from tests.bench.run import pages_for, setup_django


def main(slug: str) -> None:
    setup_django()
    from django.core.cache import cache
    from django.test import Client

    from events.models import Event

    client = Client(HTTP_HOST="localhost")
    for _, url in pages_for(Event.objects.get(slug=slug)):
        cache.clear()
        assert client.get(url).status_code == 200, url
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)


if __name__ == "__main__":
    main(sys.argv[1])
