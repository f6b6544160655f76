"""Full-text search over tools and lessons: SQLite FTS5 or PostgreSQL tsvector."""

import re
from dataclasses import dataclass

from sqlalchemy import text

from hcimv_lc.extensions import db
from hcimv_lc.toolbox.models import SearchDocument

WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8


@dataclass
class Hit:
    kind: str
    ref_id: int
    title: str
    snippet: str
    tool_kind: str | None
    tool_level: str | None


def terms(query: str) -> list[str]:
    """Return the words of a query, lower case, at most a handful."""
    return WORD.findall(query.lower())[:MAX_TERMS]


def upsert(kind: str, ref_id: int, **fields) -> None:
    """Add or refresh the searchable text of a tool or lesson."""
    document = db.session.scalar(
        db.select(SearchDocument).filter_by(kind=kind, ref_id=ref_id)
    ) or SearchDocument(kind=kind, ref_id=ref_id)
    for name, value in fields.items():
        setattr(document, name, value)
    db.session.add(document)


def remove(kind: str, ref_id: int) -> None:
    db.session.execute(
        db.delete(SearchDocument).where(
            SearchDocument.kind == kind, SearchDocument.ref_id == ref_id
        )
    )


# Beyond this many hits a search counts no further and ranks no further: the page
# says "more than" and the reader narrows the words down instead of paging on.
MOST_COUNTED = 500


def match_condition(dialect: str, words: list[str], prefix: bool, params: dict):
    """Return the source and condition that match the words, as prefixes or exactly."""
    name = "q" if prefix else "whole"
    if dialect == "postgresql":
        params[name] = " & ".join(f"{word}:*" if prefix else word for word in words)
        return (
            f"search_document d, to_tsquery('dutch', :{name}) q",
            "d.search_tsv @@ q",
        )
    params[name] = " ".join(f'"{word}"*' if prefix else f'"{word}"' for word in words)
    return (
        "search_fts JOIN search_document d ON d.id = search_fts.rowid",
        f"search_fts MATCH :{name}",
    )


def search(query: str, signed_in: bool, filters: dict, limit: int, offset: int):
    """Return (hits, total) for the query, best first; an empty query lists by title.

    Words match as prefixes, unless as whole words they match more than
    MOST_COUNTED documents already. A total above MOST_COUNTED means "more than
    that": ranking them all would read nearly the whole index, so the newest
    MOST_COUNTED are shown instead, the ones with a word in their title first.
    """
    words = terms(query)
    where = ["1 = 1"]
    params: dict = {
        "limit": limit,
        "offset": offset,
        "ranked": MOST_COUNTED,
        "most": MOST_COUNTED + 1,
    }
    if not signed_in:
        where.append("d.is_public")
    if filters.get("kind"):
        where.append("d.tool_kind = :kind")
        params["kind"] = filters["kind"]
    if filters.get("level"):
        where.append("d.tool_level = :level")
        params["level"] = filters["level"]
    if filters.get("theme"):
        where.append("d.themes LIKE :theme")
        params["theme"] = f"%,{filters['theme']},%"
    if filters.get("region_id"):
        where.append(
            "d.kind = 'tool' AND d.ref_id IN "
            "(SELECT a.tool_id FROM application a WHERE a.region_id = :region_id)"
        )
        params["region_id"] = filters["region_id"]
    if filters.get("min_rating"):
        where.append(
            "d.kind = 'tool' AND (SELECT avg(a.rating) FROM application a "
            "WHERE a.tool_id = d.ref_id) >= :min_rating"
        )
        params["min_rating"] = filters["min_rating"]
    if filters.get("only"):
        where.append("d.kind = :only")
        params["only"] = filters["only"]

    dialect = db.engine.dialect.name
    columns = "d.kind, d.ref_id, d.title, d.body, d.tool_kind, d.tool_level"
    if not words:
        source, condition = "search_document d", " AND ".join(where)
        _whole, total = bounded_count(source, condition, params)
        # Only fixed fragments are put together; every value is a bound parameter.
        ranked = (
            f"SELECT {columns} FROM {source} "  # nosec B608
            f"WHERE {condition} ORDER BY d.title"
        )
    else:
        whole_source, whole = match_condition(dialect, words, False, params)
        source, match = match_condition(dialect, words, True, params)
        whole_condition = " AND ".join([*where, whole])
        condition = " AND ".join([*where, match])
        broad, total = bounded_count(
            source, condition, params, whole_source, whole_condition
        )
        if broad:
            source, condition = whole_source, whole_condition
        if total > MOST_COUNTED:
            # FTS5 walks its matches backwards only when asked by its own rowid.
            newest = "d.id" if dialect == "postgresql" else "search_fts.rowid"
            ranked = newest_with_title_first(
                columns, source, condition, newest, words, params
            )
        else:
            rank = (
                "ts_rank(d.search_tsv, q) DESC"
                if dialect == "postgresql"
                else "bm25(search_fts, 10.0, 1.0)"
            )
            ranked = (
                f"SELECT {columns} FROM {source} "  # nosec B608
                f"WHERE {condition} ORDER BY {rank}, d.title"
            )

    # Only fixed fragments are put together here; every value is a bound parameter.
    rows = db.session.execute(
        text(f"{ranked} LIMIT :limit OFFSET :offset"), params
    ).all()
    hits = [
        Hit(kind, ref_id, title, snippet(body, words), tool_kind, tool_level)
        for kind, ref_id, title, body, tool_kind, tool_level in rows
    ]
    return hits, total


