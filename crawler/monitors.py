"""Spidermon monitors that judge a crawl when its spider closes, and the alerts they send.

``CrawlMonitorSuite`` (``SPIDERMON_SPIDER_CLOSE_MONITORS``) runs, for every spider:

- spidermon's ``FinishReasonMonitor`` (``SPIDERMON_EXPECTED_FINISH_REASONS``) and its
  ``ErrorCountMonitor`` (``SPIDERMON_MAX_ERRORS``: any ERROR line of this spider, a spider or pipeline
  exception included; counted by crawler/extensions/spider_errors.py);
- ``ArticleCountMonitor``: articles stored, or already held (skipped as stored, duplicates),
  at least the spider's ``min_articles`` (default ``MONITOR_MIN_ARTICLES``);
- ``ListPagesMonitor``: the list pages, feeds and sitemaps read gave at least one article URL;
- ``FieldCoverageMonitor`` and ``FallbackRateMonitor``: per field, the share of extracted articles
  that have it (``MONITOR_FIELD_COVERAGE``) and that needed a later extraction layer than the one
  the site declares (``MONITOR_MAX_FALLBACK_RATE``), from ``MONITOR_MIN_SAMPLE`` articles;
- ``ImplausibleDateMonitor``: share of articles whose date was implausible (``validate/implausible_date``);
- ``CleaningShareMonitor``: share of articles the cleaning cut below half (``cleaning/shrunk_below_half``).

Every outcome lands in the stats (``monitors/passed``, ``monitors/failed``, ``monitors/failed/<name>``:
the reason), where ``scrapy crawl`` and ``scrapy crawlall`` read it for their exit code and report.
Alerts go through spidermon's actions when their settings are set (see ``notification_actions``).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from typing import Any, ClassVar

from scrapy.settings import BaseSettings
from spidermon import Action, MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors.base import BaseScrapyMonitor
from spidermon.contrib.scrapy.monitors.monitors import ErrorCountMonitor as SpidermonErrorCountMonitor
from spidermon.contrib.scrapy.monitors.monitors import FinishReasonMonitor
from spidermon.settings import MONITOR

logger = logging.getLogger(__name__)

FIELDS = ("title", "published_at", "body", "authors", "source", "category", "tags", "updated_at")
_NOT_LAYERS = ("fallback", "missing")  # extraction/fallback/<field>, extraction/missing/<field>: no source


def stat_sum(stats: Mapping[str, Any], prefix: str) -> int:
    return sum(int(v) for k, v in stats.items() if k.startswith(prefix) and isinstance(v, (int, float)))


def stored_count(stats: Mapping[str, Any]) -> int:
    """Articles this run stored (``store/items``; ``item_scraped_count`` when the JSONL store is off)."""
    return int(stats.get("store/items", stats.get("item_scraped_count", 0)))


def held_count(stats: Mapping[str, Any]) -> int:
    """Articles the run stored or found already stored: new ones, incremental skips and duplicates."""
    return stored_count(stats) + int(stats.get("incremental/skipped", 0)) + stat_sum(stats, "dedup/")


def field_coverage(stats: Mapping[str, Any]) -> dict[str, float]:
    """Share of extracted articles for which some layer found each field."""
    extracted = int(stats.get("articles/extracted", 0))
    if not extracted:
        return {}
    found = dict.fromkeys(FIELDS, 0)
    for key, value in stats.items():  # extraction/<source>/<field>: any source (site, byline, a site's own ...)
        parts = key.split("/")
        if len(parts) == 3 and parts[0] == "extraction" and parts[1] not in _NOT_LAYERS and parts[2] in found:
            found[parts[2]] += int(value)
    return {f: round(min(1.0, n / extracted), 3) for f, n in found.items()}


def fallback_rates(stats: Mapping[str, Any]) -> dict[str, float]:
    """Share of extracted articles whose field came from a later layer than the site declares."""
    extracted = int(stats.get("articles/extracted", 0))
    prefix = "extraction/fallback/"
    return {k[len(prefix):]: round(int(v) / extracted, 3) for k, v in sorted(stats.items())
            if k.startswith(prefix) and extracted}


@monitors.name("Error Count Monitor")
class ErrorCountMonitor(SpidermonErrorCountMonitor):
    """ERROR lines of this spider (``errors/logged``; spidermon's reads ``log_count/ERROR``, which counts every
    spider of a ``crawlall`` process) against ``SPIDERMON_MAX_ERRORS``; a crawl without any passes (spidermon's
    skips when the stat is absent)."""

    stat_name = "errors/logged"
    longMessage = False

    @monitors.name("Should log no more error lines than allowed")
    def test_stat_monitor(self) -> None:
        errors, limit = int(self.stats.get(self.stat_name, 0)), self.crawler.settings.getint(self.threshold_setting)
        self.assertLessEqual(errors, limit, msg=f"{errors} ERROR line(s) logged, more than SPIDERMON_MAX_ERRORS "
                                                f"({limit}): see the log")


class CrawlMonitor(BaseScrapyMonitor):
    """A monitor of this project: reads the final stats and the crawler's settings."""

    longMessage = False

    @property
    def settings(self) -> BaseSettings:
        return self.crawler.settings

    def stat(self, name: str) -> int:
        return int(self.stats.get(name, 0) or 0)

    def sample(self) -> int:
        """Articles extracted; skips the test when they are fewer than ``MONITOR_MIN_SAMPLE`` (a share of a few
        articles says nothing)."""
        extracted = self.stat("articles/extracted")
        if extracted < self.settings.getint("MONITOR_MIN_SAMPLE", 10):
            self.skipTest(f"{extracted} article(s) extracted, fewer than MONITOR_MIN_SAMPLE")
        return extracted

    def skip_fleet_worker(self) -> None:
        """A worker of a distributed fleet crawls a share of the queue: counts are the fleet's, not its own."""
        if self.settings.get("REDIS_URL"):
            self.skipTest("a fleet worker (REDIS_URL): judged across the fleet")


