"""On a phone: log in three taps, and keep what was typed when the session ends."""

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_participant_logs_an_activity_in_three_taps(page, live_server):
    log_in(page, live_server, "participant@example.org")
    what = page.get_by_label("Wat heb je gedaan?")
    expect(what).to_be_in_viewport()

    what.fill("Thermostaat van de klant uitgelegd")
    page.get_by_text("1 uur", exact=True).click()
    page.get_by_role("button", name="Opslaan").click()

    expect(page.locator(".flash")).to_contain_text("Vastgelegd")
    page.goto(f"{live_server}/log")
    expect(
        page.locator(".entry", has_text="Thermostaat van de klant uitgelegd")
    ).to_contain_text("60 min")


def test_text_typed_while_the_session_ended_is_saved_after_log_in(
    browser, page, live_server
):
    email = "lotte.nijhuis@example.org"
    log_in(page, live_server, email)
    page.get_by_label("Wat heb je gedaan?").fill("Storing gezocht met de monteur")
    page.get_by_label("Wat heb je geleerd? (reflectie)").fill(
        "Eerst de foutcode lezen."
    )

    other = browser.new_context()
    laptop = other.new_page()
    log_in(laptop, live_server, email)
    laptop.goto(f"{live_server}/account/password")
    laptop.fill("#current", "learning-together")
    laptop.fill("#password", "een heel nieuw wachtwoord")
    laptop.fill("#confirm", "een heel nieuw wachtwoord")
    laptop.click("main form button[type=submit]")
    other.close()

    page.get_by_role("button", name="Opslaan").click()
    expect(page).to_have_url(f"{live_server}/login?next=/")
    page.fill("#email", email)
    page.fill("#password", "een heel nieuw wachtwoord")
    page.click("main form button[type=submit]")

    expect(page.locator(".flash", has_text="opgeslagen")).to_have_count(1)
    page.goto(f"{live_server}/log")
    entry = page.locator(".entry", has_text="Storing gezocht met de monteur")
    expect(entry).to_contain_text("Eerst de foutcode lezen.")
