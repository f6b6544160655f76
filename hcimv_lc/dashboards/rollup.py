"""Keep the roll-ups current: every flush that touches log entries refreshes them.

A listener on the session sees each log entry that is added, changed or deleted,
including where it was before a change, and recomputes the few weeks involved
from the entries themselves (ActivityWeek), then the person's totals in that
community (ActivityPerson), and adds the difference those made to the counts of
the region (ActivityRegion). A community that moves to another region or theme or
is deleted recounts the regions involved instead, and so does an erased person
(`recounting_regions`, around the erasure). Writes
that bypass the ORM (bulk inserts of the benchmark data) call `rebuild()`
afterwards.
"""

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import (
    Date,
    Integer,
    String,
    bindparam,
    case,
    delete,
    distinct,
    event,
    func,
    insert,
    inspect,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hcimv_lc.communities.models import Community
from hcimv_lc.dashboards.models import (
    ALL_THEMES,
    ActivityPerson,
    ActivityRegion,
    ActivityWeek,
)
from hcimv_lc.logbook.models import Kind, LogEntry

logger = logging.getLogger(__name__)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def keys_of(entry: LogEntry) -> set[tuple[int, int, date]]:
    """Return the (author, community, week) the entry counts in, now and before."""
    state = inspect(entry)
    authors = {entry.author_id} | set(state.attrs.author_id.history.deleted or ())
    communities = {entry.community_id} | set(
        state.attrs.community_id.history.deleted or ()
    )
    days = {entry.date} | set(state.attrs.date.history.deleted or ())
    return {
        (author, community, monday(day))
        for author in authors
        for community in communities
        for day in days
        if author is not None and community is not None and day is not None
    }


def minutes(kind: str):
    return func.coalesce(
        func.sum(case((LogEntry.kind == kind, LogEntry.minutes), else_=0)), 0
    )


def lock_key(author_id: int) -> int:
    digest = hashlib.sha256(f"activity-person:{author_id}".encode())
    return int.from_bytes(digest.digest()[:8], "big", signed=True)


def lock_people(connection, author_ids) -> None:
    """Make writers of one person wait for each other, and recounts for them all.

    A write changes the region's counts by what it finds in the person's own
    rows, in this community and in the others of the region. A lock per person,
    held until commit, makes a second writer of that person wait and then see the
    first one's rows, so neither misses the other's entry (in a week, or in
    another community of the group). Writers of different people no longer queue
    for the whole refresh: they meet only on the region rows they both add to,
    from their flush to their commit. The table lock, taken before anything is
    read, is one that writers share with each other but not with
    `lock_for_recount`. PostgreSQL only: SQLite writes one transaction at a time.
    """
    if connection.dialect.name != "postgresql" or not author_ids:
        return

    connection.execute(text("LOCK TABLE activity_region IN ROW EXCLUSIVE MODE"))
    for author_id in sorted(author_ids):
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(author_id)}
        )


