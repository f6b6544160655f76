"""Script-injection payloads typed into every text field stay inert wherever shown.

Each scenario fills one real form as a persona who may use it and reads the places
that show the field: pages, htmx fragments, notifications, mails, calendar feeds
and exports. Every text field gets every payload, read in every place after each
submission: Markdown fields three to a text, one-line fields as many as fit. URL
fields get the script URLs. Mails, notifications and feeds get them all too.
"""

import csv
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser

import icalendar
import markdown
import openpyxl
import pytest

from hcimv_lc.extensions import db
from hcimv_lc.mail import outbox
from hcimv_lc.spreadsheets import FORMULA_STARTS
from tests.xss_payloads import (
    PAYLOADS,
    URL_PAYLOADS,
    Payload,
    active_markup,
    find_active_markup,
)

HTMX = {"HX-Request": "true"}
# Some fields refuse control characters, a tab or a lone carriage return among them.
CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f]|\r(?!\n)")
BREAKOUTS = [payload for payload in PAYLOADS if payload.text.startswith(("'", '"'))]


def plain_share(offset: int) -> list[Payload]:
    """Return every eighth payload from the offset, and every attribute breakout."""
    chosen = PAYLOADS[offset % 8 :: 8]
    return chosen + [payload for payload in BREAKOUTS if payload not in chosen]


@dataclass
class Place:
    persona: str
    url: str
    htmx: bool = False


@dataclass
class Scenario:
    """One form, the text fields it writes, and the places that show them."""

    persona: str
    form: str
    places: list[Place]
    markdown: list[str] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    # A new object per submission: its page (the redirect) is a place too.
    creates: bool = False
    fixed: dict[str, str] = field(default_factory=dict)
    # How a field holds free text, when it wants more than the text alone.
    shapes: dict[str, str] = field(default_factory=dict)
    # Choices left open in the form: the first one is taken.
    choose: list[str] = field(default_factory=list)
    # Posted to the new object after each round, when only one may be open.
    close_with: str = ""


def pages(persona: str, *urls: str, htmx: tuple[str, ...] = ()) -> list[Place]:
    return [Place(persona, url) for url in urls] + [
        Place(persona, url, htmx=True) for url in htmx
    ]


