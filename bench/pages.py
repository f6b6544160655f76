"""The main pages the benchmark loads, each as the persona who uses it most."""

from dataclasses import dataclass

from sqlalchemy import select

from hcimv_lc.bench_data import PERSONAS, WORDS


@dataclass(frozen=True)
class Page:
    name: str
    persona: str
    template: str
    dashboard: bool = False


PAGES = [
    Page("home", "participant", "/"),
    Page("community", "participant", "/communities/{community}"),
    Page("sprint_board", "facilitator", "/sprints/{sprint}"),
    Page("my_log", "participant", "/log"),
    Page("week_grid", "facilitator", "/sprints/{sprint}/participation"),
    Page("toolbox_search", "participant", "/toolbox?q={term}"),
    Page("sprint_dashboard", "facilitator", "/sprints/{sprint}/dashboard", True),
    Page("region_dashboard", "researcher", "/dashboards/regions", True),
]


def page_paths(session) -> dict[str, str]:
    """Return each page's path in a database filled by `flask bench-data`."""
    from hcimv_lc.accounts.models import User
    from hcimv_lc.communities.models import Community, Membership
    from hcimv_lc.sprints.models import Sprint

    facilitator = session.scalar(
        select(User.id).filter_by(email=PERSONAS["facilitator"])
    )
    community_id = session.scalar(
        select(Membership.community_id).filter_by(user_id=facilitator)
    )
    values = {
        "community": session.get(Community, community_id).slug,
        "sprint": session.scalar(
            select(Sprint.id)
            .filter_by(community_id=community_id, status="active")
            .order_by(Sprint.id)
        ),
        "term": WORDS[1],
    }
    return {page.name: page.template.format(**values) for page in PAGES}
