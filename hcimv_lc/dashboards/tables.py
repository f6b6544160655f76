"""The dashboards' numbers as tables: shown beside each chart and sold as CSV.

One table feeds the chart, the table a screen reader reads and the CSV download,
so the three can never disagree.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _

from hcimv_lc.challenges.forms import STATUS_LABELS as CHALLENGE_LABELS
from hcimv_lc.logbook.forms import KIND_LABELS

from .service import KINDS


@dataclass
class Table:
    """Numbers with their headers, and how to draw them as a chart."""

    name: str
    caption: str
    headers: list[str]
    rows: list[list]
    chart: str = "bar"
    # Which columns are series in the chart; the first column gives the labels.
    series: list[int] = field(default_factory=list)
    stacked: bool = False

    def chart_config(self) -> dict:
        return {
            "type": self.chart,
            "data": {
                "labels": [str(row[0]) for row in self.rows],
                "datasets": [
                    {
                        "label": self.headers[column],
                        "data": [row[column] for row in self.rows],
                    }
                    for column in self.series
                ],
            },
            "stacked": self.stacked,
        }


def percent(value) -> str:
    return "" if value is None else f"{value:.1f}"


def sprint_tables(dashboard) -> list[Table]:
    week_label = _("Week")
    weeks = dashboard.weeks
    tables = [
        Table(
            "active",
            _("Actieve deelnemers per week"),
            [week_label, _("Begint op"), _("Actief"), _("Reflecteerde")],
            [
                [number, start.isoformat(), activity.active, activity.reflected]
                for number, start, activity in weeks
            ],
            chart="line",
            series=[2, 3],
        ),
        Table(
            "minutes",
            _("Minuten per week naar soort leren"),
            [week_label] + [str(KIND_LABELS[kind]) for kind in KINDS],
            [
                [number] + [activity.minutes[kind] for kind in KINDS]
                for number, _start, activity in weeks
            ],
            series=[1, 2, 3],
            stacked=True,
        ),
        Table(
            "reflection",
            _("Deel van de actieve mensen dat reflecteerde (%)"),
            [week_label, _("Procent")],
            [
                [number, percent(activity.reflected_share(activity.active))]
                for number, _start, activity in weeks
            ],
            chart="line",
            series=[1],
        ),
        Table(
            "challenges",
            _("Uitdagingen naar status"),
            [_("Status"), _("Aantal")],
            [
                [str(CHALLENGE_LABELS.get(status, status)), count]
                for status, count in dashboard.challenges.items()
            ],
            series=[1],
        ),
    ]
    for instrument, effects, hidden in dashboard.effects:
        if hidden:
            continue
        tables.append(
            Table(
                f"instrument-{instrument.id}",
                _("%(title)s: begin en eind", title=instrument.title),
                [_("Dimensie"), _("Begin"), _("Eind"), _("Verschil"), "d", "n"],
                [
                    [
                        effect.dimension.name,
                        effect.start,
                        effect.end,
                        effect.difference,
                        effect.d,
                        effect.n,
                    ]
                    for effect in effects
                ],
                series=[1, 2],
            )
        )
    tables.append(skills_table(dashboard.skills))
    return tables


def skills_table(skills) -> Table:
    return Table(
        "skills",
        _("Gevalideerde vaardigheden"),
        [_("Vaardigheid"), _("Gevalideerd")],
        [[skill.name_nl, count] for skill, count in skills],
        series=[1],
    )


def community_tables(dashboard) -> list[Table]:
    rows = [
        [
            row.sprint.title,
            row.activity.active,
            percent(row.activity.reflected_share(row.activity.active)),
            *(row.activity.minutes[kind] for kind in KINDS),
            row.challenges_done,
            row.challenges,
        ]
        for row in dashboard["sprints"]
    ]
    return [
        Table(
            "sprints",
            _("Sprints naast elkaar"),
            [
                _("Sprint"),
                _("Actieve mensen"),
                _("Reflecteerde (% van de actieven)"),
                *(str(KIND_LABELS[kind]) for kind in KINDS),
                _("Uitdagingen klaar"),
                _("Uitdagingen"),
            ],
            rows,
            series=[3, 4, 5],
            stacked=True,
        ),
        skills_table(dashboard["skills"]),
    ]


def region_numbers(row) -> list:
    """Return a region's measures, or empty cells where the group is too small."""
    if row.hidden:
        return [None] * (3 + len(KINDS))
    return [
        row.activity.active,
        percent(row.activity.reflected_share(row.activity.active)),
        *(row.activity.minutes[kind] for kind in KINDS),
        row.validated,
    ]


def region_tables(rows, community_rows) -> list[Table]:
    return [
        Table(
            "regions",
            _("Regio's naast elkaar"),
            [
                _("Regio"),
                _("Leergemeenschappen"),
                _("Actieve mensen"),
                _("Reflecteerde (% van de actieven)"),
                *(str(KIND_LABELS[kind]) for kind in KINDS),
                _("Gevalideerde vaardigheden"),
            ],
            [[row.region.name, row.communities, *region_numbers(row)] for row in rows],
            series=[4, 5, 6],
            stacked=True,
        ),
        Table(
            "communities",
            _("Leergemeenschappen naast elkaar"),
            [
                _("Leergemeenschap"),
                _("Regio"),
                _("Actieve mensen"),
                _("Reflecteerde (% van de actieven)"),
                *(str(KIND_LABELS[kind]) for kind in KINDS),
                _("Gevalideerde vaardigheden"),
            ],
            [
                [
                    row.community.name,
                    row.community.region.name,
                    row.activity.active,
                    percent(row.activity.reflected_share(row.activity.active)),
                    *(row.activity.minutes[kind] for kind in KINDS),
                    row.validated,
                ]
                for row in community_rows
            ],
            series=[4, 5, 6],
            stacked=True,
        ),
    ]
