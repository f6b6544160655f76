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


def search(query: str, signed_in: bool, filters: dict, limit: int, offset: int):
    """Return (hits, total) for the query, best first; an empty query lists by title."""
    words = terms(query)
    where = ["1 = 1"]
    params: dict = {"limit": limit, "offset": offset}
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
    if not words:
        source, rank = "search_document d", "d.title"
    elif dialect == "postgresql":
        params["q"] = " & ".join(f"{word}:*" for word in words)
        source = "search_document d, to_tsquery('dutch', :q) q"
        where.append("d.search_tsv @@ q")
        rank = "ts_rank(d.search_tsv, q) DESC, d.title"
    else:
        params["q"] = " ".join(f'"{word}"*' for word in words)
        source = "search_fts JOIN search_document d ON d.id = search_fts.rowid"
        where.append("search_fts MATCH :q")
        rank = "bm25(search_fts, 10.0, 1.0), d.title"

    # Only fixed fragments are put together here; every value is a bound parameter.
    condition = " AND ".join(where)
    columns = "d.kind, d.ref_id, d.title, d.body, d.tool_kind, d.tool_level"
    select_hits = (
        f"SELECT {columns} FROM {source} WHERE {condition} "  # nosec B608
        f"ORDER BY {rank} LIMIT :limit OFFSET :offset"
    )
    count_hits = f"SELECT count(*) FROM {source} WHERE {condition}"  # nosec B608
    rows = db.session.execute(text(select_hits), params).all()
    total = db.session.execute(text(count_hits), params).scalar()
    hits = [
        Hit(kind, ref_id, title, snippet(body, words), tool_kind, tool_level)
        for kind, ref_id, title, body, tool_kind, tool_level in rows
    ]
    return hits, total


def snippet(body: str, words: list[str], width: int = 200) -> str:
    """Return a piece of plain text around the first matching word."""
    lowered = body.lower()
    positions = [lowered.find(word) for word in words if word in lowered]
    start = max(0, min(positions) - width // 3) if positions else 0
    piece = body[start : start + width].strip()
    return ("…" if start else "") + piece + ("…" if start + width < len(body) else "")
