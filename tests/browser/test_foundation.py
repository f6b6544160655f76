"""Log in, join a community through htmx, and switch the language, in Chromium."""

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_participant_logs_in_and_sees_their_community(page, live_server):
    log_in(page, live_server, "participant@example.org")

    assert page.locator(".greeting").inner_text().startswith("Hallo")
    assert page.locator("h1").inner_text() == "Leeractiviteit vastleggen"
    assert page.locator(".card a", has_text="Installateurs").count() == 1


def test_wrong_password_keeps_the_email_and_says_why(page, live_server):
    page.goto(f"{live_server}/login")
    page.fill("#email", "participant@example.org")
    page.fill("#password", "not the password")
    page.click("form button[type=submit]:has-text('Inloggen')")

    assert page.input_value("#email") == "participant@example.org"
    assert page.locator(".field-error").inner_text() != ""


def test_facilitator_of_another_region_joins_through_htmx(page, live_server):
    log_in(page, live_server, "facilitator2@example.org")
    page.goto(f"{live_server}/communities/installateurs-oost")
    page.evaluate("window.__still_the_same_page = true")

    page.click("#membership button:has-text('Lid worden')")
    page.locator("#membership", has_text="Leergemeenschap verlaten").wait_for()

    assert page.evaluate("window.__still_the_same_page") is True
    page.reload()
    assert page.locator("#membership", has_text="deelnemer").count() == 1


def test_refused_htmx_action_shows_why_instead_of_doing_nothing(page, live_server):
    page.expected_errors = ("status of 400 (BAD REQUEST)",)
    log_in(page, live_server, "facilitator2@example.org")
    page.goto(f"{live_server}/communities/installateurs-oost")
    # A token that no longer matches, as after the session ended in another tab.
    page.evaluate(
        """() => {
            document.body.setAttribute("hx-headers", '{"X-CSRFToken": "stale"}');
            for (const field of document.querySelectorAll("[name=csrf_token]")) {
                field.value = "stale";
            }
        }"""
    )

    # Join or leave (confirmed), whichever the shared database offers: both refused.
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#membership button")

    expect(page.locator("main h1")).to_have_text("Dat ging niet goed")
    assert page.locator("main .error-page a", has_text="startpagina").count() == 1


def test_community_filter_updates_the_list_while_typing(page, live_server):
    page.goto(f"{live_server}/communities")
    page.evaluate("window.__still_the_same_page = true")

    page.fill("#q", "installateurs")
    expect(page.locator("#community-list .card")).to_have_count(1)

    assert page.evaluate("window.__still_the_same_page") is True
    assert "q=installateurs" in page.url


def test_visitor_switches_the_language_to_english_and_back(page, live_server):
    page.goto(f"{live_server}/communities")

    page.click("button:has-text('English')")
    page.wait_for_load_state()
    english = page.locator("h1").inner_text()
    page.click("button:has-text('Nederlands')")
    page.wait_for_load_state()

    assert english == "Learning communities"
    assert page.locator("h1").inner_text() == "Leergemeenschappen"
    assert page.url.endswith("/communities")
