"""lib/middleware.py: the site's policy built once, messages opened only when used."""

import pytest
from csp.utils import build_policy
from django.urls import reverse

from tests.hardening.test_settings import csp_directives

from .test_embed import allow

pytestmark = pytest.mark.django_db


def test_every_page_gets_the_site_policy_and_the_embed_its_own(client, conf):
    site = csp_directives(build_policy())
    allow(conf.event)
    first = client.get("/cnc16/schedule/")
    framed = client.get("/cnc16/embed/")
    again = client.get("/cnc16/schedule/")  # from the cache
    not_modified = client.get("/cnc16/schedule/", HTTP_IF_NONE_MATCH=again["ETag"])
    assert (first.status_code, again.status_code, not_modified.status_code) == (200, 200, 304)
    for response in (first, again, not_modified, client.get("/cnc16/sessions/kubernetes-101/")):
        assert csp_directives(response["Content-Security-Policy"]) == site
    assert csp_directives(framed["Content-Security-Policy"])["frame-ancestors"] == [
        "https://conf.example.org",
        "http://localhost:8080",
    ]
    # Neither the site's header nor the embed's leaks into the other.
    assert csp_directives(client.get("/cnc16/embed/")["Content-Security-Policy"]) == (
        csp_directives(framed["Content-Security-Policy"])
    )


def test_a_message_reaches_the_next_page(client, conf, cast):
    client.force_login(cast.owner)
    # No draft to preview: the admin says so on the page it sends the organizer to.
    answer = client.get(reverse("schedule_draft_preview", args=[conf.event.pk]), follow=True)
    assert answer.redirect_chain and answer.status_code == 200
    assert "There is no draft to preview." in answer.content.decode()
    # Read once: gone from the page after.
    again = client.get(answer.redirect_chain[-1][0])
    assert "There is no draft to preview." not in again.content.decode()
