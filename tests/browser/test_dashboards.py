"""A facilitator reads the sprint dashboard: charts drawn, their numbers in tables."""

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_facilitator_reads_the_numbers_of_a_chart_in_its_table(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "facilitator@example.org")
    page.goto(f"{live_server}/communities/installateurs-oost")
    page.get_by_role("link", name="Warmtepompen in bestaande bouw").first.click()
    page.get_by_role("button", name="Dashboard").click()

    figure = page.locator("figure#active")
    expect(figure.get_by_role("heading")).to_have_text("Actieve deelnemers per week")
    # The chart is drawn (Chart.js sizes its canvas) from the same numbers.
    expect(figure.locator("canvas")).to_have_attribute("data-drawn", "yes")
    table = figure.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Actief")).to_be_visible()
    first_week = table.get_by_role("row").nth(1)
    expect(first_week.get_by_role("rowheader")).to_have_text("1")
    active = int(first_week.get_by_role("cell").nth(1).inner_text())
    assert active >= 0

    with page.expect_download() as download:
        figure.get_by_role("link", name="Download deze cijfers als CSV").click()
    assert download.value.suggested_filename == "active.csv"
