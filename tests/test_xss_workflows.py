"""Payloads typed along a workflow stay inert: each step changes the pages it shows.

tests/test_xss.py sends payloads to forms that can be filled again and again. The
texts here belong to steps that change their object: a review asks for more
evidence, a resubmission answers it, a revocation ends a badge, a copy makes a new
sprint, a frozen instrument is answered. Each test takes the pages' markup once per
step before any payload, then repeats the steps with payloads. The JSON documents
come last.
"""

import json

import pytest
from markupsafe import escape

from hcimv_lc.extensions import db
from tests.test_xss import (
    CONTROL,
    Author,
    Place,
    Reader,
    Scenario,
    filled,
    packed,
    refusable,
)
from tests.xss_payloads import PAYLOADS

PLAIN = "Gewone tekst"


def texts_within(limit: int) -> list[str]:
    """Join every payload a Markdown field takes into texts of at most `limit`."""
    texts, current = [], ""
    for payload in PAYLOADS:
        if CONTROL.search(payload.text):
            continue
        joined = f"{current}\n\n{payload.text}" if current else payload.text
        if len(joined) > limit and current:
            texts.append(current)
            joined = payload.text
        current = joined
    return [*texts, current]


def line_texts(limit: int) -> list[str]:
    """Join every payload a one-line field takes into lines of at most `limit`."""
    field = Scenario("", "", [], plain=["line"])
    return [
        " ".join(payload.text for payload in texts)
        for texts in packed(field, "line", limit)
        if not any(refusable(field, "line", payload.text) for payload in texts)
    ]


REVOKERS = ("participant", "facilitator")


def test_review_and_resubmission_comments_stay_inert(as_persona, world):
    claim = "/claims/{claim}"
    places = [
        Place("participant", claim),
        Place("participant", "/passport"),
        Place("participant", "/notifications"),
        Place("facilitator", claim),
        Place("facilitator", "/claims/review"),
    ]
    # After a review the claim waits for its holder; after a resubmission, for review.
    reviewed, resubmitted = Reader(as_persona, world), Reader(as_persona, world)
    reviewer = Author(
        reviewed,
        Scenario(
            "facilitator",
            claim,
            [],
            markdown=["comment"],
            fixed={"decision": "more"},
            choose=["level"],
        ),
    )
    assert reviewer.submit({"comment": PLAIN}).status_code == 303
    for place in places:
        reviewed.remember(place)
    holder = Author(reviewed, Scenario("participant", claim, [], markdown=["comment"]))
    assert holder.submit({"comment": PLAIN}).status_code == 303
    for place in places:
        resubmitted.remember(place)

    found, rounds = [], 0
    for text in texts_within(300):
        review = reviewer.submit({"comment": text})
        found += [(p.url, item) for p in places for item in reviewed.problems(p)]
        resubmission = holder.submit({"comment": text})
        found += [(p.url, item) for p in places for item in resubmitted.problems(p)]
        assert (review.status_code, resubmission.status_code) == (303, 303)
        rounds += 1

    assert found == []
    assert rounds >= 10
    assert PLAIN in reviewed.get(Place("facilitator", claim))


def test_revocation_reasons_stay_inert_for_the_holder_and_the_facilitator(
    as_persona, world
):
    claim = filled(world, "/claims/{validated_claim}")
    first = filled(world, "/badges/{credential}")
    # Revoked by its holder the claim stays validated; by a facilitator, it is not.
    readers = {persona: Reader(as_persona, world) for persona in REVOKERS}
    holder, facilitator = (readers["participant"].client(p) for p in REVOKERS)

    def revoke(revoker: str, badge: str, reason: str) -> None:
        form = Scenario(revoker, badge, [], plain=["reason"])
        response = Author(readers[revoker], form).submit({"reason": reason})
        assert response.status_code == 303

    def issue() -> str:
        if "Opnieuw indienen" in holder.get(claim).get_data(as_text=True):
            holder.post(f"{claim}/resubmit", data={"comment": PLAIN})
            review = {"decision": "validate", "level": "3", "comment": PLAIN}
            assert facilitator.post(f"{claim}/review", data=review).status_code == 303
        issued = holder.post(f"{claim}/badge")
        assert issued.status_code == 303
        return issued.headers["Location"]

    def places(badge: str) -> list[Place]:
        badge_pages = [
            Place(p, badge) for p in ("participant", "facilitator", "anonymous")
        ]
        return [
            *badge_pages,
            Place("participant", claim),
            Place("participant", "/passport"),
        ]

    for revoker, badge in zip(REVOKERS, (first, None), strict=True):
        badge = badge or issue()
        revoke(revoker, badge, PLAIN)
        for place in places(badge):
            readers[revoker].remember(place)
        readers[revoker].first = badge

    found, revoked = [], 0
    for number, reason in enumerate(line_texts(200)):
        revoker = REVOKERS[number % 2]
        reader = readers[revoker]
        badge = issue()
        revoke(revoker, badge, reason)
        for place, like in zip(places(badge), places(reader.first), strict=True):
            reader.remember(place, like=like)
            found += [(revoker, place, item) for item in reader.problems(place)]
        revoked += 1

    assert found == []
    assert revoked >= 10
    assert str(escape(reason)) in reader.get(Place("participant", badge))


def test_titles_of_copied_sprints_stay_inert(as_persona, world):
    reader = Reader(as_persona, world)
    form = Scenario(
        "facilitator",
        "/sprints/{sprint}/copy",
        [],
        plain=["title"],
        fixed={"start_date": "2031-02-03"},
    )
    author = Author(reader, form)
    first = author.submit({"title": PLAIN})
    assert first.status_code == 303
    copy = Place("facilitator", first.headers["Location"])
    places = [
        copy,
        Place("facilitator", "/communities/{closed}"),
        Place("facilitator", "/calendar"),
        Place("facilitator", "/"),
    ]
    for place in places:
        reader.remember(place)

    found, copies = [], 0
    for title in line_texts(160):
        response = author.submit({"title": title})
        assert response.status_code == 303
        new = Place("facilitator", response.headers["Location"])
        reader.remember(new, like=copy)
        found += [
            (p.url, item) for p in (new, *places[1:]) for item in reader.problems(p)
        ]
        copies += 1

    assert found == []
    assert copies >= 10


def test_texts_of_an_administered_instrument_stay_inert_where_it_is_answered(
    app, as_persona, world
):
    from hcimv_lc.instruments.models import Administration

    places = [
        Place("participant", "/administrations/{administration}"),
        Place("participant", "/sprints/{sprint}/instruments"),
        Place("facilitator", "/administrations/{administration}/results"),
        Place("facilitator", "/sprints/{sprint}/instruments"),
    ]
    reader = Reader(as_persona, world)
    for place in places:
        reader.remember(place)

    def write(texts: list[str]) -> None:
        # Once administered, an instrument's form changes it no more (tests/test_xss.py
        # types into a draft one), so its answer and results pages are filled here.
        with app.app_context():
            instrument = db.session.get(
                Administration, world.ids["administration"]
            ).instrument
            instrument.title = texts[0][:160]
            for number, dimension in enumerate(instrument.dimensions):
                dimension.name = texts[number % len(texts)][:160]
                for item in dimension.items:
                    item.text = texts[(number + item.id) % len(texts)][:300]
            db.session.commit()

    found = []
    # The forms refuse control characters, and PostgreSQL a NUL: those stay out.
    for text in (p.text for p in PAYLOADS if not CONTROL.search(p.text)):
        write([text, text[::-1]])
        found += [(p.url, item) for p in places for item in reader.problems(p)]

    assert found == []


# JSON documents: a payload stays the same string, and no markup is left in the text.


# (persona, URL, whether the document holds text the payloads were typed into)
JSON_DOCUMENTS = [
    ("participant", "/account/data.json", True),
    ("participant", "/passport.json", True),
    ("anonymous", "/badges/{credential}/credential.json", True),
    ("anonymous", "/badges/{credential}/verify.json", False),
    ("anonymous", "/badges/revocations.json", False),
    ("anonymous", "/badges/keys.json", False),
]


def strings_in(document) -> set[str]:
    if isinstance(document, dict):
        return set(document).union(*map(strings_in, document.values()))
    if isinstance(document, list):
        return set().union(*map(strings_in, document))
    return {document} if isinstance(document, str) else set()


def type_payloads(app, world) -> set[str]:
    """Put payloads in the participant's name, entries and organisations' names."""
    from hcimv_lc.accounts.models import User
    from hcimv_lc.communities.models import Community
    from hcimv_lc.logbook.models import LogEntry

    texts = iter(p.text for p in PAYLOADS if not CONTROL.search(p.text))
    typed = set()
    with app.app_context():
        participant = db.session.get(User, world.person("participant").id)
        entries = db.session.query(LogEntry).filter_by(author_id=participant.id)
        communities = db.session.query(Community)
        for row, attribute, limit in [
            (participant, "name", 120),
            *((entry, "what", 200) for entry in entries),
            *((community, "name", 120) for community in communities),
            *(
                (community.organisation, "name", 120)
                for community in communities
                if community.organisation
            ),
        ]:
            setattr(row, attribute, next(texts)[:limit])
            typed.add(getattr(row, attribute))
        db.session.commit()
    return typed


@pytest.mark.parametrize(("persona", "url", "holds_text"), JSON_DOCUMENTS)
def test_json_documents_keep_payloads_as_strings_without_markup(
    app, as_persona, world, persona, url, holds_text
):
    typed = type_payloads(app, world)
    holder = as_persona("participant")
    # A badge issued now signs the entries and the issuer's name as they read now.
    revoked = holder.post(filled(world, "/badges/{credential}/revoke"))
    issued = holder.post(filled(world, "/claims/{validated_claim}/badge"))
    assert (revoked.status_code, issued.status_code) == (303, 303)
    badge = issued.headers["Location"].rsplit("/", 1)[1]

    response = as_persona(persona).get(
        filled(world, url).replace(world.ids["credential"], badge)
    )

    assert response.status_code == 200
    assert response.mimetype.endswith("json")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.get_data(as_text=True)
    assert "<" not in body and ">" not in body
    if holds_text:
        assert strings_in(json.loads(body)) & typed
