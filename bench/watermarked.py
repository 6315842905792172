"""Pages dirtied the way scrapers deliver them, through the whole stack: is the clean article recovered?

    .venv/bin/python -m bench.watermarked [corpus_dir] [--sets sites,generic,public] [--slogans tune|held|all]
                                          [--shapes plain,varied,before,styled,section,titled,long,glued,
                                                    linked,alternate|all]
                                          [--limit N] [-v]

Every labelled page of ``<corpus>/sites`` and ``<corpus>/generic`` (and ``public`` when asked) whose
gold paragraphs can be found as elements of its HTML is rewritten as the seed article (``../shared/seed``) shows a
scraper's copy: an account slogan after every paragraph, the whole body printed twice, and a
breadcrumb above it. The rewritten page goes through ``OfflineExtractor`` (the page's spider, or
``generic``), exactly what ``scrapy extract`` runs, and is scored against the page's gold body:

- body F1 and recall (``crawler.evaluation.body_score``);
- slogans left: body lines that still hold the slogan;
- repeats left: body lines of 10 characters or more printed more often than in the gold body;
- the same page undirtied, for comparison (``clean F1``).

``--shapes`` dirties the same pages in other ways seen in scrapers' copies (``plain`` is the default):

- ``varied``: the slogan's punctuation and spacing change between copies (full- or half-width comma, spaces);
- ``before``: the slogan before every paragraph instead of after it;
- ``styled``: the slogan centred, bold and coloured (``<p><strong><span style=...>``);
- ``section``: the slogan in nested ``<section>`` blocks, as WeChat's editor prints it;
- ``titled``: the second copy starts with a heading that holds the page's ``<title>``, cut to 30 characters;
- ``long``: the slogan runs on into a sentence as long as a paragraph (a disclaimer, a sign-off);
- ``glued``: the slogan at the end of every paragraph's own text, in the same element;
- ``linked``: the slogan a link to the account (``<p><a href=...>``);
- ``alternate``: the slogan after every second paragraph only.

The slogans come in two fixed halves: ``tune`` (what the cleaning rules may be looked at against)
and ``held`` (never used to decide anything); pages are split by ``crawler.evaluation.split_of``.
None of these slogans is in ``crawler/rules``: each is as new to the crawler as a hidden page's.
"""

from __future__ import annotations

import copy
import random
import statistics
import sys
from collections import Counter
from typing import Any

from bench import corpus

# Shapes of inserted account slogans seen on Chinese portals and aggregators (written here, not copied).
SLOGANS = {
    "tune": [
        "微趋道，就是小程序",
        "关注财经早餐，每天进步一点点",
        "更多精彩内容，请关注本公众号",
        "本文来自科技观察，转载请注明出处",
        "点击上方蓝字，关注我们",
        "城市晚报 有温度的新闻",
        "长按识别二维码，获取更多资讯",
        "Follow us for more stories like this",
    ],
    "held": [
        "读懂财经，就看金融界",
        "每日新闻早知道，尽在晨间快报",
        "欢迎关注南方视野，分享身边新鲜事",
        "觉得有用，就转发给朋友吧",
        "搜索关注「健康生活圈」获取更多干货",
        "新闻观察室：深度解读每一天",
        "喜欢就点个在看吧",
        "Subscribe to The Morning Brief for daily news",
    ],
}
BREADCRUMB = "您的位置：首页 > 新闻 > 正文"
MIN_MATCHED = 0.6  # pages whose gold paragraphs are found as elements less often than this are skipped


def _norm(text: str) -> str:
    return "".join(text.split())


SHAPES = ("plain", "varied", "before", "styled", "section", "titled", "long", "glued", "linked", "alternate")
# what makes a slogan as long as a paragraph in the "long" shape
_LONGER = {"cjk": "。每天都有新内容，欢迎留言和我们交流讨论。",
           "latin": ". New stories every morning, share them with friends."}


def _variant(slogan: str, rnd: random.Random) -> str:
    return rnd.choice([slogan, slogan.replace("，", ", "), slogan.replace("，", ","), slogan + " ",
                       "  " + slogan, slogan.replace("，", " ")])


def _mark(text: str, shape: str) -> Any:
    import lxml.html

    if shape == "styled":
        return lxml.html.fragment_fromstring(
            f'<p style="text-align:center"><strong><span style="color:#c00">{text}</span></strong></p>')
    if shape == "linked":
        return lxml.html.fragment_fromstring(f'<p><a href="https://mp.example.com/follow">{text}</a></p>')
    if shape == "section":
        return lxml.html.fragment_fromstring(f"<section><section><p><span>{text}</span></p></section></section>")
    mark = lxml.html.Element("p")
    mark.text = text
    return mark


