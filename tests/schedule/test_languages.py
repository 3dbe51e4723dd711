"""The visitor's language: from the browser, switched and remembered, shown in dates and
times, and kept apart in the page cache and ETags. Catalogue checks: tests/test_i18n.py."""

import pytest

from tests.factories import MembershipFactory

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9,en;q=0.5"}
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}


@pytest.fixture
def schedule_url(conf):
    return "/cnc16/schedule/?day=all"


def test_language_comes_from_the_browser_and_names_the_page(client, schedule_url):
    english = client.get(schedule_url).content.decode()
    assert '<html lang="en">' in english
    assert "Tuesday, November 8" in english
    assert "9:00am PST" in english

    german = client.get(schedule_url, **GERMAN).content.decode()
    assert '<html lang="de">' in german
    assert "Dienstag, 8. November" in german
    assert "09:00 PST" in german  # 24-hour, the event's zone still named
    assert "am PST" not in german
    assert ">Sprecher" in german or ">Vortragende" in german  # the navigation

    french = client.get(schedule_url, **FRENCH).content.decode()
    assert '<html lang="fr">' in french
    assert "mardi 8 novembre" in french
    assert "09:00 PST" in french


def test_switcher_on_every_page_remembers_the_choice_in_a_cookie(client, schedule_url):
    page = client.get(schedule_url, **GERMAN).content.decode()
    assert 'action="/i18n/setlang/"' in page
    for code in ("en", "de", "fr", "es"):
        assert f'name="language" value="{code}" lang="{code}"' in page

    response = client.post(
        "/i18n/setlang/", {"language": "fr"}, HTTP_REFERER=f"http://testserver{schedule_url}"
    )
    assert response.status_code == 302
    assert response["Location"] == f"http://testserver{schedule_url}"
    cookie = response.cookies["django_language"]
    assert cookie.value == "fr"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    assert "sessionid" not in response.cookies  # remembered without a session

    # The cookie wins over the browser's languages from now on, on every page.
    again = client.get(schedule_url, **GERMAN).content.decode()
    assert '<html lang="fr">' in again
    assert '<html lang="fr">' in client.get("/cnc16/speakers/", **GERMAN).content.decode()


def test_unknown_language_is_refused_quietly(client, schedule_url):
    response = client.post("/i18n/setlang/", {"language": "xx"})
    assert response.status_code == 302
    assert "django_language" not in response.cookies
    assert '<html lang="en">' in client.get(schedule_url).content.decode()


def test_each_language_has_its_own_cached_page_and_etag(client, schedule_url):
    english = client.get(schedule_url)
    german = client.get(schedule_url, **GERMAN)
    assert german.content.decode().count('<html lang="de">') == 1  # not the cached English
    assert english["ETag"] != german["ETag"]
    for response in (english, german):
        vary = {part.strip() for part in response["Vary"].split(",")}
        assert {"Accept-Language", "Cookie"} <= vary

    # A German copy is current for German only.
    assert client.get(schedule_url, HTTP_IF_NONE_MATCH=german["ETag"], **GERMAN).status_code == 304
    assert client.get(schedule_url, HTTP_IF_NONE_MATCH=german["ETag"]).status_code == 200
    # And the English page, asked again, is still English (its own cache entry).
    assert '<html lang="en">' in client.get(schedule_url).content.decode()


def test_exports_are_kept_apart_per_language_and_keep_the_data(client, conf):
    english = client.get("/cnc16/schedule.ics")
    german = client.get("/cnc16/schedule.ics", **GERMAN)
    assert english.status_code == german.status_code == 200
    assert english["ETag"] != german["ETag"]
    unfolded = german.content.decode().replace("\r\n ", "")
    assert "SUMMARY:Kubernetes 101" in unfolded  # what organizers wrote stays as written
    assert "Vortragende: Kelsey Hightower" in unfolded  # the fixed words are German
    assert "Speakers: Kelsey Hightower" in english.content.decode().replace("\r\n ", "")


def test_admin_pages_follow_the_language_and_offer_the_switcher(client, conf):
    user = MembershipFactory(event=conf.event).user
    client.force_login(user)
    client.cookies["django_language"] = "fr"
    page = client.get("/admin/").content.decode()
    assert '<html lang="fr"' in page
    assert 'action="/i18n/setlang/"' in page
    assert "Tableau de planning" in page  # the board's link on the admin's first page
