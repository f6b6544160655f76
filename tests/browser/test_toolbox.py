"""A researcher publishes a tool, a facilitator applies it, the comparison shows it."""

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_tool_is_published_applied_and_compared(browser, page, live_server):
    log_in(page, live_server, "researcher@example.org")
    page.goto(f"{live_server}/tools/new")
    page.fill("#title", "Bouwplaatsgesprek")
    page.fill("#summary", "Een kort gesprek op de bouwplaats over wat je leerde.")
    page.fill("#body", "Vijf vragen, **tien minuten**, elke week.")
    page.select_option("#kind", "method")
    page.select_option("#level", "company")
    page.check("input[name=themes][value=companies]")
    page.select_option("#status", "published")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Bouwplaatsgesprek")
    tool_url = page.url

    other = browser.new_context(viewport={"width": 390, "height": 844})
    facilitator = other.new_page()
    log_in(facilitator, live_server, "facilitator@example.org")
    facilitator.goto(tool_url)
    facilitator.click("text=Toepassing vastleggen")
    facilitator.fill("#sector", "Installatietechniek")
    facilitator.select_option("#company_size", "small")
    facilitator.fill(
        "#mechanism", "Door het samen te vragen durfden monteurs twijfels te noemen."
    )
    facilitator.fill("#outcome", "Drie teams houden het gesprek nu zelf elke week.")
    facilitator.get_by_text("5", exact=True).click()
    facilitator.click("main form button[type=submit]")
    expect(facilitator.locator("h1")).to_contain_text(
        "Toepassing van Bouwplaatsgesprek"
    )

    facilitator.goto(f"{live_server}/toolbox/compare?company_size=small")
    row = facilitator.locator("tr", has_text="Bouwplaatsgesprek")
    expect(row).to_contain_text("1×")
    expect(row).to_contain_text("5.0")
    expect(row).to_contain_text("Drie teams houden het gesprek nu zelf elke week.")
    other.close()
