"""The project's commands as a user runs them: subprocesses from the project root."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.fixtures import FIXTURES_DIR
from tests.crawlutil import ROOT

BRIDGE = FIXTURES_DIR / "generic" / "river-bridge.html"
BRIDGE_URL = "https://news.binjiang.example/article/2026/11/23/river-bridge.html"


def scrapy(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)


def test_extract_prints_one_item_and_touches_no_data_dir(tmp_path: Path) -> None:
    proc = scrapy("extract", str(BRIDGE), "--url", BRIDGE_URL, "-s", f"DATA_DIR={tmp_path}")
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, proc.stderr
    item = json.loads(lines[0])
    assert item["title"] == "滨江二桥主体合龙 明年五一前通车"
    assert item["published_at"] == "2026-11-23T09:30:12+08:00"
    assert item["site"] == "generic"
    assert list(tmp_path.iterdir()) == []


def test_extract_manifest_keeps_order_and_reports_errors(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    entries = [
        {"path": str(BRIDGE), "url": BRIDGE_URL, "spider": None},
        {"path": str(tmp_path / "missing.html"), "url": "https://x.example/a.html", "spider": None},
        {"path": str(FIXTURES_DIR / "generic" / "index.html"), "url": "https://news.binjiang.example/news/",
         "spider": "generic"},
    ]
    manifest.write_text("\n".join(json.dumps(e) for e in entries) + "\n")
    proc = scrapy("extract", "--manifest", str(manifest))
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == 3, proc.stderr
    assert out[0]["title"] == "滨江二桥主体合龙 明年五一前通车"
    assert "error" in out[1] and "error" in out[2]


def test_extract_manifest_answers_each_bad_line_and_goes_on(tmp_path: Path) -> None:
    good = json.dumps({"path": str(BRIDGE), "url": BRIDGE_URL})
    lines = [
        json.dumps({"path": str(BRIDGE)}),  # no url
        json.dumps({"path": str(BRIDGE), "url": None, "spider": None}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"path": str(BRIDGE), "url": BRIDGE_URL, "spider": "nosuchspider"}),
        json.dumps({"path": str(BRIDGE), "url": BRIDGE_URL, "captured_at": "yesterday"}),
        good,
    ]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join(lines) + "\n")
    proc = scrapy("extract", "--manifest", str(manifest))
    assert "Traceback" not in proc.stderr, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [("error" in line) for line in out] == [True] * 6 + [False], out
    assert "no http(s) url" in out[0]["error"] and "not JSON" in out[2]["error"]
    assert "nosuchspider" in out[4]["error"] and "captured_at" in out[5]["error"]
    assert out[6]["body"].startswith("11月22日上午")


def test_evaluate_scores_labelled_pages(tmp_path: Path) -> None:
    item = json.loads(BRIDGE.with_suffix(".json").read_text())["item"]
    case = tmp_path / "site" / "case1"
    case.parent.mkdir()
    shutil.copyfile(BRIDGE, case.with_suffix(".html"))
    label = {"id": "site/case1", "url": BRIDGE_URL, "spider": None, "expected": {
        "title": item["title"], "published_at": "2026-11-23 09:30", "body": item["body"]}}
    case.with_suffix(".json").write_text(json.dumps(label, ensure_ascii=False))
    proc = scrapy("evaluate", str(tmp_path))
    summary = next(line for line in proc.stdout.splitlines() if line.startswith("ALL"))
    assert summary.split()[1:5] == ["1", "1.000", "1.000", "1.000"], proc.stdout


def test_savefixture_shows_the_diff_and_overwrites_only_with_yes(tmp_path: Path) -> None:
    (tmp_path / "generic").mkdir()
    shutil.copyfile(BRIDGE, tmp_path / "generic" / "river-bridge.html")
    stored = json.loads(BRIDGE.with_suffix(".json").read_text(encoding="utf-8"))
    stored["item"]["title"] = "一个过时的标题"
    label = tmp_path / "generic" / "river-bridge.json"
    label.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")

    shown = scrapy("savefixture", "--refresh", "--fixtures", str(tmp_path))
    assert 'title: "一个过时的标题" -> "滨江二桥主体合龙 明年五一前通车"' in shown.stdout, shown.stdout + shown.stderr
    assert "not written (use --yes)" in shown.stdout
    assert json.loads(label.read_text(encoding="utf-8"))["item"]["title"] == "一个过时的标题"

    written = scrapy("savefixture", "--refresh", "--yes", "--fixtures", str(tmp_path))
    assert "generic/river-bridge: written" in written.stdout
    assert json.loads(label.read_text(encoding="utf-8"))["item"] == json.loads(
        BRIDGE.with_suffix(".json").read_text(encoding="utf-8"))["item"]
    assert "generic/river-bridge: unchanged" in scrapy("savefixture", "--refresh", "--fixtures", str(tmp_path)).stdout


@pytest.mark.parametrize(("args", "message"), [
    (["localnews", "-a", "limit=abc"], "-a limit='abc': expected a whole number >= 1"),
    (["localnews", "-a", "limit=0"], "-a limit='0': expected a whole number >= 1"),
    (["localnews", "-a", "since=bad"], "-a since='bad': expected a day as YYYY-MM-DD"),
    (["localnews", "-a", "start_urls=example.com/news"], "-a start_urls='example.com/news': expected an http://"),
    (["localnews", "-a", "url=ftp://example.com/a"], "-a url='ftp://example.com/a': expected an http://"),
    (["localnews", "-a", "full=maybe"], "-a full='maybe': expected 1/0"),
    (["generic", "-a", "start_urls=http://a.example/", "-a", "depth=-1"], "-a depth='-1': expected a whole number"),
    (["generic", "-a", "start_urls=http://a.example/", "-a", "allow=("], "-a allow='(': expected a regular expr"),
    (["generic", "-a", "start_urls=http://a.example/", "-a", "render_js=sometimes"], "-a render_js='sometimes': "
                                                                                     "expected 1/0/all"),
    (["generic"], "generic needs -a start_urls=URL[,URL] (list pages) or -a url=URL (one article)"),
    (["localnews", "-a", "limt=5"], "-a limt='5': unknown argument (localnews takes full, limit, since, start_urls, "
                                    "url, wait_selector)"),
    (["localnews", "-a", "max_list_pages=9"], "-a max_list_pages='9': unknown argument"),
    (["nosuchspider"], "unknown spider 'nosuchspider'"),
])
def test_bad_spider_arguments_are_one_line_before_any_crawl(args: list[str], message: str, tmp_path: Path) -> None:
    commands = ("crawl", "crawlall") if (args[0] in ("nosuchspider", "localnews") and "limit=abc" in str(args)) or \
        args == ["nosuchspider"] else ("crawl",)
    for command in commands:
        proc = scrapy(command, *args, "-s", "SPIDER_MODULES=crawler.spiders,tests.spiders_state",
                      "-s", f"DATA_DIR={tmp_path}")
        assert proc.returncode == 2, proc.stderr[-2000:]
        last = proc.stderr.rstrip().splitlines()[-1]
        assert last.split(": error: ", 1)[1].startswith(message), proc.stderr[-1000:]
        assert "Traceback" not in proc.stderr and "Scrapy 2" not in proc.stderr  # no crawl started
    assert list(tmp_path.iterdir()) == []


def test_extract_of_a_missing_file_is_one_line(tmp_path: Path) -> None:
    proc = scrapy("extract", str(tmp_path / "missing.html"), "--url", BRIDGE_URL)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.rstrip().splitlines()[-1].endswith(f": error: {tmp_path / 'missing.html'}: no such file")


def test_savefixture_of_a_404_url_is_one_line(tmp_path: Path) -> None:
    from tests.localsite import serve_site

    site = serve_site(pages=1)
    try:
        proc = scrapy("savefixture", f"{site.base_url}/gone.html", "--spider", "generic", "--case", "gone",
                      "--fixtures", str(tmp_path))
    finally:
        site.stop()
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.rstrip().splitlines()[-1] == f"savefixture: cannot fetch {site.base_url}/gone.html: " \
                                                    "HTTP 404 Not Found"
    assert not (tmp_path / "generic" / "gone.html").exists()
