"""Strips related-content tails, watermarks and boilerplate from the body (and watermarks from the title)."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler.cleaning import RuleSet, compile_rules, load_rules, strip_boilerplate, strip_title
from crawler.cleaning.learned import article_key, drop_learned, line_hashes
from crawler.cleaning.rules import DEFAULT_RULES_FILE
from crawler.pipelines import check_shrink, record_removals
from crawler.state import get_store

logger = logging.getLogger(__name__)


class StripBoilerplatePipeline:
    """Removes, in order:

    1. rule matches (kind ``boilerplate``: the global rule file; kind ``watermark``: the spider's
       ``watermark_rules``): a related-content tail (``tail:`` rules, ``延伸阅读`` and the teasers after
       it), then lines or inline cuts;
    2. automatic watermarks: a line or clause recurring three or more times in the article
       (``crawler.cleaning.watermark``), also cut from the title;
    3. learned boilerplate: lines seen in at least ``BOILERPLATE_MIN_ARTICLES`` articles of the site,
       counted in the crawl's durable state (``crawler.state``).

    It only removes: page furniture (责任编辑, 来源, breadcrumbs) was read into fields, and out of the
    body, by the extraction (``crawler.extract.byline``).

    Settings: ``BOILERPLATE_RULES_FILE`` (default: ``crawler/rules/boilerplate.txt``),
    ``BOILERPLATE_MIN_ARTICLES`` (default 5), ``BOILERPLATE_LEARN`` (default: on when
    ``STATE_ENABLED``, so fixtures and offline extraction never depend on other pages),
    ``CLEANING_LOG`` (default False: list every removal in ``extra["cleaning_log"]``).
    Spider attributes: ``name`` (the site of learned lines), ``watermark_rules``.
    Counts go to ``item.cleaning`` and the stats (``cleaning/<kind>``).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        path = settings.get("BOILERPLATE_RULES_FILE") or DEFAULT_RULES_FILE
        self.global_rules = RuleSet(load_rules(path, kind="boilerplate"))
        self.min_articles = settings.getint("BOILERPLATE_MIN_ARTICLES", 5)
        learn = settings.get("BOILERPLATE_LEARN")
        self.learn = settings.getbool("STATE_ENABLED", True) if learn is None else settings.getbool("BOILERPLATE_LEARN")
        self.log = settings.getbool("CLEANING_LOG", False)
        self._rules: dict[str, RuleSet] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StripBoilerplatePipeline:
        return cls(crawler)

    def rules_for(self, spider: Any) -> RuleSet:
        name = getattr(spider, "name", "") or ""
        if name not in self._rules:
            own = compile_rules(getattr(spider, "watermark_rules", None) or [], kind="watermark")
            self._rules[name] = RuleSet(own) + self.global_rules
        return self._rules[name]

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        spider = self.crawler.spider
        rules = self.rules_for(spider)
        body: list[str] = adapter.get("body") or []
        cleaned = strip_boilerplate(body, rules)
        lines, removed = cleaned.lines, cleaned.removed
        site = adapter.get("site") or getattr(spider, "name", "") or ""
        if self.learn and site and lines:
            hashes = line_hashes(lines)
            store = get_store(self.crawler)
            store.record_lines(site, article_key(lines), hashes.values())
            counts = store.line_counts(site, hashes.values())
            lines, learned = drop_learned(lines, hashes, counts, self.min_articles)
            removed = removed + learned
        title = adapter.get("title") or ""
        if title:
            new_title, title_removed = strip_title(title, rules, cleaned.watermarks)
            if new_title != title:
                adapter["title"] = new_title
                removed = removed + title_removed
        adapter["body"] = lines
        record_removals(self.crawler, adapter, removed, self.log)
        check_shrink(self.crawler, adapter, body, lines, removed)
        return item
