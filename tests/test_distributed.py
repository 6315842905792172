"""Distributed crawling against a real redis-server on 127.0.0.1 and a local site.

Unit tests drive ``RedisScheduler`` directly (pop into the in-flight hash, acknowledgement,
re-queue of a dead worker); crawl tests run two ``scrapy crawl`` workers as subprocesses and
assert on their JSONL files: every article exactly once, both workers stored some, and a
worker killed with ``kill -9`` mid-crawl loses nothing.

redis-server comes from Debian's ``redis-server`` package (``make test`` installs it when
missing); without it these tests are skipped with that instruction.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.crawlutil import parse_stats

ROOT = Path(__file__).resolve().parent.parent
REDIS_CANDIDATES = ("redis-server", "/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server")
DEDUP = "crawler.pipelines.deduplicate_articles.DeduplicateArticlesPipeline"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_redis_server() -> str | None:
    for candidate in REDIS_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway redis-server on a free port of 127.0.0.1, without persistence; its URL."""
    binary = find_redis_server()
    if binary is None:
        pytest.skip("redis-server not found: apt-get install -y redis-server (make test installs it)")
    import redis

    port = _free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if proc.poll() is not None:
                    pytest.fail(f"redis-server exited with {proc.returncode}")
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not answer within 5 s")
        yield url
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def redis_client(redis_server: str) -> Iterator[Any]:
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    yield client
    client.close()


# Scheduler, driven directly ------------------------------------------------------------------


def _scheduler(redis_url: str, worker: str, **settings: Any) -> Any:
    from scrapy.utils.test import get_crawler

    from crawler.distributed import redis_settings
    from crawler.distributed.scheduler import RedisScheduler
    from crawler.spiders.generic import GenericSpider

    crawler = get_crawler(GenericSpider, {**redis_settings(redis_url, worker), "WORKER_HEARTBEAT_TTL": 3,
                                          **settings})
    spider = GenericSpider.from_crawler(crawler, start_urls="http://127.0.0.1:1/", allow="/article/")
    crawler.spider = spider
    scheduler = RedisScheduler.from_crawler(crawler)
    scheduler.open(spider)
    return scheduler


def test_popped_request_stays_in_flight_until_released(redis_client: Any, redis_server: str) -> None:
    sched = _scheduler(redis_server, "a")
    spider = sched.spider
    for i in range(3):
        assert sched.enqueue_request(spider.article_request(f"http://127.0.0.1:1/article/{i}.html"))
    assert not sched.enqueue_request(spider.article_request("http://127.0.0.1:1/article/0.html"))  # dupefilter
    first = sched.next_request()
    assert first.callback == spider.parse_article and first.meta["article"] is True
    assert redis_client.hlen("generic:inflight:a") == 1 and redis_client.zcard("generic:requests") == 2
    second = sched.next_request()
    assert redis_client.hlen("generic:inflight:a") == 2
    del first
    gc.collect()
    third = sched.next_request()  # acknowledges the released one
    assert redis_client.hlen("generic:inflight:a") == 2
    assert second.url != third.url
    assert sched.next_request() is None
    sched.close("finished")
    assert redis_client.exists("generic:inflight:a", "generic:worker:a") == 0
    assert redis_client.smembers("generic:workers") == set()


def test_dead_worker_requests_come_back(redis_client: Any, redis_server: str) -> None:
    a = _scheduler(redis_server, "a")
    b = _scheduler(redis_server, "b")
    a.enqueue_request(a.spider.article_request("http://127.0.0.1:1/article/1.html"))
    a.enqueue_request(a.spider.article_request("http://127.0.0.1:1/article/2.html", article_part=1))
    held = [a.next_request(), a.next_request()]
    assert b._requeue_dead() == 0  # a's heartbeat is alive: nothing taken
    redis_client.delete("generic:worker:a")  # a killed: its heartbeat expires
    assert b._requeue_dead() == 2
    assert b._requeue_dead() == 0  # re-queued once, never twice
    got = sorted([b.next_request(), b.next_request()], key=lambda r: r.url)
    assert [r.url for r in got] == sorted(r.url for r in held)
    assert all(r.callback == b.spider.parse_article for r in got)
    assert "a" not in {m.decode() for m in redis_client.smembers("generic:workers")}
    b.close("finished")


def test_restarted_worker_takes_back_its_leftovers(redis_client: Any, redis_server: str) -> None:
    a = _scheduler(redis_server, "a")
    a.enqueue_request(a.spider.article_request("http://127.0.0.1:1/article/1.html"))
    held = a.next_request()
    assert held is not None and redis_client.zcard("generic:requests") == 0
    again = _scheduler(redis_server, "a")  # same STORE_WORKER_ID, previous process gone
    assert redis_client.hlen("generic:inflight:a") == 0 and redis_client.zcard("generic:requests") == 1
    assert again.next_request().url == held.url
    again.close("finished")


