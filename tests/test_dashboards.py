"""Dashboards: their numbers, recomputed here from the rows of the demo data."""

import csv
import io
from collections import defaultdict

import pytest
from sqlalchemy import select

from hcimv_lc import seed as demo
from hcimv_lc.communities.models import Community
from hcimv_lc.extensions import db
from hcimv_lc.logbook.models import LogEntry
from hcimv_lc.organisations.models import Region
from hcimv_lc.skills.models import SkillClaim
from hcimv_lc.sprints.models import Sprint
from tests.conftest import login


@pytest.fixture
def demo_data(app):
    with app.app_context():
        demo.load(demo_accounts=True)
        sprint = db.session.scalar(select(Sprint).where(Sprint.status == "active"))
        return sprint.id, sprint.community.slug


def signed_in(app, email):
    client = app.test_client()
    login(client, email, demo.DEMO_PASSWORD)
    return client


def csv_rows(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    )


def test_sprint_dashboard_numbers_match_the_log_entries(app, demo_data):
    sprint_id, _slug = demo_data
    client = signed_in(app, "facilitator@example.org")
    with app.app_context():
        sprint = db.session.get(Sprint, sprint_id)
        weeks = defaultdict(
            lambda: {"people": set(), "reflected": set(), "minutes": defaultdict(int)}
        )
        for entry in db.session.scalars(
            select(LogEntry).where(LogEntry.sprint_id == sprint_id)
        ):
            week = sprint.week_of(entry.date)
            if week is None:
                continue
            weeks[week]["people"].add(entry.author_id)
            if entry.reflection.strip():
                weeks[week]["reflected"].add(entry.author_id)
            weeks[week]["minutes"][entry.kind] += entry.minutes
        number_of_weeks = sprint.weeks
    assert weeks, "the demo sprint has entries"

    active = csv_rows(client.get(f"/sprints/{sprint_id}/dashboard?table=active"))
    minutes = csv_rows(client.get(f"/sprints/{sprint_id}/dashboard?table=minutes"))

    assert len(active) == number_of_weeks + 1
    for row in active[1:]:
        expected = weeks.get(int(row[0]), {"people": set(), "reflected": set()})
        assert int(row[2]) == len(expected["people"])
        assert int(row[3]) == len(expected["reflected"])
    for row in minutes[1:]:
        expected = weeks.get(int(row[0]), {"minutes": {}})["minutes"]
        assert [int(value) for value in row[1:]] == [
            expected.get(kind, 0) for kind in ("formal", "non_formal", "informal")
        ]


def test_sprint_dashboard_shows_every_chart_with_its_table(app, demo_data):
    sprint_id, _slug = demo_data
    page = signed_in(app, "facilitator@example.org").get(
        f"/sprints/{sprint_id}/dashboard"
    )

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for caption in (
        "Actieve deelnemers per week",
        "Minuten per week naar soort leren",
        "Uitdagingen naar status",
        "Gevalideerde vaardigheden",
    ):
        assert caption in text
    assert text.count("<canvas") == text.count("<table>")
    assert "Download deze cijfers als CSV" in text


def test_community_dashboard_counts_validated_skills(app, demo_data):
    _sprint_id, slug = demo_data
    with app.app_context():
        community_id = db.session.scalar(
            select(Community.id).where(Community.slug == slug)
        )
        validated = len(
            db.session.scalars(
                select(SkillClaim).where(
                    SkillClaim.community_id == community_id,
                    SkillClaim.status == "validated",
                )
            ).all()
        )

    rows = csv_rows(
        signed_in(app, "researcher@example.org").get(
            f"/communities/{slug}/dashboard?table=skills"
        )
    )

    assert sum(int(row[1]) for row in rows[1:]) == validated > 0


def test_region_dashboard_puts_regions_side_by_side(app, demo_data):
    with app.app_context():
        people = defaultdict(set)
        for region, author in db.session.execute(
            select(Region.name, LogEntry.author_id)
            .join(Community, Community.region_id == Region.id)
            .join(LogEntry, LogEntry.community_id == Community.id)
        ):
            people[region].add(author)

    rows = csv_rows(
        signed_in(app, "admin@example.org").get("/dashboards/regions?table=regions")
    )

    shown = {row[0]: int(row[2]) for row in rows[1:]}
    assert {name: len(ids) for name, ids in people.items()} == {
        name: count for name, count in shown.items() if count
    }


def test_dashboard_csv_neutralises_formulas(app, demo_data):
    from hcimv_lc.spreadsheets import csv_text

    text = csv_text(["naam"], [["=HYPERLINK(1)"], ["+31"], ["@SUM"], ["gewoon"]])

    assert text.splitlines()[1:] == ["'=HYPERLINK(1)", "'+31", "'@SUM", "gewoon"]