@monitors.name("Article Count Monitor")
class ArticleCountMonitor(CrawlMonitor):
    """Articles stored or already held, against the site's minimum."""

    @monitors.name("Should store or hold the site's minimum of articles")
    def test_article_count(self) -> None:
        self.skip_fleet_worker()
        spider = self.data.spider
        minimum = getattr(spider, "min_articles", None)
        if minimum is None:
            minimum = self.settings.getint("MONITOR_MIN_ARTICLES", 1)
        limit = getattr(spider, "limit", None)
        if getattr(spider, "single_url", None):
            minimum = min(minimum, 1)
        if limit is not None:
            minimum = min(minimum, limit)
        held, stored = held_count(self.stats), stored_count(self.stats)
        self.assertTrue(held >= minimum, msg=f"{held} article(s) stored or already held ({stored} stored this run), "
                                             f"fewer than the minimum of {minimum}")

    @monitors.name("New articles should be stored")
    def test_new_articles_stored(self) -> None:
        stored, extracted = stored_count(self.stats), self.stat("articles/extracted")
        new = self.stat("articles/new_urls") + self.stat("pending/resumed")
        fresh = extracted - stat_sum(self.stats, "dedup/")
        self.assertFalse(stored == 0 and (fresh > 0 or (extracted == 0 and new > 0)),
                         msg=f"stored nothing although it found {new} new article URL(s) and extracted {extracted}")


@monitors.name("List Pages Monitor")
class ListPagesMonitor(CrawlMonitor):
    """The site's list pages, feeds and sitemaps were read and gave article URLs."""

    @monitors.name("List pages should give article URLs")
    def test_list_pages(self) -> None:
        self.skip_fleet_worker()
        spider = self.data.spider
        is_article = getattr(spider, "is_article_url", lambda url: False)
        has_sources = not getattr(spider, "single_url", None) and bool(
            getattr(spider, "feed_urls", None) or getattr(spider, "sitemap_urls", None)
            or any(not is_article(u) for u in getattr(spider, "start_urls", None) or []))
        if not has_sources:
            self.skipTest("the spider crawled article URLs only")
        read = self.stat("pages/list") + self.stat("pages/feed") + self.stat("pages/sitemap")
        self.assertTrue(read > 0, msg="no list page, feed or sitemap could be read (see the log)")
        found = self.stat("articles/found")
        self.assertTrue(found > 0, msg=f"{read} list page(s), feed(s) or sitemap(s) read, no article URL found: "
                                       "the list layout or article_url_pattern may have changed")


@monitors.name("Field Coverage Monitor")
class FieldCoverageMonitor(CrawlMonitor):
    """Per field, the share of extracted articles that have it (``MONITOR_FIELD_COVERAGE``)."""

    @monitors.name("Fields should be found in enough articles")
    def test_field_coverage(self) -> None:
        self.sample()
        coverage = field_coverage(self.stats)
        low = [f"{f} {coverage.get(f, 0.0):.0%} (< {float(want):.0%})"
               for f, want in self.settings.getdict("MONITOR_FIELD_COVERAGE").items()
               if coverage.get(f, 0.0) < float(want)]
        self.assertFalse(low, msg="field coverage too low: " + ", ".join(low))


