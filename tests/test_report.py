"""The HTML run report as a person sees it: two real crawlall runs, opened in headless Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.browser import CHROMIUM_PATH, browser_problem, launch_options
from crawler.report import spider_summary, svg_plot
from tests.localsite import serve_site
from tests.test_crawlall import scrapy

needs_chromium = pytest.mark.skipif(
    browser_problem(Settings({"PLAYWRIGHT_LAUNCH_OPTIONS": launch_options()})) is not None,
    reason=f"Chromium is not installed at {CHROMIUM_PATH}: `apt-get install chromium` (make test does)",
)


def test_svg_plot_scales_bars_to_the_largest_value() -> None:
    svg = svg_plot("stored", {"stored": [10.0, 5.0, 0.0]}, ["a", "b", "c"])
    assert svg.count("<rect") == 3 and "stored 0" in svg
    heights = [float(part.split('height="')[1].split('"')[0]) for part in svg.split("<rect")[1:]]
    assert heights[0] == pytest.approx(2 * heights[1]) and heights[2] == 0


def test_a_failed_request_counts_once() -> None:
    # A 404 article is counted as HttpError and, in detail, as http_404: one failure, not two.
    stats = {"articles/failed/HttpError": 3, "articles/failed/http_404": 2, "articles/failed/http_503": 1,
             "articles/failed/TimeoutError": 1}
    assert spider_summary(stats, [])["failures"] == 4


@pytest.mark.crawl
@needs_chromium
def test_run_report_renders_table_plots_and_marks_a_failed_site(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    site = serve_site(pages=40, per_list=20)
    try:
        first = scrapy("crawlall", tmp_path, "localnews", "-a", f"start_urls={site.base_url}/list/1")
        assert first.returncode == 0, first.stdout + first.stderr[-2000:]
        # Second run: localnews is healthy (list 2 gives 20 new articles); localbroken's body selector misses.
        second = scrapy("crawlall", tmp_path, "localnews", "localbroken", "-a", f"start_urls={site.base_url}/list/2")
        assert second.returncode == 1
    finally:
        site.stop()
    pages = sorted((tmp_path / "runs").glob("2*.html"))
    assert len(pages) == 2 and (tmp_path / "runs" / "index.html").is_file()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.goto(pages[-1].as_uri())
            rows = page.locator("#sites tbody tr")
            assert rows.count() == 2
            broken = page.locator('#sites tr[data-site="localbroken"]')
            assert broken.get_attribute("class") == "failed"
            assert broken.locator(".badge").inner_text() == "FAILED" and broken.locator(".badge").is_visible()
            assert "Fallback Rate Monitor" in broken.locator(".problems").inner_text()
            assert page.locator('#sites tr[data-site="localnews"] .badge').inner_text() == "OK"
            # red row, visibly different from the healthy one
            colors = [page.locator(f'#sites tr[data-site="{s}"] td').first.evaluate(
                "e => getComputedStyle(e).backgroundColor") for s in ("localbroken", "localnews")]
            assert colors[0] != colors[1]
            # localnews has two runs: two bars, drawn in proportion to what each run stored (the two spiders of
            # the second run share the stored-URL state, so they may split list 2 between them)
            plots = page.locator('.plots[data-site="localnews"] svg')
            assert plots.count() == 5
            bars = page.locator('.plots[data-site="localnews"] figure').first.locator("rect.bar")
            assert bars.count() == 2
            stored = [json.loads(p.with_suffix(".json").read_text())["spiders"]["localnews"]["articles_stored"]
                      for p in pages]
            heights = [(bars.nth(i).bounding_box() or {"height": 0.0})["height"] for i in range(2)]
            assert stored[0] == 20 and heights[0] > 20
            assert heights[1] / heights[0] == pytest.approx(stored[1] / stored[0], rel=0.05)
            assert page.locator('.plots[data-site="localbroken"] polyline, .plots[data-site="localbroken"] rect')\
                .count() >= 1
            page.screenshot(path=str(tmp_path / "run-report.png"), full_page=True)

            page.goto((tmp_path / "runs" / "index.html").as_uri())
            assert page.locator("#runs tbody tr").count() == 2
            assert page.locator("#runs tbody tr").first.get_attribute("class") == "failed"  # newest first
            page.screenshot(path=str(tmp_path / "index.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "run-report.png").stat().st_size > 10_000
