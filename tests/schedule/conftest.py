"""Shared by the public-page tests of the schedule: the shared conference
(tests/factories.conference: CloudNativeCon 2016, Seattle, an event in the past) and
the helpers to read the HTML the pages serve."""

import pytest

from tests.factories import SharedRows, conference


@pytest.fixture(scope="module")
def _conference(django_db_setup, django_db_blocker):
    shared = SharedRows(django_db_blocker, conference)
    yield shared
    shared.close()


@pytest.fixture
def conf(request, _conference, db):
    """CloudNativeCon 2016, Seattle, November 8 and 9 (an event in the past), built once
    per module (tests/factories.SharedRows)."""
    return _conference.for_test(request)


@pytest.fixture
def html():
    """The page-reading helpers of tests/html.py."""
    from tests import html as helpers

    return helpers
