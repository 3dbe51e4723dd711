"""Shared by the public-page tests of the schedule: the shared conference
(tests/factories.conference: CloudNativeCon 2016, Seattle, an event in the past) and
the helpers to read the HTML the pages serve."""

import pytest

from tests.factories import conference


@pytest.fixture
def conf(db):
    """CloudNativeCon 2016, Seattle, November 8 and 9 (an event in the past)."""
    return conference()


@pytest.fixture
def html():
    """The page-reading helpers of tests/html.py."""
    from tests import html as helpers

    return helpers
