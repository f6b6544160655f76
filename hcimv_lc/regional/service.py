"""Company visits, and what they tell about the skills SMEs need per region.

Every number of the regional view comes from an aggregate statement, one per kind
of table: the visits are counted in the database, never loaded one by one. A skill
need counts once per company, however often the company was visited; a company is
its organisation on the platform, else its name as typed.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import (
    Integer,
    String,
    cast,
    distinct,
    extract,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import joinedload

from hcimv_lc import spreadsheets
from hcimv_lc.accounts.models import User
from hcimv_lc.communities.models import Community, Membership
from hcimv_lc.extensions import db
from hcimv_lc.forms import RuleError
from hcimv_lc.organisations.models import Organisation, OrganisationKind, Region
from hcimv_lc.regional.forms import SECTOR_LABELS
from hcimv_lc.regional.models import CompanyVisit, Horizon, company_visit_skill
from hcimv_lc.skills.models import ClaimStatus, Skill, SkillClaim

logger = logging.getLogger(__name__)

PER_PAGE = 20
TOP = 10
TOP_PER_SECTOR = 5
TOP_IN_TREND = 5
# What a sprint's planners see: needs of recent visits, not of long ago.
RECENT = timedelta(days=2 * 365)
COMPANY_KINDS = (OrganisationKind.SME, OrganisationKind.COMPANY)


class VisitError(RuleError):
    """A rule of company visits was broken."""


# The intake


def company_choices() -> list[tuple[int, str]]:
    """Return (id, name) of the SMEs and companies on the platform, by name."""
    query = (
        select(Organisation.id, Organisation.name)
        .where(Organisation.kind.in_(COMPANY_KINDS))
        .order_by(Organisation.name)
    )
    return [(org_id, name) for org_id, name in db.session.execute(query)]


def home_region(user: User) -> Region | None:
    """Return the region of the person's first community, if they have one."""
    query = (
        select(Region)
        .join(Community, Community.region_id == Region.id)
        .join(Membership, Membership.community_id == Community.id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.joined_at, Membership.id)
        .limit(1)
    )
    return db.session.scalar(query)


def organisation_named(name: str) -> Organisation | None:
    """Return the organisation with exactly this name, ignoring case."""
    query = select(Organisation).where(func.lower(Organisation.name) == name.lower())
    return db.session.scalars(query.limit(1)).first()


def record_visit(
    user: User,
    *,
    organisation_id: int | None,
    company_name: str,
    sector: str,
    company_size: str,
    region_id: int | None,
    visited_on: date | None,
    skills_now: list[int],
    skills_later: list[int],
    time_to_learn: int | None = None,
    learns_from_mistakes: int | None = None,
    shares_knowledge: int | None = None,
    open_vacancies: int = 0,
    vacancy_note: str = "",
) -> CompanyVisit:
    """Store a visit with the skills the company needs now and in two years.

    The region is the one chosen, else that of the company, else that of the
    person's first community.
    """
    organisation = (
        db.session.get(Organisation, organisation_id)
        if organisation_id
        else organisation_named(company_name)
    )
    if organisation is not None:
        company_name = organisation.name
    if not region_id:
        region = organisation.region if organisation else home_region(user)
        if region is None:
            raise VisitError(_("Kies de regio van het bedrijf."), field="region")
        region_id = region.id

    visit = CompanyVisit(
        recorded_by_id=user.id,
        organisation_id=organisation.id if organisation else None,
        company_name=company_name,
        sector=sector,
        company_size=company_size,
        region_id=region_id,
        visited_on=visited_on or date.today(),
        time_to_learn=time_to_learn,
        learns_from_mistakes=learns_from_mistakes,
        shares_knowledge=shares_knowledge,
        open_vacancies=open_vacancies or 0,
        vacancy_note=vacancy_note or "",
    )
    db.session.add(visit)
    db.session.flush()

    wanted = {Horizon.NOW: set(skills_now), Horizon.TWO_YEARS: set(skills_later)}
    named = wanted[Horizon.NOW] | wanted[Horizon.TWO_YEARS]
    known = set(db.session.scalars(select(Skill.id).where(Skill.id.in_(named))))
    rows = [
        {"visit_id": visit.id, "skill_id": skill_id, "horizon": horizon.value}
        for horizon, skill_ids in wanted.items()
        for skill_id in sorted(skill_ids & known)
    ]
    if rows:
        db.session.execute(insert(company_visit_skill), rows)
    logger.info(
        "Company visit %s recorded by %s in region %s", visit.id, user.id, region_id
    )
    return visit


