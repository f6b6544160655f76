"""In Chromium, payloads stored through the forms never run, even without the CSP.

Two new people plant every payload through the real forms: Anouk (a facilitator
of the demo) starts a community, a thread and a tool; a newcomer whose name is a
payload joins, replies, claims a skill, withdraws its badge with a reason and shares
the skill. The pages are then opened with the Content-Security-Policy switched off,
so only escaping and sanitising stand between the payloads and the page.
"""

import re
from datetime import date, timedelta

import pytest

from hcimv_lc import seed as demo
from tests.test_xss import CONTROL, read_form
from tests.xss_payloads import PAYLOADS

FACILITATOR = "anouk.verhoeven@example.org"
NEWCOMER = "xss.proef@example.org"
CANARY_WORD = "Canarische"
# Every payload that runs code sets window.__xss or opens a dialog.
RICH = "\n\n".join(
    payload.text
    for payload in PAYLOADS
    if payload.kind in {"html", "markdown", "evasion", "template", "encoded"}
    and not CONTROL.search(payload.text)
)
LINE = "\"><svg onload=window.__xss=1><img src=x onerror=alert(1)>'"
NAME = "<img src=x onerror=alert(1)> Xander"


class Writer:
    """Fill the app's forms in a browser context, as the person signed in there."""

    def __init__(self, context, base_url: str):
        self.request = context.request
        self.base_url = base_url

    def fill(self, path: str, texts: dict, choose=(), on: str = ""):
        """Submit the form of the page `on` (the form's own URL unless given)."""
        url = self.base_url + path
        page = self.request.get(self.base_url + (on or path)).text()
        _action, values, _ = read_form(page, list(texts), list(choose))
        values.update(texts)
        response = self.request.post(
            url,
            form={
                name: value[0] if isinstance(value, list) else value
                for name, value in values.items()
            },
            headers={"X-CSRFToken": values["csrf_token"][0]},
            max_redirects=0,
        )
        errors = re.findall(r'field-error">([^<]*)', response.text())
        assert response.status == 303, (path, response.status, errors)
        return response.headers.get("location", "")

    def post(self, path: str) -> str:
        page = self.request.get(self.base_url + "/").text()
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        response = self.request.post(
            self.base_url + path, headers={"X-CSRFToken": token}, max_redirects=0
        )
        return response.headers.get("location", "")


def signed_in(browser, base_url: str, email: str, password=demo.DEMO_PASSWORD):
    context = browser.new_context(bypass_csp=True)
    Writer(context, base_url).fill("/login", {"email": email, "password": password})
    return context


@pytest.fixture(scope="module")
def planted(browser, live_server):
    """Plant the payloads; return the pages that show them, by who may see them."""
    newcomer = browser.new_context(bypass_csp=True)
    Writer(newcomer, live_server).fill(
        "/register",
        {
            "name": NAME,
            "email": NEWCOMER,
            "password": "een lang proefwachtwoord",
            "confirm": "een lang proefwachtwoord",
        },
    )
    facilitator = signed_in(browser, live_server, FACILITATOR)
    anouk, xander = Writer(facilitator, live_server), Writer(newcomer, live_server)

    community = anouk.fill(
        "/communities/new",
        {"name": f"{CANARY_WORD} {LINE}"[:120], "description": RICH, "is_open": "y"},
    )
    xander.post(community + "/join")
    thread = anouk.fill(community + "/discussion/new", {"title": LINE, "body": RICH})
    xander.fill(thread, {"body": RICH})
    own_thread = xander.fill(
        community + "/discussion/new", {"title": LINE, "body": "Wie weet het?"}
    )
    anouk.fill(own_thread, {"body": RICH})
    tool = anouk.fill(
        "/tools/new",
        {
            "title": f"{CANARY_WORD} {LINE}",
            "summary": RICH[:500],
            "body": f"{CANARY_WORD}\n\n{RICH}",
            "status": "published",
            "visibility": "public",
        },
    )
    claim = xander.fill(
        "/claims/new",
        {"narrative": RICH, "link_title": LINE, "link_url": "https://example.org/"},
        choose=["level"],
    )
    anouk.fill(
        claim + "/review",
        {"decision": "validate", "comment": RICH[:2000]},
        choose=["level"],
        on=claim,
    )
    # The holder withdraws the badge with a reason, which both of them see.
    badge = xander.post(claim + "/badge")
    xander.fill(badge + "/revoke", {"reason": LINE}, on=badge)
    expires = str(date.today() + timedelta(days=30))
    xander.fill(
        "/passport/shares", {"label": LINE, "expires_on": expires}, choose=["skills"]
    )
    shares = newcomer.request.get(live_server + "/passport/shares").text()
    share = re.search(r"/s/[A-Za-z0-9_-]+", shares).group(0)
    facilitator.close()
    newcomer.close()
    return {
        FACILITATOR: [community, "/communities", thread, tool, "/notifications", badge],
        NEWCOMER: [
            f"/toolbox?q={CANARY_WORD}",
            f"/communities?q={CANARY_WORD}",
            "/notifications",
            own_thread,
            claim,
            badge,
            "/passport",
            share,
        ],
    }


# The app has no inline handlers of its own: any on* attribute was planted.
CANARY_CHECK = """() => {
    const bad = ["javascript:", "data:", "vbscript:"];
    const links = [...document.querySelectorAll("[href], [src], [action]")]
        .map(e => e.href || e.src || e.action || "")
        .filter(u => bad.some(s => String(u).toLowerCase().startsWith(s)));
    const handlers = [...document.querySelectorAll("*")].flatMap(
        e => [...e.attributes].filter(a => a.name.startsWith("on"))
            .map(a => `${a.name}=${a.value}`)
    );
    return {xss: window.__xss, links, handlers};
}"""

PROVOKE = """() => {
    for (const e of document.querySelectorAll("main *")) {
        for (const kind of ["mouseover", "mouseenter", "focus", "click"]) {
            if (kind === "click" && e.closest("a, button, form")) continue;
            e.dispatchEvent(new Event(kind, {bubbles: true}));
        }
        if (e.focus) e.focus();
    }
}"""


@pytest.mark.parametrize("email", [FACILITATOR, NEWCOMER])
def test_no_payload_runs_on_any_page_that_shows_them(
    browser, live_server, planted, email
):
    password = "een lang proefwachtwoord" if email == NEWCOMER else demo.DEMO_PASSWORD
    context = signed_in(browser, live_server, email, password)
    page = context.new_page()
    ran = []
    page.on("dialog", lambda dialog: (ran.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: ran.append(str(error)))

    results, shown = {}, {}
    for path in planted[email]:
        page.goto(live_server + path)
        page.mouse.move(10, 10)
        page.mouse.move(380, 800, steps=8)
        page.evaluate(PROVOKE)
        page.wait_for_timeout(50)
        results[path] = page.evaluate(CANARY_CHECK)
        shown[path] = any(
            mark in page.inner_text("main") for mark in ("__xss", "alert(1)", "7777")
        )
    context.close()

    clean = {"xss": None, "links": [], "handlers": []}
    assert results == {path: clean for path in results}
    assert ran == []
    # The payloads are on these pages as text, so the page really was tried.
    assert shown == {path: True for path in shown}
