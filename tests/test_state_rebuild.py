"""A damaged state.sqlite: one line naming the file and the recovery; STATE_REBUILD / rebuildstate rebuild it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.crawlutil import read_jsonl, read_stats
from tests.localsite import serve_site
from tests.test_crawlall import ROOT
from tests.test_quiet_logs import run

pytestmark = pytest.mark.crawl


def damage(state: Path) -> None:
    for side in (state.with_name("state.sqlite-wal"), state.with_name("state.sqlite-shm")):
        side.unlink(missing_ok=True)
    data = bytearray(state.read_bytes())
    data[:100] = b"\x00garbage written over the header by a failing disk\x00".ljust(100, b"\xff")
    state.write_bytes(bytes(data))


@pytest.mark.parametrize("recovery", ["setting", "command"])
def test_damaged_state_names_the_file_and_rebuilds_from_jsonl(tmp_path: Path, recovery: str) -> None:
    site = serve_site(pages=30, per_list=30, copies={"/article/copy-1.html": (1, "exact")})
    start = f"start_urls={site.base_url}/list/1"
    try:
        site.copies, copies = {}, site.copies  # the first crawl sees no copy
        assert run("crawl", tmp_path, "localnews", "-a", start).returncode == 0
        site.copies = copies
        state = tmp_path / "state.sqlite"
        damage(state)
        refused = run("crawl", tmp_path, "localnews", "-a", start)
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert refused.stderr.rstrip().splitlines()[-1:] == [
            f"crawl localnews: {state} is damaged (file is not a database). The JSONL files hold everything it is "
            "built from: rebuild it with `scrapy rebuildstate` or add -s STATE_REBUILD=1 to this command (the "
            "damaged file is kept aside)"]
        if recovery == "command":
            rebuilt = subprocess.run([str(ROOT / ".venv/bin/scrapy"), "rebuildstate", "-s", f"DATA_DIR={tmp_path}",
                                      "-s", "SPIDER_MODULES=tests.spiders_state"], cwd=ROOT, capture_output=True,
                                     text=True, timeout=120, check=False)
            assert rebuilt.returncode == 0 and rebuilt.stdout.startswith("30 article(s) from 30 JSONL line(s)")
            again = run("crawl", tmp_path, "localnews", "-a", start)
        else:
            again = run("crawl", tmp_path, "localnews", "-a", start, "-s", "STATE_REBUILD=1")
            assert "state rebuilt from 30 JSONL line(s): 30 article(s); the old file is " in again.stderr
    finally:
        site.stop()
    assert again.returncode == 0, again.stderr[-3000:]
    stats = read_stats(tmp_path)
    assert stats["incremental/skipped"] == 30  # every URL known again
    assert stats["dedup/exact"] == 1 and stats.get("store/items") is None  # content hashes known again
    assert len(read_jsonl(tmp_path, "localnews")) == 30
    assert len(list(tmp_path.glob("state.sqlite.broken-*"))) == 1


def test_a_sound_state_in_a_read_only_folder_is_not_called_damaged(tmp_path: Path) -> None:
    from scrapy.settings import Settings

    from crawler.state.rebuild import StateUnreadable, check_state
    from crawler.state.sqlite import SQLiteStore

    folder = tmp_path / "ro"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True,
                      check=False).returncode:
        pytest.skip("mounting a tmpfs is not allowed here")
    try:
        SQLiteStore(folder / "state.sqlite").close()
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        with pytest.raises(StateUnreadable) as raised:
            check_state(Settings({"STATE_BACKEND": "sqlite", "STATE_PATH": str(folder / "state.sqlite")}))
        assert "not writable" in str(raised.value) and "damaged" not in str(raised.value)
    finally:
        subprocess.run(["umount", str(folder)], check=False)