def dirty(html: str, gold: str, slogan: str, shape: str = "plain") -> str | None:
    """The page with ``slogan`` after every body paragraph, the body twice and a breadcrumb (in ``shape``, see
    ``SHAPES``); None when the gold paragraphs cannot be found as elements of one container."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # an unreadable page is not a test case
        return None
    wanted = {_norm(line) for line in gold.split("\n") if len(_norm(line)) >= 8}
    if not wanted:
        return None
    found: list[Any] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "html", "body", "head"):
            continue
        text = _norm(el.text_content())
        if text in wanted and not any(f in el.iterancestors() for f in found[-3:]):
            found.append(el)
    if not found or len({_norm(el.text_content()) for el in found}) < MIN_MATCHED * len(wanted):
        return None
    parents = Counter(el.getparent() for el in found)
    container, _n = parents.most_common(1)[0]
    paragraphs = [el for el in found if el.getparent() is container]
    if len(paragraphs) < 2:
        return None
    rnd = random.Random(sum(map(ord, gold[:200])))
    if shape == "long":
        slogan += _LONGER["latin" if slogan.isascii() else "cjk"]
    for n, el in enumerate(paragraphs):
        if shape == "alternate" and n % 2 == 0:
            continue
        if shape == "glued":
            end = el
            while len(end):
                end = end[-1]
            if end is el:
                el.text = (el.text or "") + slogan
            else:
                end.tail = (end.tail or "") + slogan
            continue
        mark = _mark(_variant(slogan, rnd) if shape == "varied" else slogan, shape)
        if shape == "before":
            el.addprevious(mark)
        else:
            mark.tail = el.tail
            el.tail = None
            el.addnext(mark)
    crumb = lxml.html.Element("div", {"class": "position"})
    crumb.text = BREADCRUMB
    container.insert(0, crumb)
    # The whole body again, after the first copy, as a scraper that read the page twice delivers it.
    last = container[-1] if shape in ("before", "alternate") else paragraphs[-1] if shape == "glued" \
        else paragraphs[-1].getnext()
    items = [copy.deepcopy(p) for p in container if p is not crumb]
    if shape == "titled":
        heading = lxml.html.Element("h2")
        heading.text = (root.findtext(".//title") or "").strip()[:30]
        items.insert(0, heading)
    for el in reversed(items):
        last.addnext(el)
    return lxml.html.tostring(root, encoding="unicode")


def leftovers(body: str, slogan: str, gold: str) -> tuple[int, int]:
    """(body lines holding the slogan, body lines of 10+ characters printed more often than in the gold body)."""
    lines = [_norm(line) for line in body.split("\n") if line.strip()]
    key = _norm(slogan)
    slogans = sum(1 for line in lines if key in line)
    counts = Counter(line for line in lines if len(line) >= 10 and key not in line)
    expected = Counter(_norm(line) for line in gold.split("\n"))
    return slogans, sum(n - max(1, expected[line]) for line, n in counts.items() if n > max(1, expected[line]))


def main(argv: list[str] | None = None) -> int:
    parser = corpus.parser(__doc__ or "", "sites,generic")
    parser.add_argument("--slogans", default="all", choices=("tune", "held", "all"))
    parser.add_argument("--shapes", default="plain", help="comma-separated dirtying shapes, or all (see above)")
    args = parser.parse_args(argv)
    if not corpus.ready(args.corpus, *args.sets.split(",")):
        return 0
    from itemadapter import ItemAdapter

    from crawler.evaluation import body_score, load_corpus
    from crawler.offline import OfflineExtractor

    extractor = OfflineExtractor()

    def body_of(html: str, url: str, spider: str) -> tuple[str, str | None]:
        outcome = extractor.extract(html.encode("utf-8"), url, spider,
                                    headers={"Content-Type": "text/html; charset=utf-8"})
        return (ItemAdapter(outcome.item).get("body") or "") if outcome.item is not None else "", outcome.error

    halves = ("tune", "held") if args.slogans == "all" else (args.slogans,)
    shapes = SHAPES if args.shapes == "all" else tuple(args.shapes.split(","))
    unknown = [shape for shape in shapes if shape not in SHAPES]
    if unknown:
        parser.error(f"unknown shape {', '.join(unknown)}: choose from {', '.join(SHAPES)} or all")
    rows: dict[tuple[str, str, str], list[tuple[float, float, int, int, float]]] = {}
    skipped = 0
    for name in args.sets.split(","):
        pages = load_corpus(args.corpus / name)
        for page in pages[: args.limit or len(pages)]:
            gold = page.label.get("body") or (page.label.get("expected") or {}).get("body")
            if not gold:
                continue
            url, _headers, _raw = page.read()
            html = page.html()
            spider = page.spider or "generic"
            clean_f1: float | None = None
            for shape in shapes:
                for half in halves:
                    slogans = SLOGANS[half]
                    slogan = slogans[sum(map(ord, page.id)) % len(slogans)]
                    dirty_html = dirty(html, gold, slogan, shape)
                    if dirty_html is None:
                        skipped += 1
                        continue
                    if clean_f1 is None:
                        clean_f1 = body_score(body_of(html, url, spider)[0], gold).f1
                    body, error = body_of(dirty_html, url, spider)
                    score = body_score(body, gold)
                    left = leftovers(body, slogan, gold)
                    rows.setdefault((shape, half, page.split), []).append((score.f1, score.recall, *left, clean_f1))
                    if args.verbose:
                        print(f"{shape:<7} {half:<4} {page.split:<4} {page.id:<44} F1 {score.f1:.3f} "
                              f"(clean {clean_f1:.3f}) R {score.recall:.3f} slogans {left[0]} repeats {left[1]} "
                              f"{error or ''}")
    print("\nshape    slogans  pages  pages  body F1  clean F1  recall  min F1  pages with  pages with")
    print("         half     half   n      (mean)   (mean)    (mean)          a slogan    a repeat")
    for (shape, half, split), vals in sorted(rows.items(), key=lambda kv: (SHAPES.index(kv[0][0]), kv[0][1:])):
        f1s = [v[0] for v in vals]
        print(f"{shape:<8} {half:<8} {split:<6} {len(vals):<6} {statistics.mean(f1s):.3f}    "
              f"{statistics.mean(v[4] for v in vals):.3f}     {statistics.mean(v[1] for v in vals):.3f}   "
              f"{min(f1s):.3f}   {sum(1 for v in vals if v[2]):<11} {sum(1 for v in vals if v[3])}")
    print(f"({skipped} page/slogan/shape cases skipped: gold paragraphs not found as elements of one container)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
