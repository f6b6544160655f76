"""On a phone, by touch: a visitor records what a company needs, in a few minutes."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, log_in

SMALLEST_TARGET = 44


@pytest.fixture
def phone(browser):
    """A touch screen of 390 by 844; fails the test on a script error."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if message.type == "error" else None
        ),
    )
    yield page

    context.close()
    assert problems == []


# For each control of the form, what a thumb touches (the label of a chip, else the
# control itself): its box, and whether that spot of the screen shows it on top.
TOUCH_TARGETS = """form => [...form.querySelectorAll(
    "input:not([type=hidden]), select, button[type=submit]")].map(control => {
    const chip = ["radio", "checkbox"].includes(control.type);
    const target = chip ? form.querySelector(`label[for='${control.id}']`) : control;
    target.scrollIntoView({block: "center"});
    const box = target.getBoundingClientRect();
    const [middle, centre] = [box.x + box.width / 2, box.y + box.height / 2];
    const hit = document.elementFromPoint(middle, centre);
    return {
        name: control.id || control.innerText,
        x: box.x, width: box.width, height: box.height,
        onTop: !control.disabled && hit !== null && target.contains(hit),
    };
})"""


def test_visitor_records_a_company_visit_by_touch(phone, live_server):
    page = phone
    log_in(page, live_server, "participant@example.org")
    page.locator("header summary", has_text="Meer").tap()
    page.get_by_role("link", name="Bedrijfsbezoek vastleggen").tap()
    expect(page).to_have_url(f"{live_server}/regional/visits/new")
    form = page.locator("form.visit-form")
    for summary in form.locator("summary").all():
        assert summary.bounding_box()["height"] >= SMALLEST_TARGET
        summary.tap()

    targets = form.evaluate(TOUCH_TARGETS)
    assert len(targets) > 50
    for target in targets:
        fits = target["x"] >= 0 and target["x"] + target["width"] <= PHONE["width"]
        assert fits and target["onTop"], target
        assert min(target["height"], target["width"]) >= SMALLEST_TARGET, target
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    form.get_by_label("Bedrijf uit de lijst").select_option(
        label="Nijhof Klimaattechniek"
    )
    form.get_by_text("Installatietechniek", exact=True).tap()
    form.get_by_text("10 tot 50 medewerkers", exact=True).tap()
    now = form.locator("fieldset", has_text="Welke vaardigheden zijn nu nodig?")
    now.get_by_text("Warmtepomp inregelen", exact=True).tap()
    now.get_by_text("Ventilatiesysteem balanceren", exact=True).tap()
    later = form.locator("fieldset", has_text="over twee jaar nodig?")
    later.get_by_text("Installaties op afstand monitoren", exact=True).tap()
    for question in ("tijd om te leren", "van fouten", "kennis met elkaar"):
        form.locator("fieldset", has_text=question).get_by_text("4", exact=True).tap()
    form.get_by_label("Open vacatures").fill("2")
    form.get_by_label("Welke vacatures? (kort)").fill("Twee monteurs")
    form.get_by_role("button", name="Bezoek opslaan").tap()

    expect(page.locator(".flash")).to_contain_text(
        "Het bezoek aan Nijhof Klimaattechniek is vastgelegd."
    )
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Ventilatiesysteem balanceren, Warmtepomp inregelen")
    expect(facts).to_contain_text("Installaties op afstand monitoren")
    expect(facts).to_contain_text("Twente")
    another = page.get_by_role("button", name="Nog een bezoek vastleggen")
    expect(another).to_be_in_viewport()
    another.tap()
    expect(page).to_have_url(f"{live_server}/regional/visits/new")
