"""A skill claimed with a log entry, validated, issued as a badge and verified."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_claim_is_validated_issued_as_a_badge_and_verified(browser, live_server):
    participant = browser.new_context(viewport={"width": 390, "height": 844})
    page = participant.new_page()
    log_in(page, live_server, "participant@example.org")
    # Evidence from the log: an activity the facilitators may see.
    page.get_by_label("Wat heb je gedaan?").fill("Warmtepomp ingeregeld bij de klant")
    page.get_by_text("1 uur", exact=True).click()
    page.get_by_text("Meer: datum, uitdaging, vaardigheden, wie het ziet").click()
    page.get_by_label("Ik en de facilitatoren").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".flash")).to_contain_text("Vastgelegd")

    page.goto(f"{live_server}/passport")
    page.get_by_role("button", name="Vaardigheid claimen").click()
    page.get_by_label("Vaardigheid", exact=True).select_option(
        label="Warmtepomp inregelen"
    )
    page.get_by_text("3 · Ik kan het zelfstandig").click()
    page.get_by_label("Warmtepomp ingeregeld bij de klant").check()
    page.get_by_label("Wat heb je gedaan dat dit laat zien?").fill(
        "Zelf de stooklijn ingesteld en met de bewoner doorgenomen."
    )
    page.get_by_role("button", name="Claim indienen").click()
    expect(page.locator(".flash")).to_contain_text("ingediend")
    claim_url = page.url
    assert re.search(r"/claims/\d+$", claim_url)

    facilitator = browser.new_context(viewport={"width": 1280, "height": 900})
    review = facilitator.new_page()
    log_in(review, live_server, "facilitator@example.org")
    review.goto(f"{live_server}/claims/review")
    review.get_by_role("link", name="Warmtepomp inregelen").first.click()
    expect(review.locator("main")).to_contain_text("Warmtepomp ingeregeld bij de klant")
    review.get_by_label("Valideren", exact=True).check()
    review.get_by_role("button", name="Besluit opslaan").click()
    expect(review.locator(".flash")).to_contain_text("Vaardigheid gevalideerd")
    facilitator.close()

    page.goto(claim_url)
    expect(page.locator(".page-head")).to_contain_text("Gevalideerd")
    page.get_by_role("button", name="Badge uitgeven").click()
    expect(page.locator(".flash")).to_contain_text("uitgegeven en ondertekend")
    expect(page.locator("main")).to_contain_text("Echt en geldig")
    verify_url = page.url
    participant.close()

    # Anyone with the link can check it, signed in or not.
    visitor = browser.new_context()
    check = visitor.new_page()
    check.goto(verify_url)
    expect(check.locator("main")).to_contain_text("Echt en geldig")
    expect(check.locator("main")).to_contain_text("Warmtepomp inregelen")
    status = check.request.get(f"{verify_url}/verify.json").json()
    assert (status["status"], status["signature"]) == ("valid", "valid")
    visitor.close()