SCENARIOS = {
    "community": Scenario(
        "facilitator",
        "/communities/{closed}/edit",
        pages(
            "participant",
            "/communities/{closed}",
            "/communities",
            "/",
            "/s/{share_token}",
            "/passport",
            htmx=("/communities",),
        ),
        markdown=["description"],
        plain=["name"],
    ),
    "sprint": Scenario(
        "facilitator",
        "/sprints/{sprint}/edit",
        pages(
            "participant",
            "/sprints/{sprint}",
            "/communities/{closed}",
            "/calendar",
        )
        + pages("facilitator", "/sprints/{sprint}/dashboard"),
        markdown=["goal"],
        plain=["title"],
    ),
    "meeting": Scenario(
        "facilitator",
        "/meetings/{meeting}/edit",
        pages("participant", "/sprints/{sprint}", "/calendar"),
        markdown=["agenda"],
        plain=["place"],
        urls=["online_url"],
    ),
    "challenge": Scenario(
        "facilitator",
        "/challenges/{challenge}/edit",
        pages(
            "participant",
            "/challenges/{challenge}",
            "/communities/{closed}/challenges",
            "/sprints/{sprint}",
            "/log/new",
        )
        + pages("facilitator", "/challenges/{challenge}/suggestions"),
        markdown=["description", "learning_goals", "success_criteria"],
        plain=["title", "site"],
    ),
    "log entry": Scenario(
        "participant",
        "/entries/{community_entry}/edit",
        pages(
            "participant",
            "/entries/{community_entry}",
            "/log",
            htmx=("/log",),
        )
        + pages(
            "facilitator",
            "/entries/{community_entry}",
            "/communities/{closed}/log",
            htmx=("/communities/{closed}/log",),
        ),
        markdown=["reflection"],
        plain=["what"],
    ),
    "comment": Scenario(
        "facilitator",
        "/entries/{community_entry}",
        pages("participant", "/entries/{community_entry}"),
        markdown=["body"],
        creates=True,
    ),
    "thread": Scenario(
        "participant",
        "/communities/{closed}/discussion/new",
        pages("facilitator", "/communities/{closed}/discussion"),
        markdown=["body"],
        plain=["title"],
        creates=True,
    ),
    "reply": Scenario(
        "facilitator",
        "/threads/{thread}",
        pages("participant", "/threads/{thread}"),
        markdown=["body"],
        creates=True,
    ),
    "tool": Scenario(
        "researcher",
        "/tools/{tool}/edit",
        pages(
            "anonymous",
            "/tools/{tool}",
            "/toolbox",
            "/toolbox?q=Werkplekscan",
            "/tools/{tool}/history",
            htmx=("/toolbox?q=Werkplekscan", "/toolbox?q=scan"),
        ),
        markdown=["body", "summary"],
        plain=["title", "authors", "licence", "note"],
        urls=["url"],
        fixed={"status": "published", "visibility": "public"},
        # The search must still find the tool, so its words stay around the payload.
        shapes={"title": "Werkplekscan {}", "body": "Werkplekscan\n\n{}"},
    ),
    "application": Scenario(
        "facilitator",
        "/tools/{tool}/applications/new",
        pages("participant", "/tools/{tool}", "/toolbox/compare?sector=Install"),
        markdown=["mechanism", "outcome", "adaptation", "background"],
        plain=["sector"],
        creates=True,
        shapes={"sector": "Installatie {}"},
        fixed={"rating": "4"},
    ),
    # The world's instrument was administered, so it is frozen: a new one is written.
    "instrument": Scenario(
        "researcher",
        "/tools/{draft_tool}/instrument",
        pages("researcher", "/tools/{draft_tool}/instrument"),
        plain=["title", "items"],
        shapes={"items": "Samenwerken | {}"},
    ),
    "skill claim": Scenario(
        "participant",
        "/claims/new",
        pages("participant", "/passport") + pages("facilitator", "/claims/review"),
        markdown=["narrative"],
        plain=["link_title"],
        urls=["link_url"],
        creates=True,
        fixed={"link_url": "https://example.org/bewijs", "level": "3"},
        close_with="/withdraw",
    ),
    "share link": Scenario(
        "participant",
        "/passport/shares",
        pages("participant", "/passport/shares"),
        plain=["label"],
        choose=["skills"],
        fixed={"expires_on": str(date.today() + timedelta(days=30))},
    ),
    "company visit": Scenario(
        "participant",
        "/regional/visits/new",
        pages("participant", "/regional/visits"),
        plain=["company_name", "vacancy_note"],
        creates=True,
        choose=["sector", "company_size"],
    ),
    "account name": Scenario(
        "participant",
        "/account",
        pages(
            "participant",
            "/account",
            "/passport",
            "/s/{share_token}",
            "/badges/{credential}",
        )
        + pages(
            "facilitator",
            "/entries/{community_entry}",
            "/communities/{closed}/members",
            "/sprints/{sprint}/participation",
            "/challenges/{challenge}",
            "/claims/review",
        ),
        plain=["name"],
    ),
    "organisation": Scenario(
        "admin",
        "/admin/organisations/{organisation}",
        pages("admin", "/admin/organisations", "/account", "/communities/new"),
        plain=["name"],
        urls=["website"],
    ),
    "region": Scenario(
        "admin",
        "/admin/regions/{region}",
        pages("admin", "/admin/regions", "/communities", "/regional"),
        plain=["name"],
    ),
    "weekly prompt": Scenario(
        "facilitator",
        "/sprints/{sprint}/prompts",
        pages("participant", "/log/new")
        + pages("facilitator", "/sprints/{sprint}/prompts"),
        plain=["default_prompt"],
    ),
}


