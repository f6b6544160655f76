"""Every form and every filter survives hostile generated input without a 500.

Each route gets its own world and one signed-in client; Hypothesis then sends it
bodies built from the plausible one of tests/test_csrf.py, with fields changed,
dropped, repeated or added. `HYPOTHESIS_PROFILE=fuzz` (`make fuzz`) sends 1,000
examples per route; the default profile sends 10.
"""

import importlib
import inspect
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField

from hcimv_lc.extensions import db, limiter
from hcimv_lc.mail import outbox
from tests.access_table import ROUTES
from tests.conftest import PERSONAS, build_world, empty_database, sign_in
from tests.fuzz_strategies import (
    UNCLOSED_IPV6_HOST,
    files_in_text_fields,
    form_bodies,
    json_bodies,
    nameless_parts,
    raw_queries,
    text_values,
)
from tests.test_access import fill
from tests.test_csrf import ACTIONS, body_for, values_of

settings.register_profile(
    "fuzz",
    max_examples=1_000,
    deadline=None,
    database=None,
    # A failure is shown as it was generated: shrinking 100,000 characters is slow.
    phases=[Phase.explicit, Phase.generate, Phase.target],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
settings.register_profile(
    "quick",
    settings.get_profile("fuzz"),
    max_examples=10,
)
PROFILE = "fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "quick"
EXAMPLES = settings.get_profile(PROFILE).max_examples

FORM_CLASS = re.compile(r"\b([A-Z]\w*Form)\(")
QUERY_NAME = re.compile(r"request\.args(?:\.get\(|\[)\"(\w+)\"")
CALL = re.compile(r"\b(\w+)\(")
# The token rides in the header: a generated csrf_token field would only meet the
# CSRF check, which tests/test_csrf.py covers, instead of the form.
IGNORED_FIELDS = {"csrf_token", "submit"}
SIGNED_OUT = "/login"


def source_of(view) -> str:
    """Return the view's source and that of the module's functions it calls."""
    source = inspect.getsource(view)
    helpers = {
        value
        for name in CALL.findall(source)
        if inspect.isfunction(value := view.__globals__.get(name))
        and value.__module__ == view.__module__
    }
    return "\n".join([source, *(inspect.getsource(helper) for helper in helpers)])


def form_fields(view) -> dict[str, str]:
    """Return the names and field types of the WTForms classes the view builds."""
    source = source_of(view)
    modules = [value for value in view.__globals__.values() if inspect.ismodule(value)]
    fields = {}
    for name in FORM_CLASS.findall(source):
        form = view.__globals__.get(name) or next(
            (getattr(module, name) for module in modules if hasattr(module, name)),
            None,
        )
        for attribute in dir(form) if form else []:
            unbound = getattr(form, attribute)
            if isinstance(unbound, UnboundField) and attribute not in IGNORED_FIELDS:
                fields[attribute] = unbound.field_class.__name__
    return fields


@dataclass
class Target:
    """A route to fuzz: its method and URL, and the persona who may use it."""

    endpoint: str
    method: str
    template: str
    persona: str

    @property
    def id(self) -> str:
        return f"{self.method} {self.template}"


def post_targets() -> list[Target]:
    """Return one state-changing URL per route, as a persona who may act."""
    seen = set()
    targets = []
    for endpoint, method, template, persona in ACTIONS:
        if endpoint in seen:
            continue
        seen.add(endpoint)
        targets.append(Target(endpoint, method, template, persona))
    return targets


def view_of(endpoint: str):
    """Return the view of an endpoint without an app: blueprints share package names."""
    package, _dot, name = endpoint.rpartition(".")
    try:
        module = importlib.import_module(f"hcimv_lc.{package}.views")
    except ModuleNotFoundError:
        return None
    return getattr(module, name, None)


def reads_query(view) -> bool:
    source = source_of(view)
    return "request.args" in source or "page_number()" in source


def get_targets() -> list[Target]:
    """Return one URL per page that reads its query string, as a persona who may."""
    targets = []
    for endpoint, entries in ROUTES.items():
        view = view_of(endpoint)
        if view is None or not reads_query(view):
            continue
        for method, template, answers in entries:
            if method == "GET" and 200 in answers:
                persona = PERSONAS[answers.index(200)]
                targets.append(Target(endpoint, method, template, persona))
                break
    return targets


def query_fields(view) -> list[str]:
    source = source_of(view)
    names = set(form_fields(view)) | set(QUERY_NAME.findall(source))
    if "page_number()" in source:
        names.add("page")
    return sorted(names)


class Session:
    """One world and one signed-in client, rebuilt when an example used them up."""

    def __init__(self, app, world, target: Target, rebuilds: int):
        self.app = app
        self.world = world
        self.target = target
        self.rebuilds_left = rebuilds
        self.rebuilds = 0
        self.connect()

    def connect(self) -> None:
        person = self.world.person(self.target.persona)
        if person and not exists(self.app, person) and self.rebuilds_left:
            # The example deleted the persona's own account.
            self.rebuild()
            return

        self.client = self.app.test_client()
        self.rows = None
        if person and exists(self.app, person):
            sign_in(self.app, self.client, person)
        self.token = self.client.csrf_token()
        self.url = self.url_of(self.world)
        self.values = values_of(self.app, self.world)

    def rebuild(self) -> None:
        self.rebuilds_left -= 1
        self.rebuilds += 1
        empty_database(self.app)
        self.world = build_world(self.app)
        self.connect()

    def url_of(self, world) -> str:
        if self.target.endpoint == "accounts.reset_password":
            return f"/password/reset/{reset_token(self.app, world)}"
        if self.target.endpoint == "communities.invitation":
            return f"/invitations/{invitation_token(self.app, world)}"
        return fill(self.target.template, world)

    def recover(self, response) -> None:
        """Start again when the example used up its target or its session."""
        status = response.status_code
        signed_out = status == 302 and SIGNED_OUT in (response.location or "")
        if (status in (404, 410) or signed_out) and self.rebuilds_left:
            self.rebuild()
        elif signed_out or (status == 303 and self.session_changed()):
            # A success may have signed the visitor in or the person out.
            self.connect()

    def session_changed(self) -> bool:
        with self.client.session_transaction() as cookie:
            identity = cookie.get("_user_id")
            has_token = "csrf_token" in cookie
        signed_in = self.world.person(self.target.persona) is not None
        return not has_token or (identity is not None) != signed_in


def exists(app, person) -> bool:
    from hcimv_lc.accounts.models import User

    with app.app_context():
        return db.session.get(User, person.id) is not None


def reset_token(app, world) -> str:
    from hcimv_lc.accounts.models import User
    from hcimv_lc.accounts.service import make_reset_token

    with app.app_context():
        return make_reset_token(db.session.get(User, world.person("participant").id))


def invitation_token(app, world) -> str:
    from hcimv_lc.communities.models import Invitation
    from hcimv_lc.communities.service import hash_token
    from hcimv_lc.database import utcnow

    token = "fuzzed-invitation-token"
    with app.app_context():
        invitation = db.session.get(Invitation, world.ids["invitation"])
        invitation.email = world.person("outsider").email
        invitation.token_hash = hash_token(token)
        invitation.expires_at = utcnow().replace(year=utcnow().year + 1)
        db.session.commit()
    return token


def row_total(app) -> int:
    """Return the number of rows in all tables, in one round trip."""
    with app.app_context():
        quote = db.engine.dialect.identifier_preparer.quote
        counts = " + ".join(
            f"(SELECT count(*) FROM {quote(table.name)})"
            for table in db.metadata.sorted_tables
        )
        total = db.session.scalar(text(f"SELECT {counts}"))
        db.session.remove()
        return total


def fresh(value):
    """Return the value with a new stream: a sent upload is read to its end."""
    if isinstance(value, tuple) and isinstance(value[0], BytesIO):
        return (BytesIO(value[0].getvalue()), *value[1:])
    return value


def is_refusal(response) -> bool:
    """Tell whether the app turned the request down, beside the form or as a 400."""
    if response.status_code in (400, 422):
        return True
    return response.status_code == 200 and b'class="field-error"' in response.data


def send(session: Session, body) -> object:
    headers = {"X-CSRFToken": session.token}
    if body.is_json:
        return session.client.open(
            session.url,
            method=session.target.method,
            json=body.json,
            headers=headers,
            csrf=False,
        )

    data = MultiDict([(name, fresh(value)) for name, value in body.pairs])
    return session.client.open(
        session.url,
        method=session.target.method,
        data=data,
        headers=headers,
        csrf=False,
    )


def run_examples(app, session, strategy, exchange, answers, examples=EXAMPLES):
    """Send every generated example and check the answer and the database."""

    @settings(settings.get_profile(PROFILE), max_examples=max(examples, 1))
    @given(example=strategy)
    def example_never_fails(example):
        # Limits would answer 429 to most examples of the log-in and log routes.
        limiter.reset()
        if session.rows is None:
            session.rows = row_total(app)

        response = exchange(session, example)

        answers[response.status_code] += 1
        assert response.status_code < 500, response.get_data(as_text=True)[:500]
        before, session.rows = session.rows, None
        if is_refusal(response):
            session.rows = row_total(app)
            assert session.rows == before, "a refused request left rows behind"
        session.recover(response)

    example_never_fails()
    with app.app_context():
        outbox().clear()


def record(app, name, session, answers) -> None:
    """Append the answers to the file `FUZZ_REPORT` names, if any, as they come."""
    path = os.environ.get("FUZZ_REPORT")
    if not path:
        return

    engine = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0].split("+")[0]
    by_class = Counter(f"{status // 100}xx" for status in answers.elements())
    line = {
        "route": f"{engine} {name}",
        "examples": sum(answers.values()),
        "429": answers[429],
        "rebuilds": session.rebuilds,
        **by_class,
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as file:
        file.write(json.dumps(line) + "\n")


@pytest.mark.parametrize(
    "target", [pytest.param(target, id=target.id) for target in post_targets()]
)
def test_form_never_answers_a_server_error_to_generated_input(app, world, target):
    view = app.view_functions[target.endpoint]
    # A 404 or a lost session ends a route's use of its world: rebuild, but not often.
    session = Session(app, world, target, rebuilds=max(3, EXAMPLES // 20))
    plausible = body_for(target.endpoint, session.values)
    fields = sorted(set(form_fields(view)) | set(plausible))
    files = [name for name, kind in form_fields(view).items() if kind == "FileField"]
    answers = Counter()

    run_examples(app, session, form_bodies(fields, plausible, files), send, answers)

    record(app, target.id, session, answers)
    assert sum(answers.values()) >= EXAMPLES
    assert session.client.get("/").status_code == 200


# Bodies no browser sends but any client can. Flask-WTF alone answers each with a
# 500: hcimv_lc.forms.Form reads neither JSON nor uploads under text fields, and
# extensions.FormSafeCSRFProtect copes with a part whose name werkzeug reads as None.
WRONG_BODIES = {
    "JSON": json_bodies,
    "a file in a text field": files_in_text_fields,
    "a multipart part without a name": nameless_parts,
}


@pytest.mark.parametrize("kind", WRONG_BODIES)
def test_forms_never_answer_a_server_error_to_the_wrong_kind_of_body(app, world, kind):
    failing = []
    for target in post_targets():
        view = app.view_functions[target.endpoint]
        session = Session(app, world, target, rebuilds=0)
        plausible = body_for(target.endpoint, session.values)
        fields = sorted(set(form_fields(view)) | set(plausible))
        strategy = WRONG_BODIES[kind](fields)
        answers = Counter()

        try:
            # These bodies fail within the first examples: a few per route suffice.
            run_examples(app, session, strategy, send, answers, EXAMPLES // 50)
        except Exception as error:  # noqa: BLE001 - each route's failure is listed
            failing.append(f"{target.id}: {type(error).__name__}")
        record(app, f"{target.id} with {kind}", session, answers)

    assert not failing, f"{len(failing)} routes answer 500: {failing}"


# (persona, URL template, field) of a form per route that checks a web address.
WEB_ADDRESS_FIELDS = [
    ("facilitator", "/sprints/{sprint}/meetings/new", "online_url"),
    ("facilitator", "/sprints/{sprint}/meetings/series", "online_url"),
    ("facilitator", "/meetings/{meeting}/edit", "online_url"),
    ("participant", "/claims/{claim}/evidence", "link_url"),
    ("researcher", "/tools/{tool}/edit", "url"),
    ("admin", "/admin/organisations/new", "website"),
]


@pytest.mark.parametrize(("persona", "template", "field"), WEB_ADDRESS_FIELDS)
def test_web_address_with_an_unclosed_ipv6_host_is_refused_beside_the_field(
    as_persona, world, persona, template, field
):
    client = as_persona(persona)

    response = client.post(fill(template, world), data={field: UNCLOSED_IPV6_HOST})

    assert response.status_code in (200, 400)
    assert "Vul een volledig webadres in" in response.get_data(as_text=True)


def query_examples(fields, plausible):
    """Return query strings: the page's own filters changed, repeated or added."""
    kept = (
        st.lists(st.sampled_from(plausible), max_size=2) if plausible else st.just([])
    )
    pairs = st.lists(st.tuples(st.sampled_from(fields), text_values), max_size=8)
    unknown = st.lists(st.tuples(text_values, text_values), max_size=2)
    return st.one_of(
        st.builds(lambda *parts: sum(parts, []), kept, pairs, unknown),
        raw_queries,
    )


def send_query(session: Session, query) -> object:
    if isinstance(query, str):
        return session.client.get(session.url, query_string=query)
    return session.client.get(session.url, query_string=MultiDict(query))


# Last in the module: the shared world stays until the module ends.
@pytest.mark.reads_shared_world
@pytest.mark.parametrize(
    "target", [pytest.param(target, id=target.id) for target in get_targets()]
)
def test_filter_never_answers_a_server_error_to_generated_query(
    app, shared_world, target
):
    view = app.view_functions[target.endpoint]
    # A page that reads its query string must not write: one world serves them all.
    session = Session(app, shared_world, target, rebuilds=0)
    address = urlsplit(session.url)
    session.url = address.path
    strategy = query_examples(query_fields(view), parse_qsl(address.query))
    answers = Counter()

    run_examples(app, session, strategy, send_query, answers)

    record(app, target.id, session, answers)
    assert sum(answers.values()) >= EXAMPLES
    assert session.client.get("/").status_code == 200
