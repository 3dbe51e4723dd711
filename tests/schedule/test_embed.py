"""The embedded schedule: framed only by the origins the organizers list, without the
site's navigation or stars, in the conference's colour; the origins are checked."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.admin import EventForm
from events.models import Event
from lib.colors import AA, WHITE, contrast
from tests.factories import MembershipFactory
from tests.hardening.test_settings import csp_directives

pytestmark = pytest.mark.django_db

ORIGINS = "https://conf.example.org\nhttp://localhost:8080\n"


def frame_headers(response) -> tuple[str | None, list[str]]:
    directives = csp_directives(response["Content-Security-Policy"])
    return response.get("X-Frame-Options"), directives["frame-ancestors"]


def allow(event, origins: str = ORIGINS, color: str = "") -> None:
    Event.objects.filter(pk=event.pk).update(frame_origins=origins, color=color)
    Event.objects.filter(pk=event.pk).touch()


@pytest.mark.parametrize("path", ["embed/", "embed/grid/"])
def test_embed_refuses_every_frame_by_default(client, conf, path):
    response = client.get(f"/cnc16/{path}")
    assert response.status_code == 200
    assert frame_headers(response) == ("DENY", ["'none'"])


@pytest.mark.parametrize("path", ["embed/", "embed/grid/?track=ops", "embed/?track=nope"])
def test_embed_may_be_framed_by_the_listed_origins_only(client, conf, path):
    allow(conf.event)
    response = client.get(f"/cnc16/{path}")
    assert response.status_code == (400 if "nope" in path else 200)
    assert frame_headers(response) == (None, ["https://conf.example.org", "http://localhost:8080"])
    # Every other page still refuses frames, from the listed origins too.
    for other in ["schedule/", "schedule/grid/", "sessions/kubernetes-101/", ""]:
        assert frame_headers(client.get(f"/cnc16/{other}")) == ("DENY", ["'none'"]), other


def test_embed_has_the_schedule_without_the_site_around_it(client, conf, html):
    allow(conf.event)
    response = client.get("/cnc16/embed/?track=ops")
    page = html.dom(response)
    assert not html.find_all(page, "header", cls="site-header")  # no site navigation
    assert not html.find_all(page, "button", cls="btn-star")  # no agenda in a frame
    assert "csrftoken" not in response.cookies
    titles = [html.text(a) for a in html.find_all(page, "a", target="_blank")]
    assert "Kubernetes 101" in titles and "Prometheus at scale" in titles
    assert "Helm charts in practice" not in html.text(page)  # the filter holds
    assert html.text(html.find(page, "h1")) == "CloudNativeCon 2016"
    views = html.find_all(html.find(page, "ul", cls="embed-views"), "a")
    assert [html.attr(a, "href") for a in views] == [
        "/cnc16/embed/?track=ops",
        "/cnc16/embed/grid/?track=ops",
    ]
    grid = html.dom(client.get("/cnc16/embed/grid/"))
    assert html.find_all(grid, "table", cls="schedule-grid")
    assert not html.find_all(grid, "button", cls="btn-star")


def test_embed_page_runs_a_fixed_number_of_queries(client, conf):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cnc16/embed/grid/?track=ops").status_code == 200
    assert len(queries) == 8  # the grid page's, and the event's frame origins


def test_the_conference_colour_reaches_the_theme_legibly(client, conf):
    allow(conf.event, color="#ffcc00")  # yellow: too light for text on white
    css = client.get("/cnc16/theme.css").content.decode()
    assert "--brand:#ffcc00;--brand-on:#212529;--brand-ink:#8e7200" in css
    assert contrast("#8e7200", WHITE) >= AA
    allow(conf.event, color="")
    assert "--brand" not in client.get("/cnc16/theme.css").content.decode()


@pytest.mark.parametrize(
    "origins",
    [
        "https://conf.example.org/",
        "https://conf.example.org/schedule",
        "https://*.example.org",
        "conf.example.org",
        "ftp://conf.example.org",
        "https://conf.example.org:70000",
        "https://user@conf.example.org",
        "https://conf.example.org https://other.example.org",
        "'self'",
    ],
)
def test_only_origins_are_accepted(conf, origins):
    conf.event.frame_origins = origins
    with pytest.raises(ValidationError) as refused:
        conf.event.full_clean()
    message = refused.value.message_dict["frame_origins"][0]
    assert message.startswith("Not an origin: “") and "scheme://host[:port]" in message


def test_admin_shows_the_snippet_and_refuses_a_bad_origin(client, conf):
    owner = MembershipFactory(event=conf.event, role="owner", user__is_staff=True).user
    client.force_login(owner)
    url = reverse("admin:events_event_change", args=[conf.event.pk])
    page = client.get(url).content.decode()
    assert (
        "&lt;iframe src=&quot;http://testserver/cnc16/embed/&quot; "
        "title=&quot;Schedule · CloudNativeCon 2016&quot;" in page
    )
    assert "http://testserver/cnc16/embed/grid/" in page

    form = EventForm(
        instance=conf.event,
        data={
            **{f: getattr(conf.event, f) for f in EventForm.Meta.fields},
            "frame_origins": "https://ok.example.org\nhttps://bad.example.org/path",
        },
    )
    assert not form.is_valid()
    assert "“https://bad.example.org/path”" in form.errors["frame_origins"][0]
    conf.event.refresh_from_db()
    assert conf.event.frame_origins == ""
