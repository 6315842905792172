"""Titles on pages of many sites, against the headline their gold body starts with.

    .venv/bin/python -m bench.titles [corpus_dir] [--sets public] [--limit N] [-v]

No page of ``public/`` has a title label, but some gold bodies (Dragnet's above all) start with the
article's headline. Where that first line (10 to 200 characters) is also the whole text of one of the
page's ``<h1>``-``<h3>`` headings, it is taken as the title label. The title the generic spider gives
(``OfflineExtractor``, as ``scrapy extract`` runs it) and two baselines on the same pages are compared
with it, normalised as ``scrapy evaluate`` compares titles:

- ``<title>``: the page's ``<title>`` as it stands;
- ``og:title``: the ``og:title`` meta, else the ``<title>``.

A gold body that starts with a date or with the blog's name, printed as a heading, is a wrong label
here, so read the figures as a comparison, not as accuracy. Per subset and per half (tune/held).
"""

from __future__ import annotations

import sys
from collections import Counter

from bench import corpus

RUNS = ("ours", "<title>", "og:title")


def main(argv: list[str] | None = None) -> int:
    args = corpus.parser(__doc__ or "", "public").parse_args(argv)
    if not corpus.ready(args.corpus, *args.sets.split(",")):
        return 0
    from itemadapter import ItemAdapter

    from crawler.evaluation import load_corpus, normalise_title
    from crawler.extract.generic import normalise_space, parse
    from crawler.offline import OfflineExtractor

    extractor = OfflineExtractor()
    pages: Counter[tuple[str, str]] = Counter()
    right: Counter[tuple[str, str, str]] = Counter()
    for name in args.sets.split(","):
        if not (args.corpus / name).is_dir():
            continue
        labelled = 0
        for page in load_corpus(args.corpus / name):
            if args.limit and labelled >= args.limit:
                break
            lines = [line.strip() for line in (page.label.get("body") or "").splitlines() if line.strip()]
            if not lines or not 10 <= len(lines[0]) <= 200:
                continue
            root = parse(page.html())
            if root is None or not isinstance(root.tag, str):
                continue
            label = normalise_title(lines[0])
            headings = (normalise_title(normalise_space("".join(h.itertext()))) for h in root.iter("h1", "h2", "h3"))
            if label not in headings:
                continue
            labelled += 1
            url, headers, raw = page.read()
            outcome = extractor.extract(raw, url or "http://example.com/article", "generic", headers=headers)
            og = root.xpath("//meta[@property='og:title']/@content")
            found = {
                "ours": (ItemAdapter(outcome.item).get("title") if outcome.item is not None else None) or "",
                "<title>": " ".join(root.xpath("//title//text()")),
                "og:title": og[0] if og else " ".join(root.xpath("//title//text()")),
            }
            pages[(page.group, page.split)] += 1
            for run in RUNS:
                right[(page.group, page.split, run)] += normalise_title(normalise_space(found[run])) == label
            if args.verbose and normalise_title(found["ours"]) != label:
                print(f"{page.group:<12} {page.split:<5} {page.id:<14} {found['ours'][:60]!r:<64} "
                      f"gold {lines[0][:60]!r}")
    print(f"{'subset':<12} {'half':<5} {'pages':>5} " + " ".join(f"{run:>9}" for run in RUNS))
    for group, split in sorted(pages):
        n = pages[(group, split)]
        print(f"{group:<12} {split:<5} {n:>5} " + " ".join(
            f"{right[(group, split, run)] / n:>9.3f}" for run in RUNS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
