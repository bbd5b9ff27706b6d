from __future__ import annotations

from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from searches import services
from searches.models import Search
from tests.browser.signing_in import sign_in
from workers.inline import run_inline


def test_the_leaderboard_pages_fits_the_window_and_the_trait_charts_have_titles_and_whole_ranges(
    live_server, browser, small_spec
):
    user = get_user_model().objects.create_user("ada", password="correct-horse-9")
    small_spec["ga"].update(population=20, generations=3, elite_previous=5, elite_all_time=5)
    small_spec["seed"] = 2  # whose best has an immigrant among its ancestors
    search = run_inline(services.search_create(spec=small_spec, owner=user, execution=Search.Execution.INLINE).pk)
    ranked = search.entities.filter(status="done").count()
    sign_in(browser, live_server, "ada", "correct-horse-9")
    browser.get(f"{live_server.url}/searches/{search.pk}/")
    wait = WebDriverWait(browser, 30)
    count = lambda d: d.find_element(By.ID, "leaderboard-count").text  # noqa: E731
    wait.until(lambda d: count(d) == f"ranks 1-25 of {ranked}")

    # Every trait column is readable without sideways scrolling, in a 1400 px window.
    fits = browser.execute_script(
        "const t = document.getElementById('leaderboard'); return t.scrollWidth <= t.parentElement.clientWidth;"
    )
    assert fits, "the leaderboard scrolls sideways at 1400 px"

    browser.find_element(By.ID, "leaderboard-next").click()
    wait.until(lambda d: count(d) == f"ranks 26-50 of {ranked}")
    first = browser.find_element(By.CSS_SELECTOR, "#leaderboard tbody tr td").text
    assert first == "26"
    assert browser.find_element(By.ID, "leaderboard-previous").is_displayed()

    titles = browser.execute_script(
        "return [...document.querySelectorAll('#histograms .small-chart')].map((d) => "
        "[d.querySelector('.g-xtitle').textContent, d.querySelector('.g-ytitle').textContent]);"
    )
    assert [x for x, _ in titles][:2] == ["flag", "width"] and {y for _, y in titles} == {"candidates"}
    # "width" runs over 1, 3, 5, 7, 9: its axis has all five, whichever the population holds.
    widths = browser.execute_script(
        "return document.querySelectorAll('#scatter .small-chart')[1]._fullLayout.xaxis._categories;"
    )
    assert widths == ["1", "3", "5", "7", "9"]

    # The best's family tree, drawn under the charts.
    wait.until(lambda d: "(the best)" in d.find_element(By.ID, "family-title").text)
    nodes = browser.execute_script("return document.querySelectorAll('#family-chart .scatterlayer .point').length")
    assert nodes >= 3  # the best and its two parents at least

    # Its labels are readable, and an immigrant parent sits half a row above its child, not on its row.
    drawn = browser.execute_script(
        "const d = document.getElementById('family-chart').data; const nodes = d[d.length - 1];"
        "return {size: nodes.textfont.size, rows: nodes.y, symbols: nodes.marker.symbol};"
    )
    assert drawn["size"] >= 11
    placed = list(zip(drawn["rows"], drawn["symbols"], strict=True))
    assert "diamond" in drawn["symbols"], "this search's best has an immigrant among its ancestors"
    assert all(row % 1 == (0.5 if symbol == "diamond" else 0) for row, symbol in placed)
    # The first generation's points are drawn in a blue that shows, not a near-white.
    first = browser.execute_script(
        "return document.querySelectorAll('#scatter .small-chart')[0].data[0].marker.colorscale[0][1];"
    )
    assert first == "#9ecae1"