def visit_by_id(visit_id: int) -> CompanyVisit | None:
    query = (
        select(CompanyVisit)
        .options(joinedload(CompanyVisit.region))
        .where(CompanyVisit.id == visit_id)
    )
    return db.session.scalar(query)


def skills_of_visit(visit: CompanyVisit, locale: str) -> dict[str, list[str]]:
    """Return the names of the skills the visit noted, per horizon."""
    name = skill_name(locale)
    query = (
        select(company_visit_skill.c.horizon, name)
        .join(Skill, Skill.id == company_visit_skill.c.skill_id)
        .where(company_visit_skill.c.visit_id == visit.id)
        .order_by(name)
    )
    found = {Horizon.NOW.value: [], Horizon.TWO_YEARS.value: []}
    for horizon, skill in db.session.execute(query):
        found.setdefault(horizon, []).append(skill)
    return found


def visits_of(user: User, page: int):
    """Return one page of the visits the person recorded, newest first."""
    query = (
        select(CompanyVisit)
        .options(joinedload(CompanyVisit.region))
        .where(CompanyVisit.recorded_by_id == user.id)
        .order_by(CompanyVisit.visited_on.desc(), CompanyVisit.id.desc())
    )
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def skill_counts(visit_ids: list[int]) -> dict[int, dict[str, int]]:
    """Return how many skills each visit noted, per horizon."""
    if not visit_ids:
        return {}

    query = (
        select(
            company_visit_skill.c.visit_id,
            company_visit_skill.c.horizon,
            func.count(),
        )
        .where(company_visit_skill.c.visit_id.in_(visit_ids))
        .group_by(company_visit_skill.c.visit_id, company_visit_skill.c.horizon)
    )
    counts: dict[int, dict[str, int]] = {}
    for visit_id, horizon, number in db.session.execute(query):
        counts.setdefault(visit_id, {})[horizon] = number
    return counts


# The numbers


@dataclass(frozen=True)
class Filters:
    """Which visits count: a region, a sector and a period of whole months."""

    region_id: int = 0
    sector: str = ""
    start: date | None = None
    end: date | None = None

    def conditions(self, with_region: bool = True) -> list:
        found = []
        if with_region and self.region_id:
            found.append(CompanyVisit.region_id == self.region_id)
        if self.sector:
            found.append(CompanyVisit.sector == self.sector)
        if self.start:
            found.append(CompanyVisit.visited_on >= self.start.replace(day=1))
        if self.end:
            found.append(CompanyVisit.visited_on < next_month(self.end))
        return found

    def query_args(self) -> dict:
        """Return the filters as the arguments of a URL."""
        args = {
            "region": self.region_id or None,
            "sector": self.sector or None,
            "start": self.start.strftime("%Y-%m") if self.start else None,
            "end": self.end.strftime("%Y-%m") if self.end else None,
        }
        return {key: value for key, value in args.items() if value is not None}


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def skill_name(locale: str):
    return Skill.name_en if locale == "en" else Skill.name_nl


def company_key():
    """Return the SQL that names a company: its organisation, else its name."""
    return func.coalesce(
        literal("o") + cast(CompanyVisit.organisation_id, String),
        literal("n") + func.lower(CompanyVisit.company_name),
    )


