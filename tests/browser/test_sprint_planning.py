"""A facilitator plans a sprint, meetings and a challenge; moves it on the board."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, log_in


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_facilitator_plans_a_sprint_and_moves_a_challenge(page, live_server, viewport):
    title = f"Sprint op {viewport['width']} pixels"
    challenge = f"Uitdaging op {viewport['width']} pixels"
    log_in(page, live_server, "facilitator@example.org")

    page.goto(f"{live_server}/communities/installateurs-oost")
    page.click("text=Sprint plannen")
    page.fill("#title", title)
    page.fill("#start_date", "2027-03-01")
    page.fill("#weeks", "12")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".timeline li")).to_have_count(12)

    page.click("text=Reeks plannen")
    page.select_option("#weekday", "1")
    page.fill("#start_time", "15:30")
    page.fill("#end_time", "17:00")
    page.fill("#place", "Praktijklokaal Hengelo")
    page.click("main form button[type=submit]")
    expect(page.locator(".meetings > li")).to_have_count(12)
    sprint_url = page.url.split("#")[0]

    page.goto(f"{live_server}/communities/installateurs-oost/challenges/new")
    page.fill("#title", challenge)
    page.fill("#description", "Een echte vraag van een installatiebedrijf.")
    page.check("text=Bram Kuipers")
    page.click("main form button[type=submit]:has-text('Opslaan')")
    page.select_option("#sprint", label=title)
    page.click("form.row-form button:has-text('Verplaatsen')")

    page.goto(sprint_url)
    page.evaluate("window.__still_the_same_page = true")
    card = page.locator(".challenge-card", has_text=challenge)
    card.locator("button", has_text="Naar Bezig").click()

    column = page.locator(".board-column", has_text="Bezig")
    expect(column.locator(".challenge-card", has_text=challenge)).to_have_count(1)
    assert page.evaluate("window.__still_the_same_page") is True
    page.reload()
    expect(column.locator(".challenge-card", has_text=challenge)).to_have_count(1)
