"""Company visits, and the regional view of the skills SMEs need."""

import csv
import io
import itertools
from collections import defaultdict
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from hcimv_lc.accounts.models import User
from hcimv_lc.communities.models import Community
from hcimv_lc.extensions import db
from hcimv_lc.organisations.models import Organisation
from hcimv_lc.regional import service
from hcimv_lc.regional.models import CompanyVisit, company_visit_skill
from hcimv_lc.seed import DEMO_PASSWORD
from hcimv_lc.skills.models import Skill, SkillClaim
from tests.conftest import login

TODAY = date.today()
SLUGS = itertools.count()


class Tables(HTMLParser):
    """Collect the tables of a page as {caption: rows of cell texts}."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.caption = None
        self.rows = None
        self.cell = None
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.caption, self.rows = "", []
        elif tag == "caption":
            self.in_caption = True
        elif tag == "tr" and self.rows is not None:
            self.rows.append([])
        elif tag in ("td", "th") and self.rows is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self.in_caption = False
        elif tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "table":
            self.tables[self.caption.strip()] = self.rows
            self.rows = None

    def handle_data(self, data):
        if self.in_caption:
            self.caption += data
        elif self.cell is not None:
            self.cell += data


def tables_of(response) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(response.get_data(as_text=True))
    return parser.tables


def csv_of(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    # A byte order mark first, so that Excel reads the accents as UTF-8.
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def count_visits(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CompanyVisit))


@pytest.fixture
def make_skills(app):
    """Return a factory of skills, named as given; returns their ids by name."""

    def make(*names: str) -> dict[str, int]:
        with app.app_context():
            skills = [
                Skill(slug=f"test-skill-{next(SLUGS)}", name_nl=name, name_en=name)
                for name in names
            ]
            db.session.add_all(skills)
            db.session.commit()
            return {skill.name_nl: skill.id for skill in skills}

    return make


@pytest.fixture
def make_company(app):
    """Return a factory of SME organisations in a region of the world."""

    def make(name: str, region_id: int) -> int:
        with app.app_context():
            organisation = Organisation(
                slug=name.lower().replace(" ", "-"),
                name=name,
                kind="sme",
                region_id=region_id,
            )
            db.session.add(organisation)
            db.session.commit()
            return organisation.id

    return make


def intake(**fields) -> dict:
    data = {
        "company_name": "Bakkerij Jansen",
        "sector": "agrifood",
        "company_size": "micro",
        "visited_on": TODAY.isoformat(),
        "open_vacancies": "1",
    }
    data.update(fields)
    return data


# The intake


def test_member_records_a_visit_with_skills_needed_now_and_later(
    app, as_persona, world, make_skills, make_company
):
    skills = make_skills("Lassen", "Tekening lezen", "Robots programmeren")
    company = make_company("Metaal Veendam", world.region_ids["groningen"])
    client = as_persona("participant")

    response = client.post(
        "/regional/visits/new",
        data=intake(
            company_name="",
            organisation=str(company),
            sector="metaal",
            company_size="small",
            skills_now=[str(skills["Lassen"]), str(skills["Tekening lezen"])],
            skills_later=[str(skills["Robots programmeren"])],
            time_to_learn="2",
            learns_from_mistakes="4",
            shares_knowledge="3",
            open_vacancies="3",
            vacancy_note="Twee lassers",
        ),
    )

    assert response.status_code == 303
    confirmation = client.get(response.headers["Location"])
    page = confirmation.get_data(as_text=True)
    assert "Het bezoek aan Metaal Veendam is vastgelegd." in page
    assert "Nog een bezoek vastleggen" in page
    assert "Lassen, Tekening lezen" in page
    with app.app_context():
        visit = db.session.scalars(
            select(CompanyVisit).order_by(CompanyVisit.id.desc())
        ).first()
        rows = db.session.execute(
            select(company_visit_skill.c.skill_id, company_visit_skill.c.horizon).where(
                company_visit_skill.c.visit_id == visit.id
            )
        ).all()
        assert visit.organisation_id == company
        assert visit.company_name == "Metaal Veendam"
        # The region follows the company, not the visitor's community in Twente.
        assert visit.region_id == world.region_ids["groningen"]
        assert visit.recorded_by_id == world.person("participant").id
        assert (visit.time_to_learn, visit.learns_from_mistakes) == (2, 4)
        assert (visit.open_vacancies, visit.vacancy_note) == (3, "Twee lassers")
    assert sorted(rows) == sorted(
        [
            (skills["Lassen"], "now"),
            (skills["Tekening lezen"], "now"),
            (skills["Robots programmeren"], "two_years"),
        ]
    )


def test_typed_company_takes_the_region_of_the_first_community_and_today(
    app, as_persona, world
):
    client = as_persona("participant")

    response = client.post(
        "/regional/visits/new", data=intake(visited_on="", open_vacancies="")
    )

    assert response.status_code == 303
    with app.app_context():
        visit = db.session.scalars(
            select(CompanyVisit).where(CompanyVisit.company_name == "Bakkerij Jansen")
        ).one()
        assert visit.region_id == world.region_ids["twente"]
        assert visit.visited_on == TODAY
        assert visit.organisation_id is None
        assert visit.open_vacancies == 0


def test_intake_offers_companies_and_defaults_to_today(as_persona, world, make_company):
    make_company("Nijhof Klimaattechniek", world.region_ids["twente"])

    page = as_persona("participant").get("/regional/visits/new").get_data(as_text=True)

    assert "Nijhof Klimaattechniek" in page
    # Universities are not the companies visited.
    assert ">Saxion<" not in page
    assert f'value="{TODAY.isoformat()}"' in page
    assert "Regio van het bedrijf, anders Twente" in page


def test_administrator_without_community_chooses_the_region(app, as_persona, world):
    client = as_persona("admin")

    refused = client.post("/regional/visits/new", data=intake())
    chosen = client.post(
        "/regional/visits/new",
        data=intake(region=str(world.region_ids["groningen"])),
    )

    assert refused.status_code == 200
    assert "Kies de regio van het bedrijf." in refused.get_data(as_text=True)
    assert chosen.status_code == 303
    assert count_visits(app) == 2


@pytest.mark.parametrize(
    ("fields", "field", "message", "kept"),
    [
        (
            {"company_name": "Bakkerij\x00Jansen"},
            "company_name",
            "tekens die niet zijn toegestaan",
            "Bakkerij",
        ),
        ({"open_vacancies": "-1"}, "open_vacancies", "tussen 0 en 999", 'value="-1"'),
        (
            {"open_vacancies": "9" * 5000},
            "open_vacancies",
            "",
            "99999",
        ),
        (
            {"visited_on": "1800-01-01"},
            "visited_on",
            "Kies een datum tussen 2000 en 2100.",
            'value="1800-01-01"',
        ),
        ({"visited_on": "gisteren"}, "visited_on", "", 'value="gisteren"'),
        (
            {"visited_on": (TODAY + timedelta(days=30)).isoformat()},
            "visited_on",
            "Een bezoek ligt niet in de toekomst.",
            "",
        ),
        ({"company_name": ""}, "company_name", "Kies een bedrijf uit de lijst", ""),
        ({"sector": "bakkerij"}, "sector", "", 'checked id="company_size-0"'),
        ({"sector": ""}, "sector", "Kies een sector.", ""),
        ({"organisation": "abc"}, "organisation", "", "Bakkerij Jansen"),
        ({"time_to_learn": "7"}, "time_to_learn", "", "Bakkerij Jansen"),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_saved(
    app, as_persona, world, fields, field, message, kept
):
    client = as_persona("participant")

    response = client.post("/regional/visits/new", data=intake(**fields))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="field-error"' in page
    assert message in page
    if field not in ("sector", "time_to_learn"):
        assert f'id="{field}-error"' in page
    assert kept in page
    assert count_visits(app) == 1


def test_eleven_skills_are_refused_and_the_choice_is_kept(
    app, as_persona, world, make_skills
):
    skills = make_skills(*(f"Vaardigheid {number}" for number in range(11)))
    client = as_persona("participant")

    response = client.post(
        "/regional/visits/new",
        data=intake(skills_now=[str(skill_id) for skill_id in skills.values()]),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kies hoogstens 10 vaardigheden." in page
    assert page.count('checked id="skills_now-') == 11
    assert "<details open>" in page
    assert count_visits(app) == 1


def test_a_company_from_the_list_and_a_typed_name_are_refused_together(
    app, as_persona, world, make_company
):
    company = make_company("Nijhof Klimaattechniek", world.region_ids["twente"])

    response = as_persona("facilitator").post(
        "/regional/visits/new", data=intake(organisation=str(company))
    )

    assert response.status_code == 200
    assert "niet allebei" in response.get_data(as_text=True)
    assert count_visits(app) == 1


def test_repeated_fields_do_not_break_the_intake(app, as_persona, world, make_skills):
    from werkzeug.datastructures import MultiDict

    skill = make_skills("Lassen")["Lassen"]
    data = MultiDict(intake())
    data.setlist("skills_now", [str(skill), str(skill), "x"])
    data.setlist("sector", ["bouw", "=1+1"])

    response = as_persona("participant").post("/regional/visits/new", data=data)

    assert response.status_code == 200
    assert count_visits(app) == 1


def test_recorder_sees_only_their_own_visits_page_by_page(app, as_persona, world):
    with app.app_context():
        for number in range(service.PER_PAGE + 1):
            db.session.add(
                CompanyVisit(
                    recorded_by_id=world.person("researcher").id,
                    company_name=f"Bedrijf {number:02d}",
                    sector="bouw",
                    company_size="small",
                    region_id=world.region_ids["twente"],
                    visited_on=TODAY - timedelta(days=number),
                )
            )
        db.session.commit()
    client = as_persona("researcher")

    first = client.get("/regional/visits").get_data(as_text=True)
    second = client.get("/regional/visits?page=2").get_data(as_text=True)

    assert "Bedrijf 00" in first and "Bedrijf 20" not in first
    assert "Bedrijf 20" in second
    assert "Installatiebedrijf De Vries" not in first + second
    assert "21 bezoeken vastgelegd" in first


# The regional view

VISITS = [
    # (company, organisation?, region, sector, days ago, now, in two years)
    ("Van der Veen", True, "twente", "installatietechniek", 10, ["A", "B"], ["D"]),
    # The same company again, a quarter later: counted once per skill.
    ("Van der Veen", True, "twente", "installatietechniek", 100, ["A"], ["D"]),
    ("Hulshof", False, "twente", "bouw", 20, ["A", "C"], ["D", "E"]),
    ("hulshof", False, "twente", "bouw", 30, ["C"], []),
    ("Elektro Oost", False, "twente", "elektrotechniek", 200, ["B"], ["E"]),
    ("Zorggroep", False, "groningen", "zorg", 15, ["C", "B"], ["A"]),
    ("Metaal Noord", False, "groningen", "metaal", 400, ["C"], []),
]
SKILLS = ["A", "B", "C", "D", "E"]


@pytest.fixture
def visits(app, world, make_skills, make_company):
    """Record VISITS with skills A to E; validate A and C for people in Twente."""
    skills = make_skills(*(f"Skill {name}" for name in SKILLS))
    ids = {name: skills[f"Skill {name}"] for name in SKILLS}
    company = make_company("Van der Veen", world.region_ids["twente"])
    with app.app_context():
        recorder = db.session.get(User, world.person("facilitator").id)
        for name, listed, region, sector, days, now, later in VISITS:
            service.record_visit(
                recorder,
                organisation_id=company if listed else None,
                company_name="" if listed else name,
                sector=sector,
                company_size="small",
                region_id=world.region_ids[region],
                visited_on=TODAY - timedelta(days=days),
                skills_now=[ids[skill] for skill in now],
                skills_later=[ids[skill] for skill in later],
                time_to_learn=3,
                open_vacancies=2,
            )
        communities = {
            slug: db.session.scalar(select(Community.id).filter_by(slug=slug))
            for slug in (world.open, world.closed, world.other)
        }
        claims = [
            # The participant has A validated in both Twente communities: one person.
            ("participant", world.open, "A", "validated"),
            ("participant", world.closed, "A", "validated"),
            ("researcher", world.closed, "A", "validated"),
            ("researcher", world.closed, "C", "submitted"),
            ("other_researcher", world.other, "C", "validated"),
        ]
        for persona, slug, skill, status in claims:
            db.session.add(
                SkillClaim(
                    user_id=world.person(persona).id,
                    community_id=communities[slug],
                    skill_id=ids[skill],
                    level=3,
                    status=status,
                )
            )
        db.session.commit()
    return ids


def expected_needs(region: str, horizon: int, visits=VISITS) -> dict[str, int]:
    """Count, outside SQL, the companies of the region that named each skill."""
    companies = defaultdict(set)
    for name, _listed, in_region, _sector, _days, *skills in visits:
        if in_region == region:
            for skill in skills[horizon]:
                companies[f"Skill {skill}"].add(name.lower())
    return {skill: len(names) for skill, names in companies.items()}


def as_numbers(rows) -> dict[str, int]:
    return {row[0]: int(row[1]) for row in rows[1:]}


def test_regional_view_counts_companies_per_region_now_and_later(
    as_persona, world, visits
):
    # The world's own visit in Twente needs the heat pump now.
    twente_now = expected_needs("twente", 0) | {"Warmtepomp inregelen": 1}

    tables = tables_of(as_persona("researcher").get("/regional"))

    assert as_numbers(tables["Nu nodig in Twente"]) == twente_now
    assert as_numbers(tables["Over twee jaar nodig in Twente"]) == expected_needs(
        "twente", 1
    )
    assert as_numbers(tables["Nu nodig in Groningen"]) == expected_needs("groningen", 0)
    assert twente_now["Skill A"] == 2 and twente_now["Skill C"] == 1
    # Most needed first.
    assert tables["Nu nodig in Twente"][1][0] in ("Skill A", "Skill B")


def test_gap_sets_needs_beside_people_validated_in_the_region(
    as_persona, world, visits
):
    tables = tables_of(as_persona("facilitator").get("/regional"))

    twente = {row[0]: row[1:] for row in tables["Vraag en aanbod in Twente"][1:]}
    groningen = {row[0]: row[1:] for row in tables["Vraag en aanbod in Groningen"][1:]}
    # A: 2 companies, 2 people (the participant counts once); C is only submitted.
    assert twente["Skill A"] == ["2", "2", "0"]
    assert twente["Skill C"] == ["1", "0", "1"]
    assert twente["Skill B"] == ["2", "0", "2"]
    assert groningen["Skill C"] == ["2", "1", "1"]


def test_filters_narrow_the_visits_by_region_sector_and_period(
    as_persona, world, visits
):
    client = as_persona("researcher")
    twente = world.region_ids["twente"]
    end = TODAY - timedelta(days=90)
    before = (end.replace(day=1) + timedelta(days=32)).replace(day=1)
    early = [visit for visit in VISITS if TODAY - timedelta(days=visit[4]) < before]

    by_sector = tables_of(client.get(f"/regional?region={twente}&sector=bouw"))
    by_period = tables_of(
        client.get(f"/regional?region={twente}&end={end.strftime('%Y-%m')}")
    )

    assert "Nu nodig in Groningen" not in by_sector
    assert as_numbers(by_sector["Nu nodig in Twente"]) == {"Skill A": 1, "Skill C": 1}
    assert as_numbers(by_period["Nu nodig in Twente"]) == expected_needs(
        "twente", 0, early
    )
    assert as_numbers(by_period["Nu nodig in Twente"])["Skill A"] == 1


def test_sector_table_lists_the_needs_of_each_sector(as_persona, world, visits):
    rows = tables_of(as_persona("researcher").get("/regional"))["Nu nodig per sector"]

    by_sector = defaultdict(dict)
    sector = None
    for row in rows[1:]:
        if len(row) == 3:
            sector = row.pop(0)
        by_sector[sector][row[0]] = int(row[1])
    assert by_sector["Bouw"] == {"Skill C": 1, "Skill A": 1}
    assert by_sector["Zorg"] == {"Skill B": 1, "Skill C": 1}
    assert by_sector["Installatietechniek"]["Skill A"] == 1


def test_trend_counts_companies_per_quarter(as_persona, world, visits):
    rows = tables_of(as_persona("researcher").get("/regional"))[
        "Bedrijven per kwartaal die de meest gevraagde vaardigheden nu nodig hebben"
    ]

    headers, *quarters = rows
    column = headers.index("Skill C")
    expected = defaultdict(set)
    for name, _listed, _region, _sector, days, now, _later in VISITS:
        if "C" in now:
            day = TODAY - timedelta(days=days)
            expected[f"{day.year} K{(day.month + 2) // 3}"].add(name.lower())
    shown = {row[0]: int(row[column]) for row in quarters if int(row[column])}
    assert shown == {quarter: len(names) for quarter, names in expected.items()}
    # Quarters without visits in between are shown with zeros.
    assert len(quarters) >= 5


def test_regions_side_by_side_have_a_column_each(as_persona, world, visits):
    rows = tables_of(as_persona("researcher").get("/regional"))[
        "Nu nodig, per regio vergeleken"
    ]

    headers, *skills = rows
    assert headers == ["Vaardigheid", "Groningen", "Twente", "Alle regio's"]
    row = next(row for row in skills if row[0] == "Skill C")
    assert row[1:] == ["2", "1", "3"]


def test_csv_download_holds_the_numbers_of_the_page(as_persona, world, visits):
    client = as_persona("researcher")
    twente = world.region_ids["twente"]
    tables = tables_of(client.get("/regional"))

    now = client.get(f"/regional.csv?table=now&region={twente}")
    gap = client.get(f"/regional.csv?table=gap&region={twente}")
    regions = client.get("/regional.csv?table=regions")
    overview = client.get("/regional.csv?table=overview")

    assert now.mimetype == "text/csv"
    assert "attachment" in now.headers["Content-Disposition"]
    assert csv_of(now) == tables["Nu nodig in Twente"]
    assert csv_of(gap) == tables["Vraag en aanbod in Twente"]
    assert csv_of(regions) == tables["Nu nodig, per regio vergeleken"]
    page_overview = tables["Bezoeken per regio"]
    assert [row[:4] for row in csv_of(overview)] == [row[:4] for row in page_overview]


def test_csv_download_neutralises_cells_that_start_a_formula(
    app, as_persona, world, make_skills
):
    skills = make_skills("=HYPERLINK(1)", "+31 bellen", "-rm", "@SUM(A1)")
    with app.app_context():
        service.record_visit(
            db.session.get(User, world.person("participant").id),
            organisation_id=None,
            company_name="Gevaarlijk BV",
            sector="ict",
            company_size="micro",
            region_id=world.region_ids["twente"],
            visited_on=TODAY,
            skills_now=list(skills.values()),
            skills_later=[],
        )
        db.session.commit()

    response = as_persona("researcher").get(
        f"/regional.csv?table=now&region={world.region_ids['twente']}"
    )

    cells = {row[0] for row in csv_of(response)}
    assert {"'=HYPERLINK(1)", "'+31 bellen", "'-rm", "'@SUM(A1)"} <= cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_unknown_table_or_region_without_needs_is_not_found(as_persona, world):
    client = as_persona("researcher")
    groningen = world.region_ids["groningen"]

    assert client.get("/regional.csv?table=nonsense").status_code == 404
    assert client.get(f"/regional.csv?table=now&region={groningen}").status_code == 404


def test_bad_filters_are_shown_and_ignored(as_persona, world):
    client = as_persona("researcher")

    response = client.get("/regional?region=abc&start=1800-01&end=nonsense&sector=x")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kies een datum tussen 2000 en 2100." in page
    assert "Nu nodig in Twente" in page


def test_participant_may_not_see_the_regional_view_and_anonymous_logs_in(
    app, as_persona, world
):
    participant = as_persona("participant")
    anonymous = app.test_client()

    assert participant.get("/regional").status_code == 403
    assert participant.get("/regional.csv?table=overview").status_code == 403
    assert anonymous.get("/regional").status_code == 302
    assert "/login" in anonymous.get("/regional").headers["Location"]


def test_empty_region_view_says_what_to_do(as_persona, world):
    response = as_persona("researcher").get(
        f"/regional?region={world.region_ids['groningen']}"
    )

    assert "Nog geen bedrijfsbezoeken in deze selectie" in response.get_data(
        as_text=True
    )


# Sprint planning


def test_sprint_planning_shows_the_top_needs_of_the_region(
    app, as_persona, world, visits
):
    with app.app_context():
        old = db.session.scalars(
            select(CompanyVisit).where(CompanyVisit.company_name == "Elektro Oost")
        ).one()
        old.visited_on = TODAY - timedelta(days=3 * 365)
        db.session.commit()
    client = as_persona("facilitator")

    page = client.get(f"/communities/{world.closed}/sprints/new").get_data(as_text=True)
    edit = client.get(f"/sprints/{world.ids['sprint']}/edit").get_data(as_text=True)

    assert "Wat bedrijven in Twente nodig hebben" in page
    section = page.split("Wat bedrijven in Twente nodig hebben")[1]
    assert 'Skill A <small class="meta">2 bedrijven</small>' in section
    # Elektro Oost's visit is three years old: B counts only Van der Veen.
    assert 'Skill B <small class="meta">1 bedrijf</small>' in section
    assert "Skill E" not in section
    assert "Wat bedrijven in Twente nodig hebben" in edit


def test_top_needs_are_ranked_and_limited(app, world, visits):
    with app.app_context():
        needs = service.top_needs(world.region_ids["twente"], limit=2)

    assert needs == [("Skill A", 2), ("Skill B", 2)]


# The demo


def test_seed_adds_demo_visits_once_and_fills_the_regional_view(app, client):
    runner = app.test_cli_runner()

    runner.invoke(args=["seed", "--demo-accounts"])
    first = count_visits(app)
    runner.invoke(args=["seed", "--demo-accounts"])
    login(client, "researcher@example.org", DEMO_PASSWORD)
    tables = tables_of(client.get("/regional"))

    assert first >= 10
    assert count_visits(app) == first
    regions = tables["Nu nodig, per regio vergeleken"][0][1:-1]
    assert {"Twente", "Groningen", "Achterhoek"} <= set(regions)
    assert "Warmtepomp inregelen" in dict(tables["Nu nodig in Twente"][1:])