def needs(filters: Filters, with_region: bool = True):
    """Return a subquery of the skill needs of the visits that pass the filters."""
    query = (
        select(
            CompanyVisit.region_id,
            CompanyVisit.sector,
            CompanyVisit.visited_on,
            company_key().label("company"),
            company_visit_skill.c.skill_id,
            company_visit_skill.c.horizon,
        )
        .join(company_visit_skill, company_visit_skill.c.visit_id == CompanyVisit.id)
        .where(*filters.conditions(with_region))
    )
    return query.subquery("need")


def validated_people():
    """Return a subquery of the people with a validated skill, per region."""
    query = (
        select(
            Community.region_id,
            SkillClaim.skill_id,
            func.count(distinct(SkillClaim.user_id)).label("people"),
        )
        .join(Community, Community.id == SkillClaim.community_id)
        .where(SkillClaim.status == ClaimStatus.VALIDATED)
        .group_by(Community.region_id, SkillClaim.skill_id)
    )
    return query.subquery("validated")


@dataclass
class Table:
    """The numbers of one table: shown on the page and downloaded as CSV alike.

    The first cell of each row names the row. `region_id` tells the per-region
    tables apart, in the page and in the link to their CSV.
    """

    key: str
    caption: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    region_id: int = 0

    def csv_args(self, filters: Filters) -> dict:
        args = filters.query_args() | {"table": self.key}
        if self.region_id:
            args["region"] = self.region_id
        return args


@dataclass
class RegionNeeds:
    """The top needs of one region: now, in two years, and beside the supply."""

    region: str
    region_id: int
    now: Table
    later: Table
    gap: Table


def region_needs(filters: Filters, locale: str, limit: int = TOP) -> list[RegionNeeds]:
    """Return per region the skills most companies need now and in two years.

    Beside each need of now stands the number of people who have the skill
    validated in a community of that region, and the shortage between the two.
    """
    need = needs(filters)
    name = skill_name(locale)
    companies = func.count(distinct(need.c.company))
    ranked = (
        select(
            need.c.region_id,
            need.c.horizon,
            need.c.skill_id,
            name.label("skill"),
            companies.label("companies"),
            func.row_number()
            .over(
                partition_by=(need.c.region_id, need.c.horizon),
                order_by=(companies.desc(), name),
            )
            .label("rank"),
        )
        .join(Skill, Skill.id == need.c.skill_id)
        .group_by(need.c.region_id, need.c.horizon, need.c.skill_id, name)
        .subquery("ranked")
    )
    validated = validated_people()
    query = (
        select(
            ranked.c.region_id,
            Region.name,
            ranked.c.horizon,
            ranked.c.skill,
            ranked.c.companies,
            func.coalesce(validated.c.people, 0),
        )
        .join(Region, Region.id == ranked.c.region_id)
        .outerjoin(
            validated,
            (validated.c.region_id == ranked.c.region_id)
            & (validated.c.skill_id == ranked.c.skill_id),
        )
        .where(ranked.c.rank <= limit)
        .order_by(Region.name, ranked.c.horizon, ranked.c.rank)
    )

    found: dict[int, RegionNeeds] = {}
    for region_id, region, horizon, skill, number, people in db.session.execute(query):
        item = found.get(region_id) or new_region_needs(region_id, region)
        found[region_id] = item
        if horizon == Horizon.NOW:
            item.now.rows.append([skill, number])
            item.gap.rows.append([skill, number, people, max(number - people, 0)])
        else:
            item.later.rows.append([skill, number])
    return list(found.values())


def new_region_needs(region_id: int, region: str) -> RegionNeeds:
    skill, companies = _("Vaardigheid"), _("Bedrijven")
    return RegionNeeds(
        region,
        region_id,
        Table(
            "now",
            _("Nu nodig in %(region)s", region=region),
            [skill, companies],
            region_id=region_id,
        ),
        Table(
            "later",
            _("Over twee jaar nodig in %(region)s", region=region),
            [skill, companies],
            region_id=region_id,
        ),
        Table(
            "gap",
            _("Vraag en aanbod in %(region)s", region=region),
            [skill, companies, _("Gevalideerd"), _("Tekort")],
            region_id=region_id,
        ),
    )