@monitors.name("Fallback Rate Monitor")
class FallbackRateMonitor(CrawlMonitor):
    """Per field, the share of articles that needed a later extraction layer (the layout-change signal)."""

    @monitors.name("Fields should come from the layer the site declares")
    def test_fallback_rate(self) -> None:
        self.sample()
        limit = self.settings.getfloat("MONITOR_MAX_FALLBACK_RATE", 0.5)
        high = [f"{f} {rate:.0%}" for f, rate in fallback_rates(self.stats).items() if rate > limit]
        self.assertFalse(high, msg=f"extraction fallback rate above {limit:.0%}: {', '.join(high)}: "
                                   "the site may have changed its layout")


@monitors.name("Implausible Dates Monitor")
class ImplausibleDateMonitor(CrawlMonitor):
    """Share of articles whose publication date was implausible (future or before 1990)."""

    @monitors.name("Dates should be plausible")
    def test_implausible_dates(self) -> None:
        bad = self.stat("validate/implausible_date")
        extracted = max(self.stat("articles/extracted"), bad, 1)
        limit = self.settings.getfloat("MONITOR_MAX_IMPLAUSIBLE_DATE_SHARE", 0.05)
        self.assertTrue(bad / extracted <= limit, msg=f"{bad} of {extracted} article(s) had an implausible date "
                                                      f"(> {limit:.0%}): see validate/implausible_date in the log")


@monitors.name("Cleaning Share Monitor")
class CleaningShareMonitor(CrawlMonitor):
    """Share of articles the cleaning pipelines cut below half of their raw body."""

    @monitors.name("Cleaning should not eat the articles")
    def test_cleaning_share(self) -> None:
        extracted = self.sample()
        shrunk = self.stat("cleaning/shrunk_below_half")
        limit = self.settings.getfloat("MONITOR_MAX_CLEANING_SHARE", 0.2)
        self.assertTrue(shrunk / extracted <= limit, msg=f"cleaning cut {shrunk} of {extracted} article(s) below "
                                                         f"half their length (> {limit:.0%}): check the rules")


def monitor_message(error: str | None) -> str:
    """The assertion message of a failed monitor, without the traceback."""
    lines = [line for line in (error or "").strip().splitlines() if line.strip()]
    if not lines:
        return "failed"
    last = lines[-1]
    for prefix in ("AssertionError: ", "unittest.case.SkipTest: "):
        last = last.removeprefix(prefix)
    return last


class RecordResults(Action):
    """Puts each monitor's outcome in the stats, for the crawl command, crawlall and the run report."""

    def run_action(self) -> None:
        stats = self.data.crawler.stats
        failed: dict[str, str] = {}
        for outcome in self.result.monitor_results:
            if outcome.status in MONITOR.STATUSES.ERROR:
                name = outcome.monitor.monitor_name
                message = monitor_message(outcome.error)
                failed[name] = f"{failed[name]}; {message}" if name in failed else message
        stats.set_value("monitors/passed", len(self.result.monitors_passed_results))
        stats.set_value("monitors/failed", len(failed))
        for name, message in failed.items():
            stats.set_value(f"monitors/failed/{name}", message)