def bounded_count(source, condition, params, whole_source=None, whole_condition=None):
    """Return whether whole words match too many, and the matches counted.

    Counting stops one past MOST_COUNTED. Given a condition on whole words too,
    those are counted first, and the prefixes only when the whole words match no
    more than MOST_COUNTED: an index walks whole words lazily, but gathers every
    word a prefix stands for before it answers.
    """
    counted = (
        f"(SELECT count(*) FROM (SELECT 1 FROM {source} "  # nosec B608
        f"WHERE {condition} LIMIT :most) AS found)"
    )
    if whole_source:
        whole = (
            f"(SELECT count(*) FROM (SELECT 1 FROM {whole_source} "  # nosec B608
            f"WHERE {whole_condition} LIMIT :most) AS found_whole)"
        )
        broad = f"{whole} > {MOST_COUNTED}"
        # CASE evaluates a branch's subquery only when it reaches it.
        counted = f"{broad}, CASE WHEN {broad} THEN :most ELSE {counted} END"
    else:
        counted = f"1 = 0, {counted}"
    broad, total = db.session.execute(text(f"SELECT {counted}"), params).one()
    return bool(broad), total


def newest_with_title_first(columns, source, condition, newest, words, params):
    """Return a query of the newest matches, those with a word in the title first."""
    in_title = []
    for number, word in enumerate(words):
        # A word holds letters, digits and "_", of which only "_" is special here.
        params[f"title_{number}"] = "%" + word.replace("_", "\\_") + "%"
        in_title.append(f"lower(title) LIKE :title_{number} ESCAPE '\\'")
    newest = (
        f"SELECT {columns}, d.id FROM {source} "  # nosec B608
        f"WHERE {condition} ORDER BY {newest} DESC LIMIT :ranked"
    )
    title_first = f"CASE WHEN {' OR '.join(in_title)} THEN 0 ELSE 1 END"
    return (
        f"SELECT kind, ref_id, title, body, tool_kind, tool_level "  # nosec B608
        f"FROM ({newest}) AS newest ORDER BY {title_first}, id DESC"
    )


def snippet(body: str, words: list[str], width: int = 200) -> str:
    """Return a piece of plain text around the first matching word."""
    lowered = body.lower()
    positions = [lowered.find(word) for word in words if word in lowered]
    start = max(0, min(positions) - width // 3) if positions else 0
    piece = body[start : start + width].strip()
    return ("…" if start else "") + piece + ("…" if start + width < len(body) else "")