def overview(filters: Filters) -> Table:
    """Return per region the visits, companies, vacancies and learning culture."""
    query = (
        select(
            Region.name,
            func.count(CompanyVisit.id),
            func.count(distinct(company_key())),
            func.sum(CompanyVisit.open_vacancies),
            func.avg(CompanyVisit.time_to_learn),
            func.avg(CompanyVisit.learns_from_mistakes),
            func.avg(CompanyVisit.shares_knowledge),
        )
        .join(Region, Region.id == CompanyVisit.region_id)
        .where(*filters.conditions())
        .group_by(Region.id, Region.name)
        .order_by(Region.name)
    )
    table = Table(
        "overview",
        _("Bezoeken per regio"),
        [
            _("Regio"),
            _("Bezoeken"),
            _("Bedrijven"),
            _("Open vacatures"),
            _("Tijd om te leren (1-5)"),
            _("Leren van fouten (1-5)"),
            _("Kennis delen (1-5)"),
        ],
    )
    for region, count, companies, vacancies, *averages in db.session.execute(query):
        table.rows.append(
            [region, count, companies, vacancies or 0, *map(one_decimal, averages)]
        )
    return table


def one_decimal(value) -> float | None:
    return None if value is None else round(float(value), 1)


def sector_needs(filters: Filters, locale: str, limit: int = TOP_PER_SECTOR) -> Table:
    """Return per sector the skills most companies need now."""
    need = needs(filters)
    name = skill_name(locale)
    companies = func.count(distinct(need.c.company))
    ranked = (
        select(
            need.c.sector,
            name.label("skill"),
            companies.label("companies"),
            func.row_number()
            .over(partition_by=need.c.sector, order_by=(companies.desc(), name))
            .label("rank"),
        )
        .join(Skill, Skill.id == need.c.skill_id)
        .where(need.c.horizon == Horizon.NOW)
        .group_by(need.c.sector, need.c.skill_id, name)
        .subquery("ranked")
    )
    query = (
        select(ranked.c.sector, ranked.c.skill, ranked.c.companies)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.sector, ranked.c.rank)
    )
    table = Table(
        "sectors",
        _("Nu nodig per sector"),
        [_("Sector"), _("Vaardigheid"), _("Bedrijven")],
    )
    for sector, skill, number in db.session.execute(query):
        label = SECTOR_LABELS.get(sector, sector)
        table.rows.append([str(label), skill, number])
    table.rows.sort(key=lambda row: row[0])
    return table


