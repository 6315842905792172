"""`scrapy crawlall` and `scrapy duplicates` as real subprocesses: report, exit codes, lock."""

from __future__ import annotations

import fcntl
import json
import subprocess
from pathlib import Path

import pytest

from tests.localsite import STATE_COMPONENTS, serve_site

pytestmark = pytest.mark.crawl

ROOT = Path(__file__).resolve().parent.parent


def scrapy(command: str, data_dir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    settings = {"SPIDER_MODULES": "tests.spiders_state", "DATA_DIR": str(data_dir), "ROBOTSTXT_OBEY": "False",
                "AUTOTHROTTLE_ENABLED": "False", "TELNETCONSOLE_ENABLED": "False",
                **{k: json.dumps(v) for k, v in STATE_COMPONENTS.items()}}
    cmd = [str(ROOT / ".venv/bin/scrapy"), command, *args]
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def report(data_dir: Path) -> dict[str, object]:
    (path,) = sorted((data_dir / "runs").glob("*.json"))
    return dict(json.loads(path.read_text("utf-8")))


@pytest.fixture(scope="module")
def site():  # type: ignore[no-untyped-def]
    s = serve_site(pages=40, per_list=20, copies={"/article/copy-1.html": (1, "exact")})
    yield s
    s.stop()


def test_healthy_run_reports_and_lists_duplicates(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    proc = scrapy("crawlall", tmp_path, "localnews", "-a", f"start_urls={site.base_url}/list/1,{site.base_url}/list/2")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    spider = report(tmp_path)["spiders"]["localnews"]  # type: ignore[index]
    assert spider["status"] == "ok" and spider["articles_stored"] == 40 and spider["duplicates"] == {"exact": 1}
    assert spider["pages_fetched"] == 43 and spider["fallback_rates"] == {}
    assert "localnews  ok" in proc.stdout and "report:" in proc.stdout

    listed = scrapy("duplicates", tmp_path, "--spider", "localnews", "--json")
    assert listed.returncode == 0, listed.stderr[-2000:]
    (record,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert record["kind"] == "exact" and {record["url"], record["duplicate_of"]} == {
        f"{site.base_url}/article/1.html", f"{site.base_url}/article/copy-1.html"}


def test_broken_layout_and_nothing_stored_fail_the_run(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    proc = scrapy("crawlall", tmp_path, "localbroken", "localempty", "-a", f"start_urls={site.base_url}/list/1")
    assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
    spiders = report(tmp_path)["spiders"]
    broken, empty = spiders["localbroken"], spiders["localempty"]  # type: ignore[index]
    assert broken["status"] == "failed" and broken["fallback_rates"]["body"] == 1.0
    assert broken["problems"] == [broken["problems"][0]] and "Fallback Rate Monitor" in broken["failed_monitors"]
    assert "layout" in broken["problems"][0] and "body 100%" in broken["problems"][0]
    # Both spiders crawl the same list in one process and share the stored-URL state, so localempty
    # may find some of its 20 article URLs already stored by localbroken and skip them.
    assert empty["status"] == "failed" and empty["articles_stored"] == 0
    assert set(empty["drops"]) == {"rejected/no_body"} and 0 < empty["drops"]["rejected/no_body"] <= 20
    assert "stored nothing" in empty["failed_monitors"]["Article Count Monitor"]
    assert any(line.startswith("localempty: Article Count Monitor:") and "stored nothing" in line
               for line in proc.stdout.splitlines()), proc.stdout


def test_overlapping_run_exits_at_once(tmp_path: Path) -> None:
    with (tmp_path / "crawlall.lock").open("a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("pid 1 since earlier\n")
        held.flush()
        proc = scrapy("crawlall", tmp_path, "localnews", timeout=60)
    assert proc.returncode == 75
    assert "another run holds" in proc.stderr
    assert not (tmp_path / "runs").exists()
