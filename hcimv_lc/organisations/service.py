"""Queries and rules for regions and organisations."""

import logging

from hcimv_lc.extensions import db
from hcimv_lc.organisations.models import Organisation, Region

logger = logging.getLogger(__name__)


def region_choices() -> list[tuple[int, str]]:
    """Return (id, name) of every region, by name, for a select field."""
    rows = db.session.execute(db.select(Region.id, Region.name).order_by(Region.name))
    return [(region_id, name) for region_id, name in rows]


def organisation_choices() -> list[tuple[int, str]]:
    """Return (id, name) of every organisation, by name, for a select field."""
    query = db.select(Organisation.id, Organisation.name).order_by(Organisation.name)
    return [(org_id, name) for org_id, name in db.session.execute(query)]


def slug_taken(model, slug: str, exclude_id: int | None = None) -> bool:
    query = db.select(model.id).where(model.slug == slug)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query) is not None


def save_region(region: Region) -> Region:
    """Add or update a region."""
    db.session.add(region)
    db.session.flush()
    logger.info("Region %r saved", region.slug)
    return region


def save_organisation(organisation: Organisation) -> Organisation:
    """Add or update an organisation."""
    db.session.add(organisation)
    db.session.flush()
    logger.info("Organisation %r saved", organisation.slug)
    return organisation


def would_loop(organisation: Organisation, parent_id: int | None) -> bool:
    """Return whether making parent_id the parent would create a cycle."""
    seen = set()
    current = parent_id
    while current is not None and current not in seen:
        if current == organisation.id:
            return True
        seen.add(current)
        current = db.session.scalar(
            db.select(Organisation.parent_id).where(Organisation.id == current)
        )
    return False
