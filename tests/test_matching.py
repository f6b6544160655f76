"""Findable people for a challenge, fitting challenges for a person, ESCO import."""

import io

from sqlalchemy import select

from hcimv_lc.accounts.models import User
from hcimv_lc.challenges.models import Challenge
from hcimv_lc.communities.models import Community
from hcimv_lc.extensions import db
from hcimv_lc.skills.models import Skill, SkillClaim


def skill_ids(app, *slugs):
    with app.app_context():
        found = dict(db.session.execute(select(Skill.slug, Skill.id)).all())
    return [str(found[slug]) for slug in slugs]


def needs(app, challenge_id, *slugs):
    with app.app_context():
        challenge = db.session.get(Challenge, challenge_id)
        challenge.needed_skills = list(
            db.session.scalars(select(Skill).where(Skill.slug.in_(slugs)))
        )
        db.session.commit()


def validated(app, person, community_slug, slug):
    with app.app_context():
        community = db.session.scalar(
            select(Community).where(Community.slug == community_slug)
        )
        skill = db.session.scalar(select(Skill).where(Skill.slug == slug))
        db.session.add(
            SkillClaim(
                user_id=person.id,
                community_id=community.id,
                skill_id=skill.id,
                level=3,
                status="validated",
            )
        )
        db.session.commit()


def findable(app, person, value=True):
    with app.app_context():
        db.session.get(User, person.id).findable = value
        db.session.commit()


def test_facilitator_names_the_skills_a_challenge_needs(app, as_persona, world):
    client = as_persona("facilitator")
    path = f"/challenges/{world.ids['backlog']}/edit"

    response = client.post(
        path,
        data={
            "title": "Warmtepompen in de Vinex-wijk",
            "organisation": "0",
            "needed_skills": skill_ids(app, "warmtepomp-inregelen", "veilig-werken"),
        },
    )

    assert response.status_code == 303
    page = client.get(f"/challenges/{world.ids['backlog']}").get_data(as_text=True)
    assert "Gevraagde vaardigheden" in page and "Veilig werken op hoogte" in page


def test_findable_people_of_the_region_are_suggested_with_the_reason(
    app, as_persona, world, make_user
):
    needs(app, world.ids["backlog"], "warmtepomp-inregelen", "veilig-werken")
    # The participant has `veilig-werken` validated in the world; make them findable.
    findable(app, world.person("participant"))
    hidden = make_user("verborgen@example.org", "Hanna Verborgen")
    far = make_user("ver@example.org", "Gerrit Ver")
    with app.app_context():
        from hcimv_lc.communities.models import Membership

        for person, slug in ((hidden, world.open), (far, world.other)):
            community_id = db.session.scalar(
                select(Community.id).where(Community.slug == slug)
            )
            db.session.add(
                Membership(
                    user_id=person.id, community_id=community_id, role="participant"
                )
            )
        db.session.commit()
    validated(app, hidden, world.open, "veilig-werken")
    validated(app, far, world.other, "veilig-werken")
    findable(app, far)

    page = (
        as_persona("facilitator")
        .get(f"/challenges/{world.ids['backlog']}/suggestions")
        .get_data(as_text=True)
    )

    assert "Piet Deelnemer" in page
    assert "1 van 2 vaardigheden gevalideerd" in page
    assert "Hanna Verborgen" not in page, "not findable"
    assert "Gerrit Ver" not in page, "another region"


def test_person_sees_open_challenges_of_their_region_that_fit(app, as_persona, world):
    needs(app, world.ids["backlog"], "veilig-werken")
    needs(app, world.ids["other_challenge"], "veilig-werken")
    client = as_persona("participant")

    page = client.get("/passport/matching").get_data(as_text=True)

    with app.app_context():
        backlog = db.session.get(Challenge, world.ids["backlog"]).title
        other = db.session.get(Challenge, world.ids["other_challenge"]).title
    assert backlog in page
    assert "je hebt 1 van 1 gevraagde vaardigheden" in page
    assert other not in page


def test_learning_goals_make_a_challenge_fit_and_findability_is_kept(
    app, as_persona, world
):
    needs(app, world.ids["backlog"], "warmtepomp-inregelen")
    client = as_persona("participant")

    response = client.post(
        "/passport/matching",
        data={"findable": "y", "goals": skill_ids(app, "warmtepomp-inregelen")},
    )

    assert response.status_code == 303
    page = client.get("/passport/matching").get_data(as_text=True)
    assert "1 past bij wat je wilt leren" in page
    with app.app_context():
        assert db.session.get(User, world.person("participant").id).findable


ESCO_CSV = (
    "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,"
    "status,description\n"
    "KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/abc-123,"
    'skill/competence,sector-specific,Veilig werken op hoogte,"werken op hoogte",'
    "released,Veilig werken op steigers en daken.\n"
)


def test_administrator_imports_the_esco_csv_and_fills_the_uri(app, as_persona, world):
    client = as_persona("admin")

    response = client.post(
        "/skills/import",
        data={
            "file": (io.BytesIO(ESCO_CSV.encode("utf-8-sig")), "skills_nl.csv"),
            "language": "nl",
            "version": "1.2.0",
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 200
    assert "De ESCO-vaardigheden zijn ingelezen" in response.get_data(as_text=True)
    with app.app_context():
        skill = db.session.scalar(select(Skill).where(Skill.slug == "veilig-werken"))
        assert skill.esco_uri == "http://data.europa.eu/esco/skill/abc-123"
        assert skill.esco_version == "1.2.0"


def test_esco_import_of_a_file_that_is_not_csv_says_so_beside_the_field(
    app, as_persona, world
):
    response = as_persona("admin").post(
        "/skills/import",
        data={
            "file": (io.BytesIO(b"\xff\xfe\x00garbage"), "skills.csv"),
            "language": "nl",
            "version": "1.2.0",
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 200
    assert "field-error" in response.get_data(as_text=True)