class FormReader(HTMLParser):
    """Read the values a browser would send with the form that has the fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict, set]] = []
        self.maxlength: dict[str, int] = {}
        self.first_choice: dict[str, str] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self.forms.append((attrs.get("action") or "", {}, set()))
        if not self.forms:
            return

        values, names = self.forms[-1][1], self.forms[-1][2]
        first_option = self._select and self._select not in values
        if tag == "option" and self._select and ("selected" in attrs or first_option):
            values[self._select] = [attrs.get("value", "")]
        if not name:
            return

        names.add(name)
        if "maxlength" in attrs:
            self.maxlength[name] = int(attrs["maxlength"])
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                self.first_choice.setdefault(name, attrs.get("value", "y"))
                if "checked" in attrs:
                    values.setdefault(name, []).append(attrs.get("value", "y"))
            elif kind not in {"submit", "button", "file", "password"}:
                values[name] = [attrs.get("value", "")]
        elif tag == "textarea":
            self._textarea = name
            values[name] = [""]
        elif tag == "select":
            self._select = name

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            # Browsers drop the newline that opens a text area.
            value = self.forms[-1][1][self._textarea]
            value[0] = (value[0] + data).removeprefix("\r\n").removeprefix("\n")


def read_form(page: str, fields: list[str], choose: list[str]):
    """Return the action, values and maximum lengths of the form with the fields."""
    reader = FormReader()
    reader.feed(page)
    for action, values, names in reader.forms:
        if set(fields) <= names:
            for name in choose:
                values[name] = [reader.first_choice[name]]
            return action, values, reader.maxlength
    raise AssertionError(f"no form with the fields {fields}")


def filled(world, url: str) -> str:
    return url.format(
        **world.ids,
        closed=world.closed,
        open=world.open,
        organisation=world.organisation_id,
        region=world.region_ids["twente"],
    )


class Reader:
    """Fetch places as personas, and remember how each looked before the payloads."""

    def __init__(self, as_persona, world):
        self.world = world
        self.clients = {}
        self.as_persona = as_persona
        self.baselines = {}

    def client(self, persona):
        if persona not in self.clients:
            self.clients[persona] = self.as_persona(persona)
        return self.clients[persona]

    def get(self, place: Place) -> str:
        response = self.client(place.persona).get(
            filled(self.world, place.url), headers=HTMX if place.htmx else {}
        )
        assert response.status_code == 200, (place, response.status_code)
        return response.get_data(as_text=True)

    def remember(self, place: Place, like: Place | None = None) -> None:
        """Keep the place's own markup; a new object's page looks like another's."""
        key = (place.url, place.persona, place.htmx)
        if like is None:
            self.baselines[key] = active_markup(self.get(place))
        else:
            self.baselines[key] = self.baselines[like.url, like.persona, like.htmx]

    def problems(self, place: Place, page: str | None = None) -> set[str]:
        baseline = self.baselines[place.url, place.persona, place.htmx]
        return active_markup(self.get(place) if page is None else page) - baseline


class Author:
    """Fill the scenario's form as its persona, the way a browser sends it."""

    def __init__(self, reader: Reader, scenario: Scenario):
        self.scenario = scenario
        self.client = reader.client(scenario.persona)
        self.url = filled(reader.world, scenario.form)
        page = self.client.get(self.url).get_data(as_text=True)
        self.fields = scenario.markdown + scenario.plain + scenario.urls
        action, self.values, self.maxlength = read_form(
            page, self.fields, scenario.choose
        )
        self.action = action or self.url
        self.values.update(scenario.fixed)
        self.token = self.values["csrf_token"][0]

    def keep(self, texts: dict[str, str]) -> None:
        """Send these texts from now on wherever a round types nothing."""
        shapes = self.scenario.shapes
        self.values.update(
            {name: [shapes.get(name, "{}").format(t)] for name, t in texts.items()}
        )

    def submit(self, texts: dict[str, str]):
        values = dict(self.values)
        for name, text in texts.items():
            values[name] = self.scenario.shapes.get(name, "{}").format(text)
        return self.client.post(
            self.action, data=values, headers={"X-CSRFToken": self.token}
        )

    def fits(self, name: str, text: str) -> bool:
        return len(text) <= self.maxlength.get(name, len(text))