def lock_for_recount(connection) -> None:
    """Wait for the writers under way and keep new ones out until this commits.

    A recount reads the committed totals of a whole region: a writer that commits
    its change during the recount would be counted twice or not at all, and one
    that checked a community's region before the recount moved it would add its
    change to the wrong region. SHARE ROW EXCLUSIVE conflicts with the ROW
    EXCLUSIVE lock that `lock_people` takes first, and with itself.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("LOCK TABLE activity_region IN SHARE ROW EXCLUSIVE MODE")
        )


TOTALS = [
    "entries",
    "reflections",
    "minutes_formal",
    "minutes_non_formal",
    "minutes_informal",
]

# What a region sums over its people's totals; it counts people instead of
# summing their reflections.
REGION_SUMS = [name for name in TOTALS if name != "reflections"]

REGION_COLUMNS = ["region_id", "theme", "active", "reflected", *REGION_SUMS]


def refresh(connection, keys: set[tuple[int, int, date]], groups=()) -> None:
    """Recompute the rows of these keys, and recount these (region, theme) groups.

    The weeks and the person's totals are recomputed from below; the region rows
    only take the difference the person's totals made (`person_changes`), so a
    write costs the same in a region of ten people as in one of ten thousand.
    Whoever asks for groups to be recounted takes `lock_for_recount` first.
    """
    lock_people(connection, {author for author, _c, _w in keys})
    communities = {community for _a, community, _w in keys}
    places = {}
    if communities:
        places = {
            community_id: (region_id, theme)
            for community_id, region_id, theme in connection.execute(
                select(Community.id, Community.region_id, Community.theme).where(
                    Community.id.in_(communities)
                )
            )
        }

    for author_id, community_id, week_start in sorted(keys):
        refresh_week(connection, author_id, community_id, week_start)
    changes: dict[tuple[int, str], dict[str, int]] = {}
    for author_id, community_id in sorted({(a, c) for a, c, _w in keys}):
        old, new = refresh_person(connection, author_id, community_id)
        # A community deleted in this flush is gone, and its groups are recounted.
        if old == new or community_id not in places:
            continue
        place = places[community_id]
        for group, change in person_changes(
            connection, author_id, community_id, place, old, new
        ).items():
            total = changes.setdefault(group, dict.fromkeys(change, 0))
            for name, value in change.items():
                total[name] += value
    # In one order for every writer, so two that both touch two regions cannot
    # each hold the row the other waits for.
    for group, change in sorted(changes.items()):
        if any(change.values()):
            shift_region(connection, group, change)
    for region_id, theme in sorted(groups):
        refresh_region(connection, region_id, theme)


def groups_of(places) -> set[tuple[int, str]]:
    """Return the ActivityRegion rows that communities in these places count in."""
    return {
        group
        for region_id, theme in places
        if region_id is not None
        for group in ((region_id, theme), (region_id, ALL_THEMES))
    }


# Every write runs the same few statements: built once, they cost only their
# execution, which matters more than building them when each is a quick lookup.
AUTHOR = bindparam("author", type_=Integer)
COMMUNITY = bindparam("community", type_=Integer)
WEEK = bindparam("week", type_=Date)

WEEK_ROW = (
    ActivityWeek.author_id == AUTHOR,
    ActivityWeek.community_id == COMMUNITY,
)
DELETE_WEEK = delete(ActivityWeek).where(*WEEK_ROW, ActivityWeek.week_start == WEEK)
INSERT_WEEK = insert(ActivityWeek).from_select(
    ["author_id", "community_id", "week_start", *TOTALS],
    select(
        AUTHOR,
        COMMUNITY,
        WEEK,
        func.count(LogEntry.id),
        func.coalesce(func.sum(case((LogEntry.reflection != "", 1), else_=0)), 0),
        minutes(Kind.FORMAL),
        minutes(Kind.NON_FORMAL),
        minutes(Kind.INFORMAL),
    )
    .where(
        LogEntry.author_id == AUTHOR,
        LogEntry.community_id == COMMUNITY,
        LogEntry.date >= WEEK,
        LogEntry.date < bindparam("week_end", type_=Date),
    )
    .having(func.count(LogEntry.id) > 0),
)

PERSON_ROW = (
    ActivityPerson.author_id == AUTHOR,
    ActivityPerson.community_id == COMMUNITY,
)
PERSON_TOTALS = select(*(getattr(ActivityPerson, name) for name in TOTALS)).where(
    *PERSON_ROW
)
WEEK_SUMS = (
    select(*(func.sum(getattr(ActivityWeek, name)) for name in TOTALS))
    .where(*WEEK_ROW)
    .having(func.count() > 0)
)
DELETE_PERSON = delete(ActivityPerson).where(*PERSON_ROW)
INSERT_PERSON = insert(ActivityPerson)
UPDATE_PERSON = (
    update(ActivityPerson)
    .where(*PERSON_ROW)
    .values({name: bindparam(f"new_{name}") for name in TOTALS})
)
OTHER_ROWS_IN_REGION = (
    select(Community.theme, ActivityPerson.reflections)
    .join(Community, Community.id == ActivityPerson.community_id)
    .where(
        ActivityPerson.author_id == AUTHOR,
        ActivityPerson.community_id != COMMUNITY,
        Community.region_id == bindparam("region", type_=Integer),
    )
)


def upsert_region(dialect_insert):
    """Return an INSERT that adds its values to the group's row if there is one."""
    upsert = dialect_insert(ActivityRegion)
    return upsert.on_conflict_do_update(
        index_elements=[ActivityRegion.region_id, ActivityRegion.theme],
        set_={
            name: getattr(ActivityRegion, name) + getattr(upsert.excluded, name)
            for name in REGION_COLUMNS[2:]
        },
    )


