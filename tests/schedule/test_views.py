"""The public schedule pages (issue "Public schedule"): the list by day and time, the
grid by room, one session, and the .ics exports."""

import datetime as dt
import re

import icalendar
import pytest

from events.models import Event, Room, SessionType, Track
from schedule import display
from schedule.models import Session
from speakers.models import Speaker
from tests.factories import EventFactory, SessionFactory, SessionSpeakerFactory

pytestmark = pytest.mark.django_db


def get(client, url, status=200, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == status, (url, response.status_code)
    return response


def articles(html, response) -> dict[str, tuple]:
    """The sessions of the list view: title -> (article element, its text)."""
    found = {}
    for article in html.find_all(html.dom(response), "article", "session"):
        title = html.text(html.find(article, "h4"))
        found[title] = (article, html.text(article))
    return found


def day_outline(html, response) -> list[tuple[str, list[str]]]:
    """[(day heading, [slot time, ...]), ...] in page order."""
    outline = []
    for day in html.find_all(html.dom(response), "section", "schedule-day"):
        heading = html.text(html.find(day, "h2"))
        slots = [html.text(h3) for h3 in html.find_all(day, "h3", "slot-time")]
        outline.append((heading, slots))
    return outline


def find_title(rows: dict, fragment: str):
    matches = [title for title in rows if fragment in title]
    assert len(matches) == 1, (fragment, list(rows))
    return rows[matches[0]]


# The list view ---------------------------------------------------------------


def test_list_groups_by_local_day_and_start_time(client, conf, html):
    response = get(client, "/cnc16/schedule/")
    assert day_outline(html, response) == [
        ("Tuesday, November 8", ["8:00am PST", "9:00am PST", "11:00am PST", "2:00pm PST",
                                 "3:00pm PST"]),
        ("Wednesday, November 9", ["10:00am PST"]),
    ]  # fmt: skip


def test_list_shows_each_session_with_its_details(client, conf, html):
    response = get(client, "/cnc16/schedule/")
    article, text = find_title(articles(html, response), "Kubernetes 101")
    assert "Kubernetes 101 – Kelsey Hightower, Google" in text
    assert "11:00am – 11:40am" in text
    for part in ("Ballroom A", "Talk", "Operations"):
        assert part in text
    # The excerpt is plain text: Markdown rendered, tags and the script gone.
    excerpt = html.text(html.find(article, "p", "session-excerpt"))
    assert excerpt.startswith("Learn about pods and services.")
    assert "alert" not in excerpt and "<" not in excerpt
    link = html.find(article, "a")
    assert html.attr(link, "href") == "/cnc16/sessions/kubernetes-101/"


def test_list_escapes_every_value_it_prints(client, conf):
    """The rows come escaped from display.ListRows, and day_list.jinja prints them as
    they are: every text a row shows is escaped, as Jinja2 escapes (&#34;, &#39;)."""
    Session.objects.filter(pk=conf.panel_session.pk).update(
        title='Q&A <x1>"live"', abstract_text="Ask <x2> & 'more'"
    )
    Speaker.objects.filter(pk=conf.sarah.pk).update(name="Sarah <x3>", company='G&"co"')
    Speaker.objects.filter(pk=conf.dan.pk).update(name="Dan <x4>")
    Room.objects.filter(pk=conf.room_401.pk).update(name="Room <x5> & co")
    Track.objects.filter(pk=conf.dev.pk).update(name="Dev & <x6>")
    SessionType.objects.filter(pk=conf.panel.pk).update(name="Panel <x7>")
    SessionType.objects.filter(pk=conf.meal.pk).update(name="Meal <x8>")
    content = get(client, "/cnc16/schedule/").content.decode()
    assert "<x" not in content
    for escaped in (
        "Q&amp;A &lt;x1&gt;&#34;live&#34;</a>",
        "Sarah &lt;x3&gt;, G&amp;&#34;co&#34;; Brendan Burns, Microsoft",
        "Moderated by Dan &lt;x4&gt;</p>",
        "Ask &lt;x2&gt; &amp; &#39;more&#39;",
        " · Room &lt;x5&gt; &amp; co · Panel &lt;x7&gt; ",
        '<span class="track-dot">Dev &amp; &lt;x6&gt;</span>',
        '<span class="break-label">Meal &lt;x8&gt;</span>',
    ):
        assert escaped in content


def test_list_sessions_in_one_slot_are_ordered_by_room(client, conf, html):
    titles = list(articles(html, get(client, "/cnc16/schedule/")))
    k101 = titles.index(next(t for t in titles if "Kubernetes 101" in t))
    helm = titles.index(next(t for t in titles if "Helm charts" in t))
    assert k101 + 1 == helm  # Ballroom A before Ballroom B, both at 11:00


def test_list_shows_speakers_in_order_and_moderators_apart(client, conf, html):
    _, text = find_title(articles(html, get(client, "/cnc16/schedule/")), "future of containers")
    assert "Sarah Novotny, Google; Brendan Burns, Microsoft" in text
    assert "Moderated by Dan Kohn" in text
    assert "Dan Kohn, CNCF" not in text


def test_list_shows_breaks_as_breaks(client, conf, html):
    article, text = articles(html, get(client, "/cnc16/schedule/"))["Meal Breakfast"]
    assert "session-break" in html.attr(article, "class")
    assert html.text(html.find(article, "span", "break-label")) == "Meal"
    assert "8:00am – 9:00am" in text
    assert html.find_all(article, "a") == []  # a break has no page to link to


def test_list_shows_cancelled_sessions_marked(client, conf, html):
    article, text = find_title(articles(html, get(client, "/cnc16/schedule/")), "Service mesh")
    assert "session-cancelled" in html.attr(article, "class")
    assert html.text(html.find(article, "span", "badge")) == "Cancelled"
    assert "Cancelled Service mesh deep dive" in text
    _, other = find_title(articles(html, get(client, "/cnc16/schedule/")), "Helm charts")
    assert "Cancelled" not in other


def test_list_leaves_out_drafts(client, conf, html):
    assert Session.objects.filter(title="Secret roadmap", status="draft").exists()
    response = get(client, "/cnc16/schedule/")
    titles = articles(html, response)
    assert len(titles) == len(conf.public)
    assert "Secret roadmap" not in response.content.decode()
    assert "Gustav Draftson" not in response.content.decode()
    assert html.text(html.find(html.dom(response), "strong", "match-count")) == "7 sessions"


def test_list_leaves_out_unscheduled_sessions(client, conf, html):
    SessionFactory(event=conf.event, title="Time to be announced", starts_at=None, ends_at=None)
    response = get(client, "/cnc16/schedule/")
    assert "Time to be announced" not in response.content.decode()


def test_list_of_an_event_without_sessions(client, db, html):
    event = EventFactory(slug="empty-conf", start_date=dt.date(2020, 1, 1),
                         end_date=dt.date(2020, 1, 1))  # fmt: skip
    assert not event.sessions.exists()
    for url in ("/empty-conf/schedule/", "/empty-conf/schedule/grid/"):
        response = get(client, url)
        assert html.text(html.find(html.dom(response), "strong", "match-count")) == "0 sessions"
        assert "No sessions match." in response.content.decode()


def test_list_and_grid_link_to_each_other_keeping_filters(client, conf, html):
    dom = html.dom(get(client, "/cnc16/schedule/?track=ops"))
    assert html.find_all(dom, "a", href="/cnc16/schedule/grid/?track=ops")
    dom = html.dom(get(client, "/cnc16/schedule/grid/?track=ops"))
    assert html.find_all(dom, "a", href="/cnc16/schedule/?track=ops")


@pytest.mark.parametrize(
    "path",
    [
        "/", "/schedule/", "/schedule/grid/", "/sessions/kubernetes-101/",
        "/sessions/kubernetes-101.ics", "/schedule.ics", "/speakers/",
        "/speakers/kelsey-hightower/", "/theme.css",
    ],
)  # fmt: skip
def test_pages_of_an_unpublished_event_are_not_found(client, conf, path):
    get(client, f"/cnc16{path}")  # public while published
    conf.event.is_published = False
    conf.event.save()
    get(client, f"/cnc16{path}", status=404)


@pytest.mark.parametrize(
    "path",
    [
        "/sessions/no-such-session/",
        "/sessions/no-such-session.ics",
        "/sessions/secret-roadmap/",
        "/sessions/secret-roadmap.ics",
    ],
)
def test_unknown_and_draft_sessions_are_not_found(client, conf, path):
    assert Session.objects.filter(slug="secret-roadmap", status="draft").exists()
    response = get(client, f"/cnc16{path}", status=404)
    assert b"Secret roadmap" not in response.content


def test_session_slug_of_another_event_is_not_found(client, conf):
    other = EventFactory(slug="other-conf")
    SessionFactory(event=other, title="Elsewhere", slug="elsewhere")
    get(client, "/other-conf/sessions/elsewhere/")
    get(client, "/cnc16/sessions/elsewhere/", status=404)


def test_unknown_event_is_not_found(client, db):
    get(client, "/no-such-event/schedule/", status=404)


# The grid --------------------------------------------------------------------


def grid_table(html, response, heading: str):
    for section in html.find_all(html.dom(response), "section", "grid-day"):
        if html.text(html.find(section, "h2")) == heading:
            return html.find(section, "table")
    raise AssertionError(f"no grid for {heading}")


def grid_cells(html, table) -> dict[str, dict]:
    """Session cells by title: rowspan, colspan and the cell's text."""
    cells = {}
    for td in html.find_all(table, "td", "grid-session"):
        title = html.text(html.find(td, None, "grid-title"))
        cells[title] = {
            "rowspan": int(html.attr(td, "rowspan")),
            "colspan": int(html.attr(td, "colspan") or 1),
            "class": html.attr(td, "class"),
            "text": html.text(td),
        }
    return cells


def test_grid_has_one_column_per_room(client, conf, html):
    table = grid_table(html, get(client, "/cnc16/schedule/grid/"), "Tuesday, November 8")
    header = [html.text(th) for th in html.find_all(html.find(table, "thead"), "th")]
    assert header == ["PST", "Ballroom A", "Ballroom B", "Room 401"]


def test_grid_rowspans_are_proportional_to_durations(client, conf, html):
    table = grid_table(html, get(client, "/cnc16/schedule/grid/"), "Tuesday, November 8")
    cells = grid_cells(html, table)
    keynote = cells["Opening keynote"]["rowspan"]  # 30 minutes
    assert cells["The future of containers"]["rowspan"] == 2 * keynote  # 60 minutes
    assert cells["Kubernetes 101"]["rowspan"] * 3 == keynote * 4  # 40 minutes
    assert "Kelsey Hightower" in cells["Kubernetes 101"]["text"]
    assert "11:00am – 11:40am" in cells["Kubernetes 101"]["text"]


def test_grid_rows_cover_the_day_at_an_even_step(client, conf, html):
    table = grid_table(html, get(client, "/cnc16/schedule/grid/"), "Tuesday, November 8")
    rows = html.find_all(html.find(table, "tbody"), "tr")
    # From breakfast (8:00) to the end of the cancelled talk (15:30), every 10 minutes.
    assert len(rows) == (15 * 60 + 30 - 8 * 60) // 10
    # A line's time is printed on the quarter hours, as its header; the lines between
    # start with an empty cell, not a hidden header (a box for a phone to lay out).
    firsts = [row.children[0] for row in rows]
    quarter = [("th", "8:00am"), ("td", ""), ("td", ""), ("th", "8:30am")]
    assert [(c.name, html.text(c)) for c in firsts[:4]] == quarter
    assert [html.text(c) for c in firsts if c.name == "th"][-1] == "3:00pm"
    # Every row has one cell per room, counting the cells that span into it.
    occupied = [0] * len(rows)
    for r, row in enumerate(rows):
        for td in html.find_all(row, "td"):
            if html.attr(td, "class") == "grid-time":
                continue
            for k in range(int(html.attr(td, "rowspan") or 1)):
                occupied[r + k] += int(html.attr(td, "colspan") or 1)
    assert occupied == [3] * len(rows)
    # The lines between rooms are the columns' (a run of empty cells is one cell).
    assert len(html.find_all(table, "col")) == 1 + 3


def test_grid_prints_a_run_of_side_by_side_empty_cells_as_one():
    talk = {"empty": False}
    runs = display._runs([None, None, "covered", None, talk, None, None])
    assert runs == [{"empty": 2}, {"empty": 1}, talk, {"empty": 2}]


def test_grid_break_without_room_spans_all_rooms(client, conf, html):
    table = grid_table(html, get(client, "/cnc16/schedule/grid/"), "Tuesday, November 8")
    breakfast = grid_cells(html, table)["Breakfast"]
    assert breakfast["colspan"] == 3
    assert breakfast["rowspan"] == 6
    assert "session-break" in breakfast["class"]


def test_grid_shows_cancelled_and_leaves_out_drafts(client, conf, html):
    response = get(client, "/cnc16/schedule/grid/")
    cells = grid_cells(html, grid_table(html, response, "Tuesday, November 8"))
    assert "session-cancelled" in cells["Service mesh deep dive"]["class"]
    assert "Cancelled" in cells["Service mesh deep dive"]["text"]
    assert "Cancelled" not in cells["Helm charts in practice"]["text"]
    assert "Secret roadmap" not in response.content.decode()


def test_grid_has_one_table_per_day(client, conf, html):
    response = get(client, "/cnc16/schedule/grid/")
    headings = [
        html.text(html.find(s, "h2"))
        for s in html.find_all(html.dom(response), "section", "grid-day")
    ]
    assert headings == ["Tuesday, November 8", "Wednesday, November 9"]
    cells = grid_cells(html, grid_table(html, response, "Wednesday, November 9"))
    assert list(cells) == ["Prometheus at scale"]


def test_grid_puts_a_double_booked_room_in_an_extra_column(client, conf, html):
    SessionFactory(
        event=conf.event, title="Overlapping talk", room=conf.ballroom_a,
        starts_at=conf.k101.starts_at, ends_at=conf.k101.ends_at,
    )  # fmt: skip
    table = grid_table(html, get(client, "/cnc16/schedule/grid/"), "Tuesday, November 8")
    header = [html.text(th) for th in html.find_all(html.find(table, "thead"), "th")]
    assert header[-1] == "Elsewhere"
    cells = grid_cells(html, table)
    assert {"Kubernetes 101", "Overlapping talk"} <= set(cells)


def test_grid_escapes_every_value_it_prints(client, conf):
    """The tables and cells come escaped from display.GridRows, and grid_tables.jinja
    prints them as they are: every text a cell or a column shows is escaped, as Jinja2
    escapes (&#34;, &#39;); the star button (to come: the event is in 2099) as
    agenda.star_buttons does (html.escape: &quot;)."""
    Event.objects.filter(pk=conf.event.pk).update(
        start_date=dt.date(2099, 11, 8), end_date=dt.date(2099, 11, 9)
    )
    Session.objects.filter(pk=conf.panel_session.pk).update(
        title="Q&A <x1>\"live\" 'on'", slug='panel"<x2>'
    )
    Session.objects.filter(pk=conf.breakfast.pk).update(title="Meal <x3> & co")
    Speaker.objects.filter(pk=conf.sarah.pk).update(name="Sarah <x4>")
    Speaker.objects.filter(pk=conf.dan.pk).update(name="Dan & <x5>")
    Room.objects.filter(pk=conf.room_401.pk).update(name="Room <x6> & co")
    Track.objects.filter(pk=conf.dev.pk).update(slug='dev"<x7>')
    content = get(client, "/cnc16/schedule/grid/").content.decode()
    assert "<x" not in content
    for escaped in (
        '<a class="grid-title" href="/cnc16/sessions/panel&#34;&lt;x2&gt;/">'
        "Q&amp;A &lt;x1&gt;&#34;live&#34; &#39;on&#39;</a>",
        'formaction="/cnc16/agenda/panel&quot;&lt;x2&gt;/add"',
        'aria-label="Star “Q&amp;A &lt;x1&gt;&quot;live&quot; &#x27;on&#x27;”"',
        '<span class="grid-title">Meal &lt;x3&gt; &amp; co</span>',
        '<span class="grid-speakers">Sarah &lt;x4&gt;, Brendan Burns</span>',
        "Moderated by Dan &amp; &lt;x5&gt;</span>",
        '<th scope="col">Room &lt;x6&gt; &amp; co</th>',
        ' track-dev&#34;&lt;x7&gt;">',
    ):
        assert escaped in content


# One session -----------------------------------------------------------------


def test_session_page_shows_details(client, conf, html):
    response = get(client, "/cnc16/sessions/kubernetes-101/")
    dom = html.dom(response)
    assert html.text(html.find(dom, "h1")) == "Kubernetes 101"
    facts = html.find(dom, "dl", "session-facts")
    assert html.text(facts) == (
        "When Tuesday November 8, 2016 11:00am – 11:40am PST Room Ballroom A "
        "Track Operations Type Talk"
    )
    when = html.find(facts, "time")
    assert html.attr(when, "datetime") == "2016-11-08T19:00:00+00:00"


def test_session_page_has_the_sanitized_abstract(client, conf):
    content = get(client, "/cnc16/sessions/kubernetes-101/").content.decode()
    assert "<strong>pods</strong>" in content
    link = '<a href="https://kubernetes.io/docs/" rel="nofollow noopener noreferrer ugc">'
    assert link in content
    assert "<p>Bring a laptop.</p>" in content
    assert "alert(" not in content
    assert "<script>" not in content


def test_session_page_separates_speakers_and_moderators(client, conf, html):
    dom = html.dom(get(client, "/cnc16/sessions/future-of-containers/"))
    sections = {
        html.text(html.find(section, "h2")): section for section in html.find_all(dom, "section")
    }
    assert set(sections) == {"Speakers", "Moderator"}
    names = [html.text(h3) for h3 in html.find_all(sections["Speakers"], "h3")]
    assert names == ["Sarah Novotny (panelist)", "Brendan Burns (panelist)"]
    assert [html.text(h3) for h3 in html.find_all(sections["Moderator"], "h3")] == ["Dan Kohn"]
    assert "Executive Director, CNCF" in html.text(sections["Moderator"])


def test_session_page_speaker_card(client, conf, html):
    dom = html.dom(get(client, "/cnc16/sessions/helm-charts/"))
    card = html.find(dom, "div", "speaker-card")
    assert html.text(html.find(card, "span", "avatar-initials")) == "BB"
    assert html.find_all(card, "img") == []
    link = html.find(card, "h3").children[0]
    assert html.attr(link, "href") == "/cnc16/speakers/brendan-burns/"
    text = html.text(card)
    assert "Partner Architect, Microsoft" in text
    assert "Co-founded Kubernetes." in text  # a short bio is shown whole...
    assert "Read more" not in text  # ...without a link to read more


def test_session_page_cuts_a_long_bio_short(client, conf, html):
    assert len(conf.kelsey.bio) > 400
    dom = html.dom(get(client, "/cnc16/sessions/kubernetes-101/"))
    card = html.find(dom, "div", "speaker-card")
    text = html.text(card)
    assert "Kelsey has been building infrastructure" in text
    assert "only on the speaker page" not in text
    more = [a for a in html.find_all(card, "a") if "Read more" in html.text(a)]
    assert len(more) == 1
    assert html.attr(more[0], "href") == "/cnc16/speakers/kelsey-hightower/"


def test_session_page_shows_the_avatar_when_there_is_one(client, conf, html):
    conf.brendan.avatar = f"avatars/{conf.event.pk}/brendan.jpg"
    conf.brendan.avatar_thumb = f"avatars/{conf.event.pk}/brendan-thumb.jpg"
    conf.brendan.save()
    card = html.find(html.dom(get(client, "/cnc16/sessions/helm-charts/")), "div", "speaker-card")
    img = html.find(card, "img")
    assert html.attr(img, "src") == f"/media/avatars/{conf.event.pk}/brendan-thumb.jpg"
    assert html.find_all(card, "span", "avatar-initials") == []


def test_session_page_of_an_ended_event_offers_no_star_or_calendar(client, conf, html):
    dom = html.dom(get(client, "/cnc16/sessions/kubernetes-101/"))  # November 2016: over
    assert html.find_all(dom, "a", href="/cnc16/sessions/kubernetes-101.ics") == []
    assert html.find_all(dom, "button", "btn-star") == []
    assert "This event is over" in html.text(html.find(dom, "p", "session-over"))


def test_session_page_links_to_its_ics_until_the_event_ends(client, conf, html):
    Event.objects.filter(pk=conf.event.pk).update(
        start_date=dt.date(2099, 11, 8), end_date=dt.date(2099, 11, 10)
    )
    dom = html.dom(get(client, "/cnc16/sessions/kubernetes-101/"))
    assert html.find_all(dom, "a", href="/cnc16/sessions/kubernetes-101.ics")
    assert html.find_all(dom, "button", "btn-star")


def test_session_page_open_graph(client, conf, html):
    meta = html.meta(html.dom(get(client, "/cnc16/sessions/kubernetes-101/")))
    assert meta["og:title"] == "Kubernetes 101"
    assert meta["og:type"] == "article"
    assert meta["og:description"].startswith(
        "Tuesday November 8, 2016 11:00am – 11:40am PST, Ballroom A. Learn about pods"
    )
    assert "alert" not in meta["og:description"]
    assert meta["og:url"] == "http://testserver/cnc16/sessions/kubernetes-101/"
    assert meta["og:site_name"] == "CloudNativeCon 2016"


@pytest.mark.parametrize("page", ["sessions/kubernetes-101/", "speakers/kelsey-hightower/"])
def test_a_page_names_its_own_url_whatever_query_rendered_it(client, conf, html, page):
    """A page takes no query, so it is cached whatever the query: the first visitor's
    (a campaign tag, say) must not become everybody's og:url."""
    tagged = html.meta(html.dom(get(client, f"/cnc16/{page}?utm_source=mail")))
    plain = html.meta(html.dom(get(client, f"/cnc16/{page}")))
    assert tagged["og:url"] == plain["og:url"] == f"http://testserver/cnc16/{page}"


def test_cancelled_session_page_says_so(client, conf, html):
    dom = html.dom(get(client, "/cnc16/sessions/service-mesh/"))
    assert html.text(html.find(dom, "h1")) == "Cancelled Service mesh deep dive"
    assert "This session has been cancelled." in html.text(dom)
    dom = html.dom(get(client, "/cnc16/sessions/kubernetes-101/"))
    assert "cancelled" not in html.text(html.find(dom, "main")).lower()


def test_unscheduled_session_page_has_no_time_and_no_ics(client, conf, html):
    SessionFactory(event=conf.event, title="Lightning talks", slug="lightning",
                   starts_at=None, ends_at=None)  # fmt: skip
    dom = html.dom(get(client, "/cnc16/sessions/lightning/"))
    assert "When To be announced" in html.text(html.find(dom, "dl"))
    assert not html.find_all(dom, "a", href="/cnc16/sessions/lightning.ics")
    get(client, "/cnc16/sessions/lightning.ics", status=404)


# .ics exports -----------------------------------------------------------------


def vevents(response) -> dict[str, icalendar.Event]:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_schedule_ics_holds_the_public_sessions(client, conf):
    response = get(client, "/cnc16/schedule.ics")
    assert response["Content-Disposition"] == 'attachment; filename="cnc16.ics"'
    events = vevents(response)
    assert set(events) == {s.title for s in conf.public}
    for session in conf.public:
        session.refresh_from_db()
        vevent = events[session.title]
        assert str(vevent["UID"]) == f"{session.guid}@cnc16.lineup"
        start = vevent.decoded("DTSTART")
        assert start == session.starts_at
        assert start.utcoffset() == dt.timedelta(0)
        assert vevent.decoded("DTEND") == session.ends_at
        expected = "CANCELLED" if session.is_cancelled else "CONFIRMED"
        assert str(vevent["STATUS"]) == expected


def test_schedule_ics_details(client, conf):
    vevent = vevents(get(client, "/cnc16/schedule.ics"))["Kubernetes 101"]
    assert str(vevent["LOCATION"]) == "Ballroom A, Sheraton Seattle"  # room and venue
    assert str(vevent["URL"]) == "http://testserver/cnc16/sessions/kubernetes-101/"
    description = str(vevent["DESCRIPTION"])
    assert "Learn about pods and services." in description
    assert "Speakers: Kelsey Hightower" in description
    assert "alert" not in description
    assert (
        vevents(get(client, "/cnc16/schedule.ics"))["Service mesh deep dive"]["STATUS"]
        == "CANCELLED"
    )


def test_session_ics_holds_one_session(client, conf):
    response = get(client, "/cnc16/sessions/service-mesh.ics")
    assert response["Content-Disposition"] == ('attachment; filename="cnc16-service-mesh.ics"')
    events = vevents(response)
    assert list(events) == ["Service mesh deep dive"]
    vevent = events["Service mesh deep dive"]
    assert str(vevent["UID"]) == f"{conf.mesh.guid}@cnc16.lineup"
    assert vevent.decoded("DTSTART") == conf.mesh.starts_at
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_ics_uid_is_stable_across_edits(client, conf):
    uid = str(vevents(get(client, "/cnc16/schedule.ics"))["Kubernetes 101"]["UID"])
    conf.k101.title = "Kubernetes 102"
    conf.k101.save()
    assert str(vevents(get(client, "/cnc16/schedule.ics"))["Kubernetes 102"]["UID"]) == uid


def test_schedule_ics_escapes_text(client, conf):
    session = SessionFactory(
        event=conf.event, title="Pods; services, and \\ backslashes",
        abstract="Line one\nline two", room=conf.room_401,
    )  # fmt: skip
    SessionSpeakerFactory(session=session, speaker=conf.sarah)
    raw = get(client, "/cnc16/schedule.ics").content.decode()
    assert "SUMMARY:Pods\\; services\\, and \\\\ backslashes" in raw
    assert re.search(r"^SUMMARY:Pods", raw, re.M)
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))
    assert "Pods; services, and \\ backslashes" in vevents(get(client, "/cnc16/schedule.ics"))


