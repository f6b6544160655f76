"""Queries and rules for regions and organisations."""

import logging

from flask_babel import gettext as _
from sqlalchemy import select

from hcimv_lc.extensions import db
from hcimv_lc.forms import RuleError
from hcimv_lc.organisations.models import Organisation, Region
from hcimv_lc.slugs import unique_slug

logger = logging.getLogger(__name__)


def region_choices() -> list[tuple[int, str]]:
    """Return (id, name) of every region, by name, for a select field."""
    rows = db.session.execute(select(Region.id, Region.name).order_by(Region.name))
    return [(region_id, name) for region_id, name in rows]


def organisation_choices() -> list[tuple[int, str]]:
    """Return (id, name) of every organisation, by name, for a select field."""
    query = select(Organisation.id, Organisation.name).order_by(Organisation.name)
    return [(org_id, name) for org_id, name in db.session.execute(query)]


class OrganisationError(RuleError):
    """A rule of regions or organisations was broken."""


def save_region(region: Region, name: str) -> Region:
    """Add or rename a region; names are unique."""
    duplicate = db.session.scalar(
        select(Region.id).where(Region.name == name, Region.id != region.id)
    )
    if duplicate is not None:
        raise OrganisationError(_("Er is al een regio met deze naam."), field="name")

    region.name = name
    region.slug = region.slug or unique_slug(Region, name)
    db.session.add(region)
    db.session.flush()
    logger.info("Region %r saved", region.slug)
    return region


def save_organisation(organisation: Organisation, **fields) -> Organisation:
    """Add or update an organisation; it can never fall under itself."""
    parent_id = fields["parent_id"]
    if organisation.id and would_loop(organisation, parent_id):
        raise OrganisationError(
            _("Een organisatie kan niet onder zichzelf vallen."), field="parent"
        )

    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.slug = organisation.slug or unique_slug(Organisation, fields["name"])
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
            select(Organisation.parent_id).where(Organisation.id == current)
        )
    return False