# Both dialects add to a row that exists with INSERT ... ON CONFLICT DO UPDATE.
SHIFT_REGION = {
    "sqlite": upsert_region(sqlite.insert),
    "postgresql": upsert_region(postgresql.insert),
}
DELETE_EMPTY_REGION = delete(ActivityRegion).where(
    ActivityRegion.region_id == bindparam("region", type_=Integer),
    ActivityRegion.theme == bindparam("theme", type_=String),
    ActivityRegion.active <= 0,
)


def refresh_week(connection, author_id: int, community_id: int, week_start) -> None:
    key = {"author": author_id, "community": community_id, "week": week_start}
    connection.execute(DELETE_WEEK, key)
    connection.execute(INSERT_WEEK, {**key, "week_end": week_start + timedelta(days=7)})


Totals = dict[str, int]


def refresh_person(
    connection, author_id: int, community_id: int
) -> tuple[Totals | None, Totals | None]:
    """Recompute a person's totals in a community; return them before and after."""
    key = {"author": author_id, "community": community_id}
    old = connection.execute(PERSON_TOTALS, key).first()
    new = connection.execute(WEEK_SUMS, key).first()
    old = None if old is None else dict(zip(TOTALS, old, strict=True))
    new = None if new is None else dict(zip(TOTALS, new, strict=True))
    if old == new:
        return old, new

    if new is None:
        connection.execute(DELETE_PERSON, key)
    elif old is None:
        connection.execute(
            INSERT_PERSON, {"author_id": author_id, "community_id": community_id, **new}
        )
    else:
        new_totals = {f"new_{name}": value for name, value in new.items()}
        connection.execute(UPDATE_PERSON, {**key, **new_totals})
    return old, new


def counts_of(totals: Totals | None) -> dict[str, int]:
    """Return what one person's totals in one community add to a region row."""
    if totals is None:
        return dict.fromkeys(REGION_COLUMNS[2:], 0)

    return {
        "active": 1,
        "reflected": int(totals["reflections"] > 0),
        **{name: totals[name] for name in REGION_SUMS},
    }


def person_changes(
    connection,
    author_id: int,
    community_id: int,
    place: tuple[int, str],
    old: Totals | None,
    new: Totals | None,
) -> dict[tuple[int, str], dict[str, int]]:
    """Return what a change of a person's totals in a community does to its groups.

    Entries and minutes add up; a person counts once in a group, though, so they
    start or stop counting as active (or reflecting) only when no row of theirs in
    another community of the group does already.
    """
    region_id, theme = place
    before, after = counts_of(old), counts_of(new)
    difference = {name: after[name] - before[name] for name in before}
    others = []
    if difference["active"] or difference["reflected"]:
        others = connection.execute(
            OTHER_ROWS_IN_REGION,
            {
                "author": author_id,
                "community": community_id,
                "region": region_id,
            },
        ).all()

    changes = {}
    for group_theme in (theme, ALL_THEMES):
        rows = [
            reflections
            for other_theme, reflections in others
            if group_theme in (ALL_THEMES, other_theme)
        ]
        change = dict(difference)
        if rows:
            change["active"] = 0
        if any(reflections > 0 for reflections in rows):
            change["reflected"] = 0
        if any(change.values()):
            changes[region_id, group_theme] = change
    return changes


def region_counts(*keys):
    """Return ActivityRegion's columns counted from ActivityPerson, grouped by keys."""
    return select(
        *keys,
        func.count(distinct(ActivityPerson.author_id)),
        func.count(
            distinct(case((ActivityPerson.reflections > 0, ActivityPerson.author_id)))
        ),
        *(func.sum(getattr(ActivityPerson, name)) for name in REGION_SUMS),
    ).join(Community, Community.id == ActivityPerson.community_id)


def shift_region(connection, group: tuple[int, str], change: dict[str, int]) -> None:
    """Add a change to a group's row, and drop the row once nobody is active in it."""
    region_id, theme = group
    connection.execute(
        SHIFT_REGION[connection.dialect.name],
        {"region_id": region_id, "theme": theme, **change},
    )
    # The dashboards, and a recount, know a group without activity by its absence.
    if change["active"] < 0:
        connection.execute(DELETE_EMPTY_REGION, {"region": region_id, "theme": theme})


def refresh_region(connection, region_id: int, theme: str) -> None:
    """Recount a group from every person's totals in it."""
    connection.execute(
        delete(ActivityRegion).where(
            ActivityRegion.region_id == region_id, ActivityRegion.theme == theme
        )
    )
    counts = (
        region_counts(literal(region_id), literal(theme))
        .where(Community.region_id == region_id)
        .having(func.count() > 0)
    )
    if theme != ALL_THEMES:
        counts = counts.where(Community.theme == theme)
    connection.execute(insert(ActivityRegion).from_select(REGION_COLUMNS, counts))


def rebuild_regions(connection) -> None:
    """Recount every region, when people left by a path that names none."""
    connection.execute(delete(ActivityRegion))
    connection.execute(
        insert(ActivityRegion).from_select(
            REGION_COLUMNS,
            region_counts(Community.region_id, Community.theme).group_by(
                Community.region_id, Community.theme
            ),
        )
    )
    connection.execute(
        insert(ActivityRegion).from_select(
            REGION_COLUMNS,
            region_counts(Community.region_id, literal(ALL_THEMES)).group_by(
                Community.region_id
            ),
        )
    )


def moved_groups(community: Community) -> set[tuple[int, str]]:
    """Return the groups a community counted in and counts in, if it moved."""
    state = inspect(community)
    if state.deleted or state.was_deleted:
        return groups_of([(community.region_id, community.theme)])
    regions = state.attrs.region_id.history
    themes = state.attrs.theme.history
    if not (regions.deleted or themes.deleted):
        return set()
    return groups_of(
        (region, theme)
        for region in {community.region_id, *(regions.deleted or ())}
        for theme in {community.theme, *(themes.deleted or ())}
    )


def apply(session: Session, _context) -> None:
    """Refresh the weeks of the entries this flush wrote, and the regions involved.

    After the flush the foreign keys are filled in, while the attributes still
    remember their values from before it.
    """
    keys = set()
    groups = set()
    for item in (*session.new, *session.dirty, *session.deleted):
        if isinstance(item, LogEntry):
            keys |= keys_of(item)
        elif isinstance(item, Community) and item not in session.new:
            groups |= moved_groups(item)
    if groups:
        lock_for_recount(session.connection())
    if keys or groups:
        refresh(session.connection(), keys, groups)


@contextmanager
def recounting_regions(connection) -> Iterator[None]:
    """Recount the regions once the block has erased people, whose rows cascade away.

    Which regions they counted in goes with them. All are recounted, in the same
    few statements however many regions the people were in.
    """
    lock_for_recount(connection)
    yield
    rebuild_regions(connection)


def install() -> None:
    """Listen to every session; safe to call more than once."""
    if not event.contains(Session, "after_flush", apply):
        event.listen(Session, "after_flush", apply)


WEEK_START = {
    "sqlite": "date(date, '-' || ((CAST(strftime('%w', date) AS INTEGER) + 6) % 7) "
    "|| ' days')",
    "postgresql": "CAST(date_trunc('week', date) AS DATE)",
}


def rebuild(connection) -> int:
    """Recompute the whole roll-up from the log entries, after a bulk load."""
    week = WEEK_START[connection.dialect.name]
    lock_for_recount(connection)
    connection.execute(delete(ActivityWeek))
    connection.execute(
        text(
            "INSERT INTO activity_week (author_id, community_id, week_start, entries, "
            "reflections, minutes_formal, minutes_non_formal, minutes_informal) "
            f"SELECT author_id, community_id, {week}, count(*), "  # nosec B608
            "sum(CASE WHEN reflection <> '' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN kind = 'formal' THEN minutes ELSE 0 END), "
            "sum(CASE WHEN kind = 'non_formal' THEN minutes ELSE 0 END), "
            "sum(CASE WHEN kind = 'informal' THEN minutes ELSE 0 END) "
            f"FROM log_entry GROUP BY author_id, community_id, {week}"
        )
    )
    connection.execute(delete(ActivityPerson))
    connection.execute(
        insert(ActivityPerson).from_select(
            ["author_id", "community_id", *TOTALS],
            select(
                ActivityWeek.author_id,
                ActivityWeek.community_id,
                *(func.sum(getattr(ActivityWeek, name)) for name in TOTALS),
            ).group_by(ActivityWeek.author_id, ActivityWeek.community_id),
        )
    )
    rebuild_regions(connection)
    rows = connection.execute(select(func.count()).select_from(ActivityWeek)).scalar()
    logger.info("Activity roll-up rebuilt: %s rows", rows)
    return rows