def quarters_between(first: tuple[int, int], last: tuple[int, int]):
    year, quarter = first
    while (year, quarter) <= last:
        yield year, quarter
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def trend(filters: Filters, locale: str, limit: int = TOP_IN_TREND) -> Table:
    """Return per quarter how many companies needed the top skills of now."""
    need = needs(filters)
    name = skill_name(locale)
    companies = func.count(distinct(need.c.company))
    top = (
        select(
            need.c.skill_id,
            name.label("skill"),
            func.row_number().over(order_by=(companies.desc(), name)).label("rank"),
        )
        .join(Skill, Skill.id == need.c.skill_id)
        .where(need.c.horizon == Horizon.NOW)
        .group_by(need.c.skill_id, name)
        .subquery("top")
    )
    # Grouped by columns of a subquery, so that both engines see one expression.
    month = cast(extract("month", need.c.visited_on), Integer)
    dated = (
        select(
            need.c.skill_id,
            need.c.company,
            cast(extract("year", need.c.visited_on), Integer).label("year"),
            ((month + 2) // 3).label("quarter"),
        )
        .where(need.c.horizon == Horizon.NOW)
        .subquery("dated")
    )
    query = (
        select(
            top.c.rank,
            top.c.skill,
            dated.c.year,
            dated.c.quarter,
            func.count(distinct(dated.c.company)),
        )
        .join(top, top.c.skill_id == dated.c.skill_id)
        .where(top.c.rank <= limit)
        .group_by(top.c.rank, top.c.skill, dated.c.year, dated.c.quarter)
    )
    counts: dict[tuple[int, int], dict[int, int]] = {}
    skills: dict[int, str] = {}
    for rank, skill, in_year, in_quarter, number in db.session.execute(query):
        skills[rank] = skill
        counts.setdefault((in_year, in_quarter), {})[rank] = number

    ranks = sorted(skills)
    table = Table(
        "trend",
        _("Bedrijven per kwartaal die de meest gevraagde vaardigheden nu nodig hebben"),
        [_("Kwartaal")] + [skills[rank] for rank in ranks],
    )
    if not counts:
        return table

    # Quarters without visits between the first and the last show as zeros.
    for year, quarter in quarters_between(min(counts), max(counts)):
        label = _("%(year)d K%(quarter)d", year=year, quarter=quarter)
        numbers = counts.get((year, quarter), {})
        table.rows.append([label] + [numbers.get(rank, 0) for rank in ranks])
    return table


def regions_side_by_side(filters: Filters, locale: str, limit: int = TOP) -> Table:
    """Return the skills most companies need now, with a column per region.

    The regions are compared, so the region filter does not apply here.
    """
    need = needs(filters, with_region=False)
    name = skill_name(locale)
    companies = func.count(distinct(need.c.company))
    top = (
        select(
            need.c.skill_id,
            name.label("skill"),
            companies.label("total"),
            func.row_number().over(order_by=(companies.desc(), name)).label("rank"),
        )
        .join(Skill, Skill.id == need.c.skill_id)
        .where(need.c.horizon == Horizon.NOW)
        .group_by(need.c.skill_id, name)
        .subquery("top")
    )
    query = (
        select(top.c.rank, top.c.skill, top.c.total, Region.name, companies)
        .join(top, top.c.skill_id == need.c.skill_id)
        .join(Region, Region.id == need.c.region_id)
        .where(need.c.horizon == Horizon.NOW, top.c.rank <= limit)
        .group_by(top.c.rank, top.c.skill, top.c.total, Region.name)
    )
    cells: dict[tuple[int, str], int] = {}
    skills: dict[int, tuple[str, int]] = {}
    regions = set()
    for rank, skill, total, region, number in db.session.execute(query):
        skills[rank] = (skill, total)
        regions.add(region)
        cells[(rank, region)] = number

    columns = sorted(regions)
    table = Table(
        "regions",
        _("Nu nodig, per regio vergeleken"),
        [_("Vaardigheid")] + columns + [_("Alle regio's")],
    )
    for rank in sorted(skills):
        skill, total = skills[rank]
        table.rows.append(
            [skill] + [cells.get((rank, region), 0) for region in columns] + [total]
        )
    return table


def top_needs(region_id: int, limit: int = 5, locale: str = "nl") -> list[tuple]:
    """Return (skill, companies) of what most companies in the region need now.

    Only visits of the last two years count: a sprint plans for today's needs.
    """
    name = skill_name(locale)
    companies = func.count(distinct(company_key()))
    query = (
        select(name, companies)
        .select_from(CompanyVisit)
        .join(company_visit_skill, company_visit_skill.c.visit_id == CompanyVisit.id)
        .join(Skill, Skill.id == company_visit_skill.c.skill_id)
        .where(
            CompanyVisit.region_id == region_id,
            CompanyVisit.visited_on >= date.today() - RECENT,
            company_visit_skill.c.horizon == Horizon.NOW,
        )
        .group_by(Skill.id, name)
        .order_by(companies.desc(), name)
        .limit(limit)
    )
    return [(skill, number) for skill, number in db.session.execute(query)]


# CSV


def csv_text(table: Table) -> str:
    """Return the table as CSV, the headers first."""
    return spreadsheets.csv_text(table.headers, table.rows)