# Markdown payloads go three to a text: an unclosed fence or tag in one would
# otherwise turn all that follow it into plain text and spare them the parser.
CHUNK = 3
# The room of a field whose page sets no maxlength.
ROOM = 2_000


def text_fields(scenario: Scenario) -> list[str]:
    return scenario.markdown + scenario.plain


def refusable(scenario: Scenario, name: str, text: str) -> bool:
    """Whether the field may refuse the text: control characters, or a line break.

    Only Markdown takes any line; a line of the instrument's items has its own form."""
    one_line = name not in scenario.markdown
    return bool(CONTROL.search(text)) or (one_line and bool(re.search("[\r\n]", text)))


def packed(scenario: Scenario, name: str, room: int) -> list[list[Payload]]:
    """Return every payload in as few texts as the field holds, in the field's order.

    A payload the field may refuse goes alone, so that it takes no other down."""
    step = text_fields(scenario).index(name) * 7 % len(PAYLOADS)
    texts, current = [], []
    for payload in PAYLOADS[step:] + PAYLOADS[:step]:
        if refusable(scenario, name, payload.text):
            texts.append([payload])
            continue
        longer = " ".join(p.text for p in [*current, payload])
        full = len(current) == CHUNK and name in scenario.markdown
        if current and (full or len(longer) > room):
            texts.append(current)
            current = []
        current.append(payload)
    return [*texts, current] if current else texts


def payload_rounds(scenario: Scenario, author) -> list[dict[str, list[Payload]]]:
    """Give every text field all the payloads, each field in its own order."""
    queues = {
        name: packed(
            scenario,
            name,
            author.maxlength.get(name, ROOM) - len(scenario.shapes.get(name, "{}")) + 2,
        )
        for name in text_fields(scenario)
    }
    turns = max(map(len, queues.values()), default=0)
    return [
        {name: queue[turn] for name, queue in queues.items() if turn < len(queue)}
        for turn in range(turns)
    ]


def joined(scenario: Scenario, name: str, payloads: list[Payload]) -> str:
    separator = "\n\n" if name in scenario.markdown else " "
    return separator.join(payload.text for payload in payloads)


def run(scenario: Scenario, as_persona, world):
    """Submit the payloads and collect the active markup found in the places.

    Return what was found, the payloads each field stored, and the texts that a
    field refused although it should take them.
    """
    reader = Reader(as_persona, world)
    author = Author(reader, scenario)
    plain = {name: "Gewone tekst" for name in text_fields(scenario)}
    first = author.submit(plain)
    assert first.status_code == 303, re.findall(
        r'field-error">([^<]*)', first.get_data(as_text=True)
    )
    author.keep(plain)
    if scenario.close_with:
        author.client.post(first.headers["Location"] + scenario.close_with)
    created = Place(scenario.persona, first.headers["Location"])
    for place in scenario.places + ([created] if scenario.creates else []):
        reader.remember(place)
    form_page = Place(scenario.persona, scenario.form)
    reader.remember(form_page)

    # A web address field may refuse any script URL: that is what it is for.
    rounds = [(texts, True) for texts in payload_rounds(scenario, author)]
    rounds += [
        ({name: [payload] for name in scenario.urls}, False)
        for payload in (URL_PAYLOADS if scenario.urls else [])
    ]
    found, stored, refused = [], defaultdict(set), []
    for texts, must_take in rounds:
        typed = {name: joined(scenario, name, texts[name]) for name in texts}
        typed = {name: text for name, text in typed.items() if author.fits(name, text)}
        response = author.submit(typed)
        if response.status_code != 303:
            # A refused form shows the input again: that echo is a place too.
            echo = reader.problems(form_page, response.get_data(as_text=True))
            found += [(typed, "form echo", item) for item in echo]
            typed = {
                name: text
                for name, text in typed.items()
                if not refusable(scenario, name, text)
            }
            response = author.submit(typed)
        if response.status_code != 303:
            if must_take:
                errors = re.findall(r'field-error">([^<]*)', response.get_data(True))
                refused.append((typed, errors))
            continue

        for name in typed:
            stored[name] |= set(texts[name])
        places = scenario.places
        if scenario.creates:
            new = Place(scenario.persona, response.headers["Location"])
            reader.remember(new, like=created)
            places = [*places, new]
        found += [
            (typed, place.url, item)
            for place in places
            for item in reader.problems(place)
        ]
        if scenario.close_with:
            author.client.post(response.headers["Location"] + scenario.close_with)
    return found, stored, refused


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_payloads_in_the_fields_stay_inert_in_every_place(as_persona, world, name):
    scenario = SCENARIOS[name]

    found, stored, refused = run(scenario, as_persona, world)

    assert found == []
    # A field refuses only what it may: control characters, a line break in a line.
    assert refused == [], refused
    missing = {
        name: [
            payload.text
            for payload in PAYLOADS
            if payload not in stored[name]
            and not refusable(scenario, name, payload.text)
        ]
        for name in text_fields(scenario)
    }
    assert missing == {name: [] for name in text_fields(scenario)}
    assert min(len(stored[name]) for name in text_fields(scenario)) >= 50