def test_idle_worker_waits_for_the_fleet(redis_client: Any, redis_server: str) -> None:
    from scrapy.exceptions import DontCloseSpider

    a = _scheduler(redis_server, "a", WORKER_IDLE_TIMEOUT=5)
    b = _scheduler(redis_server, "b")
    b.enqueue_request(b.spider.article_request("http://127.0.0.1:1/article/1.html"))
    held = b.next_request()
    a._last_work -= 10  # a has had no request for 10 s
    with pytest.raises(DontCloseSpider):  # b still has a request in flight: it may yield more
        a._on_idle(a.spider)
    del held
    gc.collect()
    b._ack()
    a._on_idle(a.spider)  # no request for longer than WORKER_IDLE_TIMEOUT, fleet idle: may close
    b.enqueue_request(b.spider.article_request("http://127.0.0.1:1/article/2.html"))
    with pytest.raises(DontCloseSpider):  # work queued
        a._on_idle(a.spider)
    assert a.next_request() is not None
    with pytest.raises(DontCloseSpider):  # just got a request: waits WORKER_IDLE_TIMEOUT
        a._on_idle(a.spider)
    forever = _scheduler(redis_server, "c")  # WORKER_IDLE_TIMEOUT = 0: never closes
    forever._last_work -= 3600
    with pytest.raises(DontCloseSpider):
        forever._on_idle(forever.spider)


def test_first_worker_of_an_idle_fleet_starts_a_new_round(redis_client: Any, redis_server: str) -> None:
    url = "http://127.0.0.1:1/article/1.html"
    a = _scheduler(redis_server, "a")
    assert a.enqueue_request(a.spider.article_request(url))
    assert a.next_request() is not None
    a.close("finished")  # the round is over; its dupefilter stays in Redis
    assert redis_client.scard("generic:dupefilter") == 1
    b = _scheduler(redis_server, "b")  # joins an idle fleet: new round, the page is crawled again
    assert b.enqueue_request(b.spider.article_request(url))
    c = _scheduler(redis_server, "c")  # joins b's running round: shares its dupefilter
    assert not c.enqueue_request(c.spider.article_request(url))
    b.close("finished")
    c.close("finished")


def test_addon_switches_to_redis_only_with_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    from scrapy.settings import Settings

    from crawler.distributed.addon import DistributedAddon

    monkeypatch.delenv("REDIS_URL", raising=False)
    plain = Settings()
    DistributedAddon().update_settings(plain)
    assert plain["SCHEDULER"] == "scrapy.core.scheduler.Scheduler" and not plain.get("STORE_WORKER_ID")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/3")
    shared = Settings({"STORE_WORKER_ID": ""})
    DistributedAddon().update_settings(shared)
    assert shared["SCHEDULER"] == "crawler.distributed.scheduler.RedisScheduler"
    assert shared["REDIS_URL"] == "redis://127.0.0.1:1/3" and shared.getbool("SCHEDULER_PERSIST")
    assert shared["STORE_WORKER_ID"].endswith(f"-{os.getpid()}")


def test_seed_pushes_requests_with_callbacks(redis_client: Any, redis_server: str) -> None:
    cmd = [sys.executable, "-m", "scrapy", "seed", "generic", "http://127.0.0.1:1/", "http://127.0.0.1:1/article/7.html",
           "-a", "allow=/article/", "-s", f"REDIS_URL={redis_server}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "pushed 2 requests" in proc.stdout and "new round" in proc.stdout
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert "pushed 1 requests" in again.stdout and "1 already seen" in again.stdout  # the article is filtered
    sched = _scheduler(redis_server, "a")
    got = {r.url: r for r in (sched.next_request(), sched.next_request())}
    assert got["http://127.0.0.1:1/"].callback == sched.spider.parse_list
    assert got["http://127.0.0.1:1/article/7.html"].callback == sched.spider.parse_article
    sched.close("finished")


# Two crawl processes on one local site ------------------------------------------------------


def _pipelines() -> str:
    """The project's item pipelines with the deduplication pipeline (the store that makes re-crawls harmless)."""
    from scrapy.utils.project import get_project_settings

    pipelines = dict(get_project_settings().getdict("ITEM_PIPELINES"))
    if DEDUP not in pipelines:
        pipelines[DEDUP] = 800
    return json.dumps(pipelines)


def _worker(redis_url: str, worker: str, site: str | None, data_dir: Path, log: Path, *,
            addon: bool) -> subprocess.Popen[bytes]:
    """A ``scrapy crawl generic`` worker; ``site=None`` starts it without start URLs (it crawls what is seeded)."""
    from crawler.distributed import redis_settings

    settings: dict[str, Any] = {
        "DATA_DIR": data_dir, "ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "INFO",
        "STATS_DUMP": True, "CONCURRENT_REQUESTS_PER_DOMAIN": 4, "WORKER_IDLE_TIMEOUT": 2,
        "WORKER_HEARTBEAT_TTL": 2, "ITEM_PIPELINES": _pipelines(), "STORE_WORKER_ID": worker,
    }
    if addon:  # the way the project runs: REDIS_URL alone, the add-on sets the rest
        settings |= {"REDIS_URL": redis_url, "ADDONS": json.dumps({"crawler.distributed.addon.DistributedAddon": 0})}
    else:
        settings |= redis_settings(redis_url, worker)
    cmd = [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", "allow=/article/",
           *(["-a", f"start_urls={site}/"] if site else [])]
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    with log.open("wb") as out:
        return subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)


