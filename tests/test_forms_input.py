"""Every form answers malformed input with a message beside the field, never a 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

LONG = "x" * 10_000
UNICODE = "Zoë 👷‍♀️ Ærø ñ 中文 \u202e\u200b"
VALUES = {
    "empty": "",
    "long": LONG,
    "unicode": UNICODE,
    "nul": "a\x00b",
    "wrong type": "[]",
}

# (persona, URL template, fields) of every form.
FORMS = [
    ("anonymous", "/login", ["email", "password", "remember"]),
    ("anonymous", "/register", ["name", "email", "password", "confirm"]),
    ("anonymous", "/password/forgot", ["email"]),
    ("participant", "/account", ["name", "organisation", "locale"]),
    ("participant", "/account/password", ["current", "password", "confirm"]),
    ("participant", "/language", ["locale", "next"]),
    (
        "facilitator",
        "/communities/new",
        ["name", "theme", "region", "organisation", "description", "is_open"],
    ),
    (
        "facilitator",
        "/communities/{closed}/edit",
        ["name", "theme", "region", "organisation", "description", "is_open"],
    ),
    ("facilitator", "/communities/{closed}/members", ["email", "role"]),
    ("facilitator", "/communities/{closed}/members/{membership}/role", ["role"]),
    ("admin", "/admin/regions/new", ["name"]),
    (
        "admin",
        "/admin/organisations/new",
        ["name", "kind", "region", "parent", "website"],
    ),
]
REDIRECTING_FORMS = {"/language", "/communities/{closed}/members/{membership}/role"}


def url(template, world):
    membership = world.membership_ids[("closed", "participant")]
    return template.format(closed=world.closed, membership=membership)


@pytest.mark.parametrize("kind", VALUES)
@pytest.mark.parametrize(("persona", "template", "fields"), FORMS)
def test_form_answers_bad_input_with_a_message(
    as_persona, world, persona, template, fields, kind
):
    client = as_persona(persona)
    data = {name: VALUES[kind] for name in fields}

    response = client.post(url(template, world), data=data)

    page = response.get_data(as_text=True)
    assert response.status_code in (200, 303), page[:300]
    if template in REDIRECTING_FORMS:
        assert response.status_code == 303
    elif kind in ("empty", "long", "nul"):
        assert response.status_code == 200
        assert 'class="field-error"' in page


def test_repeated_fields_do_not_break_a_form(as_persona, world):
    client = as_persona("facilitator")

    response = client.post(
        "/communities/new",
        data=MultiDict(
            [("name", "Een"), ("name", "Twee"), ("theme", "x"), ("theme", "companies")]
        ),
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "?region=abc",
        "?theme=%00",
        f"?q={LONG}",
        "?page=-4",
        "?page=abc",
        "?region=1&region=2",
    ],
)
def test_community_filter_ignores_bad_values(client, world, query):
    response = client.get("/communities" + query)

    assert response.status_code == 200


text = st.text(max_size=300)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=text, email=text, password=text, confirm=text)
def test_registration_never_fails_on_generated_input(
    app, name, email, password, confirm
):
    client = app.test_client()

    response = client.post(
        "/register",
        data={"name": name, "email": email, "password": password, "confirm": confirm},
    )

    assert response.status_code < 500


@pytest.mark.parametrize("day", ["9999-12-01", "0001-01-01", "1899-05-05"])
def test_dates_far_outside_any_sprint_are_refused_beside_the_field(
    as_persona, world, day
):
    client = as_persona("facilitator")

    responses = [
        client.post(
            f"/communities/{world.closed}/sprints/new",
            data={"title": "Ver weg", "start_date": day, "weeks": "12"},
        ),
        client.post("/log/new", data={"what": "x", "quick_minutes": "30", "date": day}),
        client.post(
            f"/sprints/{world.ids['sprint']}/meetings/new",
            data={"date": day, "start_time": "09:00", "end_time": "10:00"},
        ),
    ]

    for response in responses:
        assert response.status_code == 200
        assert "tussen 2000 en 2100" in response.get_data(as_text=True)