def test_theme_css_names_the_event_and_its_dates_on_every_printed_page(client, conf):
    Event.objects.filter(pk=conf.event.pk).update(name='Evil"}body{x:1} Conf')
    css = client.get("/cnc16/theme.css").content.decode()
    rule = re.search(r'@page\{@top-left\{content:"([^"]*)"\}', css)
    assert rule, css
    assert "}" not in rule.group(1) and "{" not in rule.group(1)  # escaped, not closed
    shown = re.sub(r"\\([0-9a-f]+) ", lambda m: chr(int(m.group(1), 16)), rule.group(1))
    assert shown == 'Evil"}body{x:1} Conf · November 8 – November 9, 2016'


def test_grid_and_list_star_sessions_to_come_but_not_cancelled_ones(client, conf, html):
    grid = html.dom(get(client, "/cnc16/schedule/grid/"))  # 2016: over, no stars at all
    assert html.find_all(grid, "button", "btn-star") == []
    assert "Moderated by Dan Kohn" in html.text(grid)
    Event.objects.filter(pk=conf.event.pk).update(
        start_date=dt.date(2099, 11, 8), end_date=dt.date(2099, 11, 9)
    )
    for url, cell in (("/cnc16/schedule/grid/", "td"), ("/cnc16/schedule/", "article")):
        page = html.dom(get(client, url))
        cancelled = html.find_all(page, cell, "session-cancelled")
        assert cancelled and all(html.find_all(c, "button", "btn-star") == [] for c in cancelled)
        assert html.find_all(page, "button", "btn-star")
