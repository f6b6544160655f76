"""Reading a page never writes to the database; the share page only counts its view.

Every read of the access table runs on one shared world, as each persona who sees
the page and one persona per kind of refusal, with the SQL of the request recorded:
a page that starts to write on GET fails here.
"""

import re

import pytest
from sqlalchemy import select

from hcimv_lc.extensions import db
from hcimv_lc.skills.models import ShareLink
from hcimv_lc.skills.service import hash_token
from tests.conftest import TEST_PASSWORD, clients_for
from tests.test_access import READS, fill
from tests.test_query_counts import count_statements

WRITING_KEYWORDS = {
    "INSERT",
    "UPDATE",
    "DELETE",
    "REPLACE",
    "MERGE",
    "CREATE",
    "DROP",
    "ALTER",
    "TRUNCATE",
}
COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
DATA_CHANGE = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
SHARE_PAGE = "/s/{share_token}"


def recorded_statements(app):
    """Collect every SQL statement sent inside the block, transaction control too."""
    return count_statements(app, transaction_control=True)


def writes(statement: str) -> bool:
    """Return whether the SQL statement changes data or schema."""
    words = COMMENT.sub(" ", statement).split(None, 1)
    if not words:
        return False

    keyword = words[0].upper()
    if keyword == "WITH":
        # A common table expression may end in an INSERT, UPDATE or DELETE.
        return bool(DATA_CHANGE.search(words[1] if len(words) > 1 else ""))
    return keyword in WRITING_KEYWORDS


def writes_of(statements: list[str]) -> list[str]:
    return [statement for statement in statements if writes(statement)]


def distinct_paths(cases):
    """Keep every persona who sees the page, and one of each kind of refusal.

    Personas refused with the same status on the same URL take the same way
    through the app, so reading it once for them all keeps the run short.
    """
    seen = set()
    for case in cases:
        _endpoint, _method, template, _persona, status = case.values
        if 200 <= status < 300 or (template, status) not in seen:
            seen.add((template, status))
            yield case


PAGES = list(distinct_paths(case for case in READS if case.values[2] != SHARE_PAGE))
SHARE_VIEWS = [case for case in READS if case.values[2] == SHARE_PAGE]


@pytest.mark.reads_shared_world
@pytest.mark.parametrize(("endpoint", "method", "template", "persona", "status"), PAGES)
def test_reading_a_page_writes_nothing_to_the_database(
    app, shared_world, endpoint, method, template, persona, status
):
    client = clients_for(app, shared_world)(persona)

    with recorded_statements(app) as statements:
        response = client.get(fill(template, shared_world))

    # The page must have run to its end, else a write could have been skipped.
    assert response.status_code == status
    assert writes_of(statements) == []


def share_link_views(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(ShareLink.views).filter_by(token_hash=hash_token("live-share-token"))
        )


@pytest.mark.reads_shared_world
@pytest.mark.parametrize(
    ("endpoint", "method", "template", "persona", "status"), SHARE_VIEWS
)
def test_share_page_writes_only_its_view_counter(
    app, shared_world, endpoint, method, template, persona, status
):
    client = clients_for(app, shared_world)(persona)
    views_before = share_link_views(app)

    with recorded_statements(app) as statements:
        response = client.get(fill(template, shared_world))

    assert response.status_code == status
    assert share_link_views(app) == views_before + 1
    [counter_update] = writes_of(statements)
    table = ShareLink.__table__.name
    assert re.match(rf'UPDATE "?{table}"? SET views=', counter_update.strip())


@pytest.mark.reads_shared_world
def test_person_remembered_by_cookie_opens_a_page_without_writing(app, shared_world):
    client = app.test_client()
    client.post(
        "/login",
        data={
            "email": shared_world.person("participant").email,
            "password": TEST_PASSWORD,
            "remember": "y",
        },
    )
    # The cookie of a remembered session outlives the browser, which keeps it.
    assert client.get_cookie("session").expires is not None

    with recorded_statements(app) as statements:
        response = client.get("/account")

    assert response.status_code == 200
    assert shared_world.person("participant").email in response.get_data(as_text=True)
    assert writes_of(statements) == []
