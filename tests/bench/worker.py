"""Peak memory of one app process serving every page and export of one event.

Run by tests/bench/run.py in a fresh process (same scratch database), so the figure is
what a worker needs, not what the benchmark that generated several events holds. The
peak is read from /proc (VmHWM): ``getrusage``'s ru_maxrss of a process started by
another counts the starting process's peak too on Linux (it is carried over at exec),
so it reported the benchmark's own size, not the worker's.
"""

import resource
import sys
from pathlib import Path

from tests.bench.run import pages_for, setup_django


def peak_mb() -> int:
    """This process's peak resident memory in MB."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main(slug: str) -> None:
    setup_django()
    from django.core.cache import cache
    from django.test import Client

    from events.models import Event

    client = Client(HTTP_HOST="localhost")
    for _, url in pages_for(Event.objects.get(slug=slug)):
        cache.clear()
        assert client.get(url).status_code == 200, url
    print(peak_mb())


if __name__ == "__main__":
    main(sys.argv[1])
