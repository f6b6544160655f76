"""Every route is in the access table; every page answers each persona as it says."""

import pytest

from tests.access_table import ROUTES
from tests.conftest import PERSONAS, clients_for

CASES = [
    pytest.param(
        endpoint, method, template, persona, status, id=f"{method} {template} {persona}"
    )
    for endpoint, entries in ROUTES.items()
    for method, template, answers in entries
    for persona, status in zip(PERSONAS, answers, strict=True)
]


def fill(template: str, world) -> str:
    return template.format(
        open=world.open,
        closed=world.closed,
        other=world.other,
        region=world.region_ids["twente"],
        organisation=world.organisation_id,
        membership=world.membership_ids[("closed", "participant")],
        **world.ids,
    )


def test_every_route_is_in_the_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}

    missing = endpoints - set(ROUTES)

    assert not missing, f"routes without an entry in tests/access_table.py: {missing}"


def test_every_method_of_every_route_is_in_the_access_table(app):
    listed = {
        (endpoint, method)
        for endpoint, entries in ROUTES.items()
        for method, *_ in entries
    }

    missing = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if (rule.endpoint, method) not in listed
    }

    assert not missing, f"methods without an entry in tests/access_table.py: {missing}"


READS = [case for case in CASES if case.values[1] == "GET"]
WRITES = [case for case in CASES if case.values[1] != "GET"]


def check(client, world, method, template, status):
    response = client.open(fill(template, world), method=method)

    assert response.status_code == status, response.get_data(as_text=True)[:500]
    if status == 302:
        assert "/login" in response.headers["Location"]


@pytest.mark.reads_shared_world
@pytest.mark.parametrize(("endpoint", "method", "template", "persona", "status"), READS)
def test_page_answers_persona_as_the_table_says(
    app, shared_world, endpoint, method, template, persona, status
):
    # No GET changes data, so every read of this module shares one world.
    client = clients_for(app, shared_world)(persona)

    check(client, shared_world, method, template, status)