def test_participants_do_not_see_dashboards(app, demo_data):
    sprint_id, slug = demo_data
    client = signed_in(app, "participant@example.org")

    assert client.get(f"/sprints/{sprint_id}/dashboard").status_code == 403
    assert client.get(f"/communities/{slug}/dashboard").status_code == 403
    assert client.get("/dashboards/regions").status_code == 403


def test_unknown_table_and_reversed_period_are_handled(app, demo_data):
    _sprint_id, slug = demo_data
    client = signed_in(app, "researcher@example.org")

    missing = client.get(f"/communities/{slug}/dashboard?table=nonsense")
    reversed_period = client.get(
        f"/communities/{slug}/dashboard?start=2026-05-01&end=2026-01-01"
    )

    assert missing.status_code == 404
    assert reversed_period.status_code == 400
    assert "Kies een einddatum na de begindatum" in reversed_period.get_data(
        as_text=True
    )


def test_region_dashboard_lists_communities_with_their_own_numbers(app, demo_data):
    with app.app_context():
        people = defaultdict(set)
        minutes = defaultdict(int)
        for name, author, spent in db.session.execute(
            select(Community.name, LogEntry.author_id, LogEntry.minutes).join(
                LogEntry, LogEntry.community_id == Community.id
            )
        ):
            people[name].add(author)
            minutes[name] += spent

    rows = csv_rows(
        signed_in(app, "admin@example.org").get("/dashboards/regions?table=communities")
    )

    shown = {row[0]: (int(row[2]), sum(int(v) for v in row[4:7])) for row in rows[1:]}
    for name, ids in people.items():
        assert shown[name] == (len(ids), minutes[name])


def test_a_researcher_sees_other_communities_only_as_large_enough_regions(
    app, demo_data
):
    from hcimv_lc.accounts.models import User
    from hcimv_lc.communities.models import Membership
    from hcimv_lc.dashboards.service import SMALLEST_GROUP

    with app.app_context():
        studied = set(
            db.session.scalars(
                select(Community.name)
                .join(Membership, Membership.community_id == Community.id)
                .join(User, User.id == Membership.user_id)
                .where(
                    User.email == "researcher@example.org",
                    Membership.role.in_(["researcher", "facilitator"]),
                )
            )
        )
    client = signed_in(app, "researcher@example.org")

    communities = csv_rows(client.get("/dashboards/regions?table=communities"))
    regions = csv_rows(client.get("/dashboards/regions?table=regions"))

    assert studied
    assert {row[0] for row in communities[1:]} == studied
    for row in regions[1:]:
        assert row[2] == "" or int(row[2]) >= SMALLEST_GROUP


@pytest.mark.parametrize("theme", ["", "companies", "skills"])
def test_region_totals_equal_the_sum_of_every_week(app, demo_data, theme):
    client = signed_in(app, "admin@example.org")
    whole_period = f"&theme={theme}&start=2000-01-01&end=2100-12-31"

    for table in ("regions", "communities"):
        kept = csv_rows(client.get(f"/dashboards/regions?table={table}&theme={theme}"))
        summed = csv_rows(
            client.get(f"/dashboards/regions?table={table}{whole_period}")
        )

        assert kept == summed
        assert any(row[2] not in ("", "0") for row in kept[1:]) or theme


def test_community_dashboard_numbers_match_the_log_entries_and_challenges(
    app, demo_data
):
    from hcimv_lc.challenges.models import Challenge

    _sprint_id, slug = demo_data
    with app.app_context():
        community_id = db.session.scalar(
            select(Community.id).where(Community.slug == slug)
        )
        expected = {}
        for sprint in db.session.scalars(
            select(Sprint).where(
                Sprint.community_id == community_id, Sprint.status != "draft"
            )
        ):
            entries = db.session.scalars(
                select(LogEntry).where(LogEntry.sprint_id == sprint.id)
            ).all()
            challenges = db.session.scalars(
                select(Challenge).where(Challenge.sprint_id == sprint.id)
            ).all()
            expected[sprint.title] = [
                len({entry.author_id for entry in entries}),
                sum(entry.minutes for entry in entries),
                sum(challenge.status == "done" for challenge in challenges),
                len(challenges),
            ]

    rows = csv_rows(
        signed_in(app, "researcher@example.org").get(
            f"/communities/{slug}/dashboard?table=sprints"
        )
    )

    shown = {
        row[0]: [int(row[1]), sum(int(v) for v in row[3:6]), int(row[6]), int(row[7])]
        for row in rows[1:]
    }
    assert shown == expected
    assert any(numbers[0] for numbers in shown.values())
