"""Every route answers every persona as the access table says."""

import pytest

from tests.access_table import ROUTES
from tests.conftest import PERSONAS

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


@pytest.mark.parametrize(("endpoint", "method", "template", "persona", "status"), CASES)
def test_route_answers_persona_as_the_table_says(
    as_persona, world, endpoint, method, template, persona, status
):
    client = as_persona(persona)

    response = client.open(fill(template, world), method=method)

    assert response.status_code == status, response.get_data(as_text=True)[:500]
    if status == 302:
        assert "/login" in response.headers["Location"]
