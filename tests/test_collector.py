"""The cycle collector is off while an answer renders, and as it was afterwards
(lib.conditional.collector_paused): renders build tens of thousands of acyclic objects."""

import gc

import pytest
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotFound
from django.test import RequestFactory

from lib.conditional import collector_paused, conditional_response


@pytest.fixture(autouse=True)
def _collector_on():
    """Each test starts with the collector on and leaves it on, whatever it asserts."""
    gc.enable()
    cache.clear()
    yield
    gc.enable()


def _answer(render, path="/paused/"):
    request = RequestFactory().get(path, HTTP_ACCEPT_ENCODING="gzip")
    return conditional_response(request, key=["collector"], changed_at=None, render=render)


def test_a_render_runs_with_the_collector_off_and_it_is_on_again_after():
    seen = []

    def render():
        seen.append(gc.isenabled())
        return HttpResponse(b"x" * 2000)

    response = _answer(render)
    assert response.status_code == 200
    assert seen == [False]
    assert gc.isenabled()
    _answer(render)  # cached: no render
    assert seen == [False]
    assert gc.isenabled()


def test_a_refused_render_and_a_failing_render_leave_the_collector_on():
    assert _answer(lambda: HttpResponseNotFound(b"no"), "/missing/").status_code == 404
    assert gc.isenabled()

    def failing():
        raise ValueError("broken render")

    with pytest.raises(ValueError, match="broken render"):
        _answer(failing, "/failing/")
    assert gc.isenabled()


def test_a_collector_switched_off_elsewhere_stays_off():
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # not this render's to switch on (another thread's, say)
    with collector_paused():
        pass
    assert not gc.isenabled()