def _lines(data_dir: Path, worker: str) -> list[dict[str, Any]]:
    return [json.loads(line) for path in sorted(data_dir.glob(f"generic/*.{worker}.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> int:
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


@pytest.mark.crawl
def test_two_workers_store_every_article_once(redis_client: Any, redis_server: str, tmp_path: Path) -> None:
    from tests.localsite import start_site

    pages = 200
    site, stop = start_site(pages=pages, per_list=20, delay=0.1)
    try:
        seed = subprocess.run([sys.executable, "-m", "scrapy", "seed", "generic", f"{site}/", "-a", "allow=/article/",
                               "-s", f"REDIS_URL={redis_server}"], cwd=ROOT, capture_output=True, text=True,
                              timeout=60, check=False)
        assert "pushed 1 requests" in seed.stdout, seed.stderr
        # w1 crawls only what is seeded (explicit settings); w2 also yields its start URLs (the add-on).
        # w2 starts once w1 has taken the seed: an idle Scrapy engine asks its scheduler again only every
        # 5 s, so a worker that found the queue empty at its start could sleep through this whole crawl.
        workers = {"w1": _worker(redis_server, "w1", None, tmp_path / "data", tmp_path / "w1.log", addon=False)}
        deadline = time.monotonic() + 30
        while (not redis_client.hlen("generic:inflight:w1") and redis_client.zcard("generic:requests") <= 1
               and workers["w1"].poll() is None and time.monotonic() < deadline):
            time.sleep(0.05)
        workers["w2"] = _worker(redis_server, "w2", site, tmp_path / "data", tmp_path / "w2.log", addon=True)
        for proc in workers.values():
            _wait(proc, 60)
    finally:
        stop()
    stored = {w: _lines(tmp_path / "data", w) for w in workers}
    counts = Counter(item["url"] for items in stored.values() for item in items)
    assert set(counts) == {f"{site}/article/{i}.html" for i in range(pages)}
    assert max(counts.values()) == 1, [u for u, n in counts.items() if n > 1]
    assert all(len(items) > 0 for items in stored.values()), {w: len(i) for w, i in stored.items()}
    for w in workers:
        log = (tmp_path / f"{w}.log").read_text(encoding="utf-8")
        assert parse_stats(log).get("scheduler/dequeued/redis", 0) > 0, log[-3000:]
        assert "ScrapyDeprecationWarning" not in log
    assert redis_client.zcard("generic:requests") == 0
    assert not redis_client.keys("generic:inflight:*")
    print(f"\narticles {pages}; shares " + ", ".join(f"{w}={len(i)}" for w, i in stored.items()))


@pytest.mark.crawl
def test_killed_worker_loses_nothing(redis_client: Any, redis_server: str, tmp_path: Path) -> None:
    from tests.localsite import start_site

    pages = 200
    site, stop = start_site(pages=pages, per_list=20, delay=0.06)
    data = tmp_path / "data"
    try:
        w1 = _worker(redis_server, "w1", site, data, tmp_path / "w1.log", addon=True)
        w2 = _worker(redis_server, "w2", site, data, tmp_path / "w2.log", addon=True)
        deadline = time.monotonic() + 40
        while len(_lines(data, "w1")) < 10 and time.monotonic() < deadline and w1.poll() is None:
            time.sleep(0.05)
        assert w1.poll() is None, "w1 finished before it could be killed"
        os.kill(w1.pid, signal.SIGKILL)
        w1.wait(5)
        in_flight = redis_client.hlen("generic:inflight:w1")
        stored_by_w1 = len(_lines(data, "w1"))
        _wait(w2, 60)
    finally:
        if w1.poll() is None:
            w1.kill()
        stop()
    stored = {w: _lines(data, w) for w in ("w1", "w2")}
    counts = Counter(item["url"] for items in stored.values() for item in items)
    missing = {f"{site}/article/{i}.html" for i in range(pages)} - set(counts)
    assert not missing, sorted(missing)[:10]
    # Exactly once, but for one case: w1 killed between writing its last article and recording it (one Redis
    # call) leaves that article in its file while its request is still in flight, and w2 stores it again.
    # No other article may be stored twice.
    twice = [u for u, n in counts.items() if n > 1]
    assert not twice or (twice == [stored["w1"][-1]["url"]] and counts[twice[0]] == 2), twice
    log = (tmp_path / "w2.log").read_text(encoding="utf-8")
    stats = parse_stats(log)
    assert in_flight > 0 and stats.get("distributed/requeued", 0) >= in_flight, (in_flight, stats)
    assert not redis_client.keys("generic:inflight:*")
    print(f"\nkilled w1 after {stored_by_w1} articles with {in_flight} requests in flight; w2 re-queued "
          f"{stats.get('distributed/requeued', 0):.0f}, stored {len(stored['w2'])}; dedup/url "
          f"{stats.get('dedup/url', 0):.0f}; {pages} articles, {len(twice)} stored twice")
