"""Publication days on pages of many sites, against the day their own URL gives.

    .venv/bin/python -m bench.url_dates [corpus_dir] [--sets public,snippets] [--limit N] [-v]

The gold-body and snippet pages carry no date label, but a few of their URLs hold the publication day
(``/2019/10/31/``, ``/2016-04-15/``, ``/20050519``). On those pages the whole stack of the generic
spider (``OfflineExtractor``, as ``scrapy extract`` runs it) gives ``published_at``, and its local
calendar day is compared with the URL's. Two runs per page:

- ``with URL``: the page at its own address, as a crawl sees it (the last fallback, htmldate, may read
  the day from the URL itself);
- ``URL hidden``: the same page at ``<scheme>://<host>/article`` (the host is kept: it gives the
  timezone of a country domain), so the day must come from the page.

htmldate alone (``find_date``, ``original_date=True``) on the page without its URL is the library
baseline. A URL's day was a label no part of the extractor was tuned on until 2026-12-07, when two date
rules (the canonical address, a UTC time's local twin) were drawn from this benchmark's misses; it is
sometimes wrong (a page updated after its URL was minted), so read the figures as a comparison, not as
accuracy.
"""

from __future__ import annotations

import sys
from collections import Counter
from urllib.parse import urlparse

from bench import corpus
from crawler.urls import url_day


def main(argv: list[str] | None = None) -> int:
    args = corpus.parser(__doc__ or "", "public,snippets").parse_args(argv)
    if not corpus.ready(args.corpus, *args.sets.split(",")):
        return 0
    from htmldate import find_date
    from itemadapter import ItemAdapter

    from crawler.evaluation import load_corpus
    from crawler.offline import OfflineExtractor

    extractor = OfflineExtractor()
    right: Counter[str] = Counter()
    layers: Counter[tuple[str, bool]] = Counter()
    pages = 0
    for name in args.sets.split(","):
        if not (args.corpus / name).is_dir():
            continue
        dated = [p for p in load_corpus(args.corpus / name) if url_day(p.read()[0])]
        for page in dated[: args.limit or None]:
            url, headers, raw = page.read()
            day = url_day(url)
            parts = urlparse(url)
            hidden = f"{parts.scheme}://{parts.netloc}/article"
            pages += 1
            found = {}
            for run, address in (("with URL", url), ("URL hidden", hidden)):
                outcome = extractor.extract(raw, address, "generic", headers=headers)
                item = ItemAdapter(outcome.item) if outcome.item is not None else {}
                found[run] = (item.get("published_at") or "")[:10]
                right[run] += found[run] == day
                if run == "URL hidden":
                    layers[((item.get("extraction") or {}).get("published_at") or "none", found[run] == day)] += 1
            try:
                library = find_date(page.html(), original_date=True, outputformat="%Y-%m-%d") or ""
            except Exception:  # htmldate's failure is its own miss
                library = ""
            right["htmldate"] += library == day
            if args.verbose and found["URL hidden"] != day:
                print(f"{page.id:<14} {day}  with URL {found['with URL'] or '-':<10}  "
                      f"hidden {found['URL hidden'] or '-':<10}  htmldate {library or '-':<10}  {url[:90]}")
    print(f"{pages} pages whose URL holds the day (sets: {args.sets})")
    for run in ("with URL", "URL hidden", "htmldate"):
        print(f"{run:<12} day right on {right[run]:>4} ({right[run] / (pages or 1):.3f})")
    print("URL hidden, by the layer that gave the date: " + ", ".join(
        f"{layer} {'right' if ok else 'wrong'} {n}" for (layer, ok), n in sorted(layers.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
