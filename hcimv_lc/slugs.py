"""Readable, unique URL parts made from names."""

import re
import unicodedata

from hcimv_lc.extensions import db


def slugify(text: str, max_length: int = 60) -> str:
    """Return lowercase ASCII words joined by hyphens ("Gas Erop!" -> "gas-erop")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-") or "item"


def unique_slug(model, text: str, exclude_id: int | None = None) -> str:
    """Return a slug for the model that no other row uses, adding a number if needed."""
    base = slugify(text)
    query = db.select(model.slug).where(model.slug.like(f"{base}%"))
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    taken = set(db.session.scalars(query))

    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug
