"""What a cron user sees: exit codes, monitors named in the run report, forced stops, full and read-only disks.

Real ``scrapy crawl``/``crawlall`` subprocesses against the local site on 127.0.0.1; a full disk
is a small tmpfs (the tests that need ``mount`` skip where it is not allowed).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.crawlutil import read_jsonl
from tests.localsite import STATE_COMPONENTS, serve_site
from tests.test_crawlall import ROOT, report, scrapy

pytestmark = pytest.mark.crawl


@pytest.fixture(scope="module")
def site():  # type: ignore[no-untyped-def]
    s = serve_site(pages=40, per_list=20)
    yield s
    s.stop()


def test_list_pages_without_article_links_fail(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The site root links list pages only: for localnews a section page that "changed its layout".
    proc = scrapy("crawlall", tmp_path, "localnews", "-a", f"start_urls={site.base_url}/")
    assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
    spider = report(tmp_path)["spiders"]["localnews"]  # type: ignore[index]
    assert spider["status"] == "failed" and spider["list_pages"] == 1 and spider["articles_found"] == 0
    assert "no article URL found" in spider["failed_monitors"]["List Pages Monitor"]
    assert "localnews: List Pages Monitor:" in proc.stdout


def test_pipeline_errors_fail_the_run(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pipelines = {**STATE_COMPONENTS["ITEM_PIPELINES"], "tests.flaky_pipeline.FlakyPipeline": 800}
    lists = f"start_urls={site.base_url}/list/1,{site.base_url}/list/2"
    cmd = scrapy_cmd("crawlall", tmp_path, "localnews", "-a", lists, "-s", f"ITEM_PIPELINES={json.dumps(pipelines)}")
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
    spider = report(tmp_path)["spiders"]["localnews"]  # type: ignore[index]
    assert spider["articles_stored"] == 36 == len(read_jsonl(tmp_path, "localnews"))
    assert spider["errors"] == 4
    assert spider["failed_monitors"]["Error Count Monitor"] == "4 ERROR line(s) logged, more than " \
                                                                "SPIDERMON_MAX_ERRORS (0): see the log"
    assert "localnews  failed" in proc.stdout


def test_plain_crawl_exit_code_follows_the_monitors(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = scrapy("crawl", tmp_path / "good", "localnews", "-a", f"start_urls={site.base_url}/list/1")
    assert good.returncode == 0, good.stderr[-2000:]
    assert len(read_jsonl(tmp_path / "good", "localnews")) == 20
    bad = scrapy("crawl", tmp_path / "bad", "localnews", "-a", f"start_urls={site.base_url}/")
    assert bad.returncode == 1
    assert bad.stderr.rstrip().splitlines()[-1].startswith("crawl localnews: FAILED (0 article(s) stored): ")
    assert "List Pages Monitor" in bad.stderr.rstrip().splitlines()[-1]
    # The monitors' log: every monitor of a healthy crawl passes (none skipped for a missing stat), the
    # bookkeeping action is not shown, and a failed monitor is one line with its reason, no traceback.
    spidermon = [line.split("[Spidermon] ", 1)[1] for line in good.stderr.splitlines() if "[Spidermon]" in line]
    assert "Error Count Monitor/Should log no more error lines than allowed... OK" in spidermon
    assert "OK" in spidermon and not any("ACTIONS" in line or "RecordResults" in line for line in spidermon)
    assert not any(word in good.stderr for word in ("ERROR", "WARNING"))  # what a cron user greps for
    assert "Traceback" not in bad.stderr
    assert "[Spidermon] FAIL: List Pages Monitor/List pages should give article URLs: 1 list page(s)" in bad.stderr


def test_forced_stop_reports_what_was_stored(tmp_path: Path) -> None:
    slow = serve_site(pages=200, per_list=200, delay=0.3)
    try:
        cmd = scrapy_cmd("crawlall", tmp_path, "localnews", "-a", f"start_urls={slow.base_url}/list/1",
                         "-s", "CONCURRENT_REQUESTS=4")
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while len(lines(tmp_path)) < 10 and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)  # the second Ctrl-C: Scrapy stops at once, no spider_closed
        out, err = proc.communicate(timeout=60)
    finally:
        slow.stop()
    assert proc.returncode == 1, out + err[-2000:]
    spider = report(tmp_path)["spiders"]["localnews"]  # type: ignore[index]
    stored = len(read_jsonl(tmp_path, "localnews"))
    assert stored >= 10 and spider["articles_stored"] == stored
    assert spider["status"] == "failed"
    assert any("stopped" in p for p in spider["problems"]), spider["problems"]


def lines(data_dir: Path) -> list[str]:
    return [line for p in data_dir.glob("localnews/*.jsonl") for line in p.read_text("utf-8").splitlines()]


def scrapy_cmd(command: str, data_dir: Path, *args: str) -> list[str]:
    settings = {"SPIDER_MODULES": "tests.spiders_state", "DATA_DIR": str(data_dir), "ROBOTSTXT_OBEY": "False",
                "AUTOTHROTTLE_ENABLED": "False", "TELNETCONSOLE_ENABLED": "False",
                **{k: json.dumps(v) for k, v in STATE_COMPONENTS.items()}}
    cmd = [str(ROOT / ".venv/bin/scrapy"), command]
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    return [*cmd, *args]  # after the defaults: a -s here wins


@contextmanager
def tmpfs(path: Path, size: str, read_only: bool = False) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()})")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_full_disk_fails_crawl_and_crawlall(tmp_path: Path) -> None:
    # ~1.8 KB an article: 600 never fit in 1 MB, so the disk fills mid-crawl, not in the closing write
    big = serve_site(pages=600, per_list=600)
    try:
        start = f"start_urls={big.base_url}/list/1"
        with tmpfs(tmp_path / "full", "1M") as disk:
            crawl = scrapy("crawl", disk, "localnews", "-a", start)
            last = crawl.stderr.rstrip().splitlines()[-1]
            stored = len(lines(disk))
        with tmpfs(tmp_path / "full2", "1M") as disk:
            run = scrapy("crawlall", disk, "localnews", "-a", start)
            runs = sorted((disk / "runs").glob("*")) if (disk / "runs").exists() else []
            written = [json.loads(p.read_text("utf-8")) for p in runs if p.suffix == ".json"]
            sizes = [p.stat().st_size for p in runs]
    finally:
        big.stop()
    assert crawl.returncode == 1
    assert last.startswith(f"crawl localnews: FAILED ({stored} article(s) stored): finish reason 'store_failed': ")
    assert "full" in last or "No space left" in last, last
    assert 0 < stored < 600
    assert run.returncode == 1, run.stdout + run.stderr[-2000:]
    assert "localnews  failed" in run.stdout
    assert 0 not in sizes  # never a 0-byte report: written whole, or not at all with the reason printed
    if written:
        assert written[0]["spiders"]["localnews"]["finish_reason"] == "store_failed"
    else:
        assert "crawlall: cannot write the run report" in run.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_state_on_a_full_disk_is_one_error_line(tmp_path: Path) -> None:
    # A disk so small that the state's first writes (the pending URLs of the list page, written by a spider
    # middleware) fail: one ERROR line and store_failed, not a traceback for every list page.
    big = serve_site(pages=300, per_list=100)
    try:
        with tmpfs(tmp_path / "tiny", "200k") as disk:
            lists = ",".join(f"{big.base_url}/list/{k}" for k in (1, 2, 3))
            crawl = scrapy("crawl", disk, "localnews", "-a", f"start_urls={lists}")
    finally:
        big.stop()
    assert crawl.returncode == 1
    assert "finish reason 'store_failed': " in crawl.stderr.rstrip().splitlines()[-1]
    assert "Spider error processing" not in crawl.stderr and "Error processing" not in crawl.stderr
    assert len([line for line in crawl.stderr.splitlines() if "Cannot write" in line]) == 1, crawl.stderr[-3000:]


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_read_only_data_dir_is_one_line_and_exit_1(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with tmpfs(tmp_path / "ro", "1M", read_only=True) as disk:
        crawl = scrapy("crawl", disk, "localnews", "-a", f"start_urls={site.base_url}/list/1")
        run = scrapy("crawlall", disk, "localnews", "-a", f"start_urls={site.base_url}/list/1")
    assert crawl.returncode == 1
    assert crawl.stderr.rstrip().splitlines()[-1] == f"crawl localnews: cannot use DATA_DIR {disk}: Read-only file " \
                                                     "system"
    assert "Traceback" not in crawl.stderr and "Spider opened" not in crawl.stderr  # refused before the crawl
    assert run.returncode == 1
    assert run.stderr.rstrip().splitlines()[-1] == f"crawlall: cannot use DATA_DIR {disk}: Read-only file system"


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_read_only_data_dir_with_a_state_is_not_called_damaged(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A DATA_DIR that holds a crawl, then mounted read-only: the WAL state cannot even be opened to read,
    # which is no damage; rebuilding it (the advice for a damaged file) would fail as well.
    start = f"start_urls={site.base_url}/list/1"
    with tmpfs(tmp_path / "data", "2M") as disk:
        first = scrapy("crawl", disk, "localnews", "-a", start)
        assert first.returncode == 0, first.stderr[-2000:]
        before = lines(disk)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        crawl = scrapy("crawl", disk, "localnews", "-a", start)
        rebuild = scrapy("rebuildstate", disk)
        after = lines(disk)
    assert crawl.returncode == 1
    assert crawl.stderr.rstrip().splitlines()[-1] == f"crawl localnews: cannot use DATA_DIR {disk}: Read-only file " \
                                                     "system"
    assert "damaged" not in crawl.stderr and "Traceback" not in crawl.stderr
    assert after == before and len(before) == 20
    assert rebuild.returncode == 1 and "Traceback" not in rebuild.stderr
    last = rebuild.stderr.rstrip().splitlines()[-1]
    assert last == f"rebuildstate: cannot rebuild the state: {disk}/state.sqlite: Read-only file system"