class SendEmail(Action):
    """E-mail through SMTP with the standard library (spidermon's ``SendSmtpEmail`` uses ``scrapy.mail``,
    deprecated in Scrapy 2.19, sends after the crawl has already stopped, and needs a login).

    Settings: ``SPIDERMON_EMAIL_TO``, ``SPIDERMON_EMAIL_SENDER``, ``SPIDERMON_EMAIL_SUBJECT``,
    ``SPIDERMON_SMTP_HOST``, ``SPIDERMON_SMTP_PORT`` (25), ``SPIDERMON_SMTP_USER``,
    ``SPIDERMON_SMTP_PASSWORD``, ``SPIDERMON_SMTP_ENFORCE_TLS`` (STARTTLS), ``SPIDERMON_SMTP_ENFORCE_SSL``.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__()
        self.to = [a.strip() for a in settings.getlist("SPIDERMON_EMAIL_TO") if a.strip()]
        self.sender = settings.get("SPIDERMON_EMAIL_SENDER") or "crawler@localhost"
        self.subject = settings.get("SPIDERMON_EMAIL_SUBJECT") or "Crawl of {spider} failed"
        self.host = settings.get("SPIDERMON_SMTP_HOST") or "localhost"
        self.port = settings.getint("SPIDERMON_SMTP_PORT") or 25
        self.user = settings.get("SPIDERMON_SMTP_USER")
        self.password = settings.get("SPIDERMON_SMTP_PASSWORD")
        self.tls = settings.getbool("SPIDERMON_SMTP_ENFORCE_TLS")
        self.ssl = settings.getbool("SPIDERMON_SMTP_ENFORCE_SSL")

    @classmethod
    def from_crawler(cls, crawler: Any) -> SendEmail:
        return cls(crawler.settings)

    def run_action(self) -> None:
        from email.message import EmailMessage

        spider = self.data.spider.name
        message = EmailMessage()
        message["Subject"] = self.subject.format(spider=spider)
        message["From"] = self.sender
        message["To"] = ", ".join(self.to)
        message.set_content(failure_text(spider, self.result, self.data.stats))
        smtp_cls = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        with smtp_cls(self.host, self.port, timeout=30) as smtp:
            if self.tls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)
        logger.info("Monitor alert for %s e-mailed to %s", spider, ", ".join(self.to))


def failure_text(spider: str, result: Any, stats: Mapping[str, Any]) -> str:
    """Plain-text body of an alert: the failed monitors and the main figures."""
    lines = [f"The crawl of {spider} failed its checks (finish reason: {stats.get('finish_reason')})."]
    lines += [f"- {r.monitor.monitor_name}: {monitor_message(r.error)}" for r in result.monitors_failed_results]
    lines.append(f"Stored {stored_count(stats)} article(s); {int(stats.get('errors/logged', 0))} ERROR line(s).")
    return "\n".join(lines)


def sentry_action() -> type[Action]:
    """Spidermon's Sentry action on the current sentry-sdk API (its own calls ``configure_scope``, deprecated in
    sentry-sdk 2, and never flushes the client, so a crawl that ends at once may lose the event).

    Settings: ``SPIDERMON_SENTRY_DSN``, ``SPIDERMON_SENTRY_PROJECT_NAME``, ``SPIDERMON_SENTRY_ENVIRONMENT_TYPE``,
    ``SPIDERMON_SENTRY_LOG_LEVEL``.
    """
    import sentry_sdk
    from spidermon.contrib.actions.sentry import SendSentryMessage as SpidermonSentry

    class SendSentryMessage(SpidermonSentry):  # type: ignore[misc]
        def send_message(self, message: dict[str, Any]) -> None:
            client = sentry_sdk.Client(dsn=self.sentry_dsn, environment=self.environment)
            scope = sentry_sdk.Scope()
            for key, value in self.get_tags(message).items():
                scope.set_tag(key, value)
            for key in ("spider_name", "items_count", "failed_monitors_count", "failed_monitors"):
                scope.set_extra(key, message.get(key))
            client.capture_event({"message": f"{message.get('title')}\n{message.get('failure_reasons', '')}",
                                  "level": self.sentry_log_level, "fingerprint": [message.get("title")]}, scope=scope)
            client.flush(timeout=10)
            client.close()

    return SendSentryMessage


def notification_actions(settings: BaseSettings) -> list[type[Action]]:
    """The alert actions whose settings are set (none by default): run when a monitor fails."""
    actions: list[type[Action]] = []
    if settings.getlist("SPIDERMON_EMAIL_TO"):
        actions.append(SendEmail)
    if settings.get("SPIDERMON_SLACK_SENDER_TOKEN") and settings.getlist("SPIDERMON_SLACK_RECIPIENTS"):
        from spidermon.contrib.actions.slack.notifiers import SendSlackMessageSpiderFinished

        actions.append(SendSlackMessageSpiderFinished)
    if settings.get("SPIDERMON_TELEGRAM_SENDER_TOKEN") and settings.getlist("SPIDERMON_TELEGRAM_RECIPIENTS"):
        from spidermon.contrib.actions.telegram.notifiers import SendTelegramMessageSpiderFinished

        actions.append(SendTelegramMessageSpiderFinished)
    if settings.get("SPIDERMON_SENTRY_DSN"):
        actions.append(sentry_action())
    if settings.get("SPIDERMON_REPORT_FILENAME"):
        from spidermon.contrib.actions.reports.files import CreateFileReport

        actions.append(CreateFileReport)
    return actions


class CrawlMonitorSuite(MonitorSuite):
    """The monitors of every spider at close; alerts from the settings when one fails."""

    monitors: ClassVar[list[type]] = [
        FinishReasonMonitor, ErrorCountMonitor, ArticleCountMonitor, ListPagesMonitor, FieldCoverageMonitor,
        FallbackRateMonitor, ImplausibleDateMonitor, CleaningShareMonitor,
    ]
    monitors_finished_actions: ClassVar[list[type]] = [RecordResults]

    def __init__(self, *args: Any, crawler: Any = None, **kwargs: Any) -> None:
        failed = list(kwargs.pop("monitors_failed_actions", None) or [])
        if crawler is not None:
            failed += notification_actions(crawler.settings)
        super().__init__(*args, monitors_failed_actions=failed, crawler=crawler, **kwargs)