def test_thread_titles_stay_inert_in_the_starters_notifications(as_persona, world):
    starter = author_of(as_persona, world, SCENARIOS["thread"])
    reply = Scenario("facilitator", "", [], markdown=["body"])
    reader = Reader(as_persona, world)
    notifications = Place("participant", "/notifications")
    reader.remember(notifications)

    found = set()
    titles = [p for p in PAYLOADS if not refusable(starter.scenario, "title", p.text)]
    for payload in titles:
        thread = starter.submit({"title": payload.text[:200], "body": "Vraag"})
        reply.form = thread.headers["Location"]
        author_of(as_persona, world, reply).submit({"body": "Antwoord"})
        found |= reader.problems(notifications)

    assert found == set()
    assert "Nieuwe reactie op" in reader.get(notifications)


def test_the_check_finds_every_payload_left_unescaped():
    missed = []
    for payload in PAYLOADS:
        if payload.kind == "html" and payload.text.startswith(("'", '"')):
            # An attribute breakout needs the attribute it breaks out of.
            page = f"<input value=\"{payload}\"><input value='{payload}'>"
        elif payload.kind == "html":
            page = payload.text
        elif payload.kind == "markdown":
            page = markdown.markdown(payload.text, extensions=["tables"])
        else:
            continue
        if not active_markup(page):
            missed.append(payload)

    assert missed == []


# Lessons, mails, calendar feeds and exports


def author_of(as_persona, world, scenario: Scenario) -> Author:
    return Author(Reader(as_persona, world), scenario)


def test_payloads_in_a_lesson_stay_inert_on_its_page(as_persona, world):
    lesson = Scenario(
        "facilitator",
        "/sprints/{sprint}/close",
        [],
        markdown=["worked", "did_not_work", "advice"],
    )
    texts = [p.text for p in PAYLOADS if not CONTROL.search(p.text)]
    reader = Reader(as_persona, world)
    reader.remember(Place("participant", "/lessons/{lesson}"))

    response = Author(reader, lesson).submit(
        {
            "worked": "\n\n".join(texts[0::3]),
            "did_not_work": "\n\n".join(texts[1::3]),
            "advice": "\n\n".join(texts[2::3]),
        }
    )

    assert response.status_code == 303, re.findall(
        r'field-error">([^<]*)', response.get_data(as_text=True)
    )
    page = reader.get(Place("participant", response.headers["Location"]))
    assert reader.problems(Place("participant", "/lessons/{lesson}"), page) == set()


def test_mails_with_payloads_are_plain_text_with_intact_headers(app, as_persona, world):
    with app.app_context():
        from hcimv_lc.accounts.models import User

        db.session.get(User, world.person("participant").id).email_feedback = True
        db.session.commit()
    invite = Scenario("facilitator", "/communities/{closed}/members", [], ["email"])
    writers = [
        (author_of(as_persona, world, SCENARIOS[name]), fields)
        for name, fields in [
            ("account name", ["name"]),
            ("community", ["name"]),
            ("log entry", ["what"]),
            ("comment", ["body"]),
        ]
    ]
    inviter = author_of(as_persona, world, invite)
    payloads = PAYLOADS

    for payload in payloads:
        for writer, fields in writers:
            writer.submit({name: payload.text[:100] for name in fields})
        inviter.submit({"email": "outsider@example.org"})

    with app.app_context():
        mails = list(outbox())
    assert len(mails) >= len(payloads)
    for message in mails:
        assert not message.is_multipart()
        assert message.get_content_type() == "text/plain"
        assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
        assert message["To"].count("@") == 1


def test_calendar_feeds_escape_payloads_so_they_stay_one_property(as_persona, world):
    sprint = author_of(as_persona, world, SCENARIOS["sprint"])
    meeting = author_of(as_persona, world, SCENARIOS["meeting"])
    feed_url = f"/calendar/sprints/{world.ids['sprint_token']}.ics"
    injection = "Hengelo END:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:nep; ,\\"
    texts = [injection] + [payload.text for payload in PAYLOADS]

    shown = 0
    for text in texts:
        one_line = " ".join(text.split())
        titled = sprint.submit({"title": one_line[:120]})
        placed = meeting.submit({"place": one_line[:200], "agenda": text})
        feed = as_persona("anonymous").get(feed_url)

        events = icalendar.Calendar.from_ical(feed.data).walk("VEVENT")
        assert feed.data.count(b"\r\nBEGIN:VEVENT\r\n") == len(events) == 1
        if placed.status_code == 303:
            shown += 1
            assert events[0]["LOCATION"] == one_line[:200]
            agenda = re.sub(r"\r\n?", "\n", text).strip()
            assert events[0]["DESCRIPTION"].strip() == agenda
        if titled.status_code == 303:
            assert events[0]["SUMMARY"] == one_line[:120]
    # The agenda is Markdown, which may refuse control characters but nothing else.
    assert shown >= len([text for text in texts if not CONTROL.search(text)])


def export_cells(content: bytes, file_format: str) -> list[str]:
    if file_format == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        return [
            cell.value
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str)
        ]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [
            cell
            for name in archive.namelist()
            for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            for cell in row
        ]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exports_neutralise_formulas_typed_into_entries_and_applications(
    app, as_persona, world, file_format
):
    with app.app_context():
        from hcimv_lc.communities.models import Community

        closed = db.session.scalar(
            db.select(Community.id).where(Community.slug == world.closed)
        )
    as_persona("participant").post(
        "/account/research",
        data={"community": str(closed), "given": "y", "include_reflections": "y"},
    )
    entry = author_of(as_persona, world, SCENARIOS["log entry"])
    application = author_of(as_persona, world, SCENARIOS["application"])
    formulas = [p.text for p in PAYLOADS if p.kind == "formula"]
    stored = set()
    for text in formulas:
        if entry.submit({"what": text, "reflection": text}).status_code == 303:
            stored.add(text)
        fields = {"mechanism": text, "outcome": text, "sector": text}
        if application.submit(fields).status_code == 303:
            stored.add(text)

    response = as_persona("researcher").post(
        f"/communities/{world.closed}/research/export",
        data={"dataset": "all", "file_format": file_format, "key": "een lange sleutel"},
    )

    assert response.status_code == 200
    cells = export_cells(response.data, file_format)
    typed = [cell for cell in cells if cell.lstrip("'").strip() in stored]
    assert len(stored) >= 4 and typed
    assert all(not cell.startswith(FORMULA_STARTS) for cell in typed)


@pytest.mark.parametrize(
    "url",
    [
        "/toolbox?q={}",
        "/communities?q={}",
        "/skills?q={}",
        "/toolbox/compare?sector={}",
    ],
)
def test_search_words_come_back_inert(client, url):
    from urllib.parse import quote

    baseline = client.get(url.format("warmtepomp")).get_data(as_text=True)

    found = {
        (payload.text, item)
        for payload in PAYLOADS + URL_PAYLOADS
        for item in find_active_markup(
            client.get(url.format(quote(payload.text))).get_data(as_text=True),
            baseline,
        )
    }

    assert found == set()
