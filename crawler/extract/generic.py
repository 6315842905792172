"""Site-independent article extraction: title, body paragraphs, body images and date text.

The body is found by block scoring in the manner of readability, tuned for Chinese pages:
every visual text block (``p``, ``div``, ``br``-separated runs, ``li``, headings, table
cells) is scored by its length and its punctuation (CJK and Latin), and the score flows to
the nearest container element and, decaying, to its ancestors; a container's score is then
scaled by ``1 - link density`` and by its class/id hints. The best container (plus sibling
containers that score nearly as well) is the body. Inside it, link lists, editor lines
(责任编辑/编辑/校对), copyright notices, video stubs and pagination are dropped, and the body
stops at a "related articles" style tail (延伸阅读, 相关新闻, 【纠错】, 扫描二维码 ...).

Pure: no network, settings or spider state. ``bench/generic_choice.py`` measures this
module against trafilatura and readability-lxml on the real-page corpus.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog dir div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li main menu nav ol p pre section summary table tbody "
    "td tfoot th thead tr ul caption".split()
)
# Elements that may hold an article body; text in other blocks (p, li, h2 ...) scores its nearest container.
CONTAINER_TAGS = frozenset("article body center dd div form main section td table tbody blockquote".split())
DROP_TAGS = frozenset(
    "script style noscript iframe frame frameset object embed applet svg canvas select option button input "
    "textarea nav aside footer head link meta template map area audio video source track param".split()
)
_SCRIPT_TAGS = frozenset("script style noscript template head select option textarea".split())
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())

_WS = re.compile(r"[\s\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")
_PUNCT = re.compile(r"[，。！？；：、,!?;“”「」（）]|\.(?=\s|$)")
_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z0-9]+")
_POSITIVE = re.compile(r"article|body|content|entry|main|post|text|story|detail|news|zw|cont", re.I)
_NEGATIVE = re.compile(
    r"comment|foot|footer|sidebar|side|nav|menu|related|relate|recommend|share|sponsor|ad-|advert|banner|"
    r"breadcrumb|crumb|copyright|login|header|tag|hot|rank|list|link|popup|pager|pagination",
    re.I,
)
_DATE = re.compile(
    r"(?<![\dA-Za-z])(?:19|20)\d{2}\s*[-/.年]\s*(?:1[0-2]|0?[1-9])(?!\d)\s*(?:[-/.月]\s*\d{1,2}\s*日?)?"
    r"(?:\s*\d{1,2}\s*[:：]\s*\d{2})?"
    r"|(?<!\d)[0-3]?\d/[01]?\d/(?:19|20)\d{2}(?!\d)"
)
_DATE_HINT = re.compile(r"time|date|pub|info|source|meta|author|byline|attr", re.I)

# Lines that are never body (editor credits, copyright, reprint notices, video stubs, pagination).
_NOISE_LINE = re.compile(
    r"^[\s(（\[【]*(?:责任编辑|责编|编辑|校对|审核|审校|监制|编审|主编|值班编辑|实习编辑|美编)\s*[:：]"
    r"|^[\s(（\[【]*(?:本文)?(?:来源|作者|记者|通讯员|图片来源|摄影)\s*[:：][^。，,]{0,30}$"
    r"|版权所有|版權所有|All Rights Reserved|Copyright|©|未经(?:授权|许可|书面)|不得转载|禁止转载|转载请注明|转载请联系"
    r"|视频加载中|您的浏览器不支持|请升级浏览器|点击播放|打开微信|扫一扫|分享到"
    r"|^(?:广告|推广|Advertisement)$"
    r"|^(?:\s|上一页|下一页|上一篇|下一篇|首页|尾页|末页|\d+|[\[\]【】|<>《》.…]|第\s*\d+\s*页|共\s*\d+\s*页)+$",
    re.I,
)
# A short line that starts one of these ends the body: what follows is related links or promotion.
_TAIL_LINE = re.compile(
    r"^[\s【\[(（]*(?:延伸阅读|相关阅读|相关新闻|相关报道|相关链接|相关文章|相关专题|相关推荐|推荐阅读|热门推荐|热点推荐|更多精彩|"
    r"更多阅读|猜你喜欢|往期回顾|往期精彩|精彩推荐|今日推荐|纠错|我要纠错|打印本页|关闭窗口|扫描下方二维码|扫描二维码|长按二维码|"
    r"点击进入专题|进入专题|网友评论|发表评论|我要评论|评论\s*\d|相关稿件|责任编辑|热门评论|最新评论|精彩评论|全部评论|"
    r"参与评论|反侵权公告|版权声明|免责声明|本站声明)"
    r"|(?:已有|共有)\s*\d+\s*[件条篇个]?(?:评论|回复|留言)|Trackback"
)
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||｜|–|—|--|::|\s-\s|-(?=[^-]{1,16}$))\s*")
_ICON = re.compile(r"icon|logo|button|btn|arrow|spacer|blank|pixel|face\d*/|avatar|/images?/[^/]*\.gif$", re.I)
_MIN_LINE = 8


@dataclass
class GenericArticle:
    """A generically extracted article: headline, paragraphs, body images and the raw date text."""

    title: str | None
    body: list[str]
    images: list[str]
    date_text: str | None


@dataclass
class _Line:
    text: str
    container: Any
    tag: str = ""
    link_chars: int = 0
    images: list[str] = field(default_factory=list)

    @property
    def chars(self) -> int:
        return len(_CHAR.findall(self.text))


def normalise_space(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _count(text: str) -> int:
    """Text size in metric tokens: each CJK character, each Latin word or number."""
    return len(_CHAR.findall(text))


def _tag(el: Any) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _is_hidden(el: Any) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style or el.get("hidden") is not None


def _clean(root: Any, drop: frozenset[str] = DROP_TAGS) -> Any:
    """A copy of ``root`` without comments and the ``drop`` elements (default: scripts, navigation,
    form controls, asides, footers) and, with the default, hidden elements."""
    root = copy.deepcopy(root)
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            doomed.append(el)
        elif _tag(el) in drop or (drop is DROP_TAGS and _is_hidden(el)):
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is None:
            continue
        tail = el.tail
        if tail and tail.strip():
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(el)
    return root


def _container_of(el: Any) -> Any:
    while el is not None and _tag(el) not in CONTAINER_TAGS:
        el = el.getparent()
    return el


def _lines(root: Any, url: str) -> list[_Line]:
    """The visual text lines under ``root`` in document order, each tagged with its container."""
    out: list[_Line] = []
    buf: list[str] = []
    state = {"link": 0, "images": []}

    def flush(el: Any) -> None:
        text = normalise_space("".join(buf))
        buf.clear()
        if text or state["images"]:
            out.append(_Line(text, _container_of(el), _tag(el), state["link"], list(state["images"])))
        state["link"] = 0
        state["images"] = []

    links_open = 0  # <a> elements around the current position (no recursion: any depth reads)
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        if event in ("comment", "pi"):
            if el.tail:
                buf.append(el.tail)
                if links_open:
                    state["link"] += _count(el.tail)
            continue
        tag = _tag(el)
        block = tag in BLOCK_TAGS
        if event == "start":
            if block:
                parent = el.getparent()
                flush(parent if parent is not None else el)
            if tag == "br":
                flush(el.getparent())
            elif tag == "img":
                src = el.get("data-original") or el.get("data-src") or el.get("src") or ""
                small = any(el.get(dim, "").isdigit() and int(el.get(dim)) < 60 for dim in ("width", "height"))
                if src and not src.startswith("data:") and not small and not _ICON.search(src):
                    state["images"].append(urljoin(url, src.strip()))
            if tag == "a":
                links_open += 1
            if el.text:
                buf.append(el.text)
                if links_open:
                    state["link"] += _count(el.text)
            continue
        if tag == "a":
            links_open -= 1
        if block:
            flush(el)
        if el.tail and el is not root:
            buf.append(el.tail)
            if links_open:
                state["link"] += _count(el.tail)

    # The tail of a block belongs to the parent's flow; flush() at block end keeps it separate.
    flush(root)
    return out


def _class_weight(el: Any) -> float:
    weight = 0.0
    for attr in (el.get("class"), el.get("id")):
        if not attr:
            continue
        if _NEGATIVE.search(attr):
            weight -= 25
        if _POSITIVE.search(attr):
            weight += 25
    return weight


def _score_containers(lines: list[_Line]) -> dict[Any, float]:
    scores: dict[Any, float] = {}
    for line in lines:
        chars = line.chars
        own = chars - line.link_chars
        if own < _MIN_LINE or line.container is None:
            continue
        value = 1 + len(_PUNCT.findall(line.text)) + min(own / 40, 4)
        value *= max(0.0, 1 - line.link_chars / max(chars, 1))
        el, level = line.container, 0
        while el is not None and level < 4:
            scores[el] = scores.get(el, 0.0) + value / (1 + level) ** 1.5
            el = el.getparent()
            level += 1
    return scores


def _link_density(el: Any, totals: dict[Any, tuple[int, int, int]]) -> float:
    chars, links, _ = totals.get(el, (0, 0, 0))
    return links / chars if chars else 1.0


def _region_totals(lines: list[_Line]) -> dict[Any, tuple[int, int, int]]:
    """Per element: metric tokens, tokens inside links and punctuation marks of its lines."""
    totals: dict[Any, tuple[int, int, int]] = {}
    for line in lines:
        chars, links, punct = line.chars, line.link_chars, len(_PUNCT.findall(line.text))
        el = line.container
        while el is not None:
            c, lk, pu = totals.get(el, (0, 0, 0))
            totals[el] = (c + chars, lk + links, pu + punct)
            el = el.getparent()
    return totals


def _within(el: Any, region: set[Any]) -> bool:
    while el is not None:
        if el in region:
            return True
        el = el.getparent()
    return False


def _grow(best: Any, totals: dict[Any, tuple[int, int, int]]) -> Any:
    """Climb from ``best`` while each step up adds only body-like text: few links, real sentences."""
    current = best
    while True:
        parent = current.getparent()
        if parent is None or _tag(parent) in ("body", "html") or _class_weight(parent) < 0:
            return current
        chars, links, punct = (a - b for a, b in zip(totals[parent], totals[current], strict=True))
        if chars == 0:
            current = parent
            continue
        if chars < 50 or links / chars > 0.15 or punct / chars < 0.03:
            return current
        current = parent


def _select(lines: list[_Line]) -> set[Any]:
    """The element(s) holding the body: the best scored container, grown, plus strong siblings."""
    scores = _score_containers(lines)
    if not scores:
        return set()
    totals = _region_totals(lines)
    final = {
        el: (score + _class_weight(el)) * (1 - _link_density(el, totals))
        for el, score in scores.items()
    }
    best = _grow(max(final, key=final.get), totals)
    region = {best}
    parent = best.getparent()
    if parent is not None:
        threshold = max(10.0, final.get(best, 0.0) * 0.25)
        for sib in parent:
            if (
                sib is not best
                and final.get(sib, 0.0) >= threshold
                and _link_density(sib, totals) < 0.3
                and _class_weight(sib) >= 0
            ):
                region.add(sib)
    return region


def _is_paragraph(line: _Line) -> bool:
    return line.chars >= 40 and len(_PUNCT.findall(line.text)) >= 2


def _is_heading_or_meta(line: _Line) -> bool:
    """A headline or a byline/date line standing above the first paragraph."""
    if line.tag in HEADING_TAGS:
        return True
    return len(line.text) <= 80 and bool(_DATE.search(line.text)) and not _is_paragraph(line)


def _filter(lines: list[_Line]) -> tuple[list[str], list[str]]:
    body: list[str] = []
    images: list[str] = []
    total = sum(line.chars for line in lines) or 1
    seen = 0
    first = next((i for i, line in enumerate(lines) if _is_paragraph(line)), 0)
    for i, line in enumerate(lines):
        text, chars = line.text, line.chars
        seen += chars
        if i < first and _is_heading_or_meta(line):
            continue
        if text and len(text) <= 40 and _TAIL_LINE.search(text) and body and seen > total * 0.3:
            break
        images.extend(line.images)
        if not text or not chars:
            continue
        if chars and line.link_chars / chars > 0.5:
            continue
        if len(text) <= 120 and _NOISE_LINE.search(text):
            continue
        body.append(text)
    return body, list(dict.fromkeys(images))


def generic_body(root: Any, url: str) -> tuple[list[str], list[str]]:
    """Body paragraphs and absolute image URLs of an article page.

    ``root`` is a parsed lxml element (``lxml.html.fromstring``) or a parsel ``Selector``
    (its ``.root`` is used); it is not modified. Returns ``([], [])`` when nothing scores.
    """
    root = getattr(root, "root", root)
    cleaned = _clean(root)
    lines = _lines(cleaned, url)
    region = _select(lines)
    if not region:
        return [], []
    return _filter([line for line in lines if _within(line.container, region)])


def _strip_site(title: str) -> str:
    parts = [p for p in _TITLE_SPLIT.split(title) if p.strip()]
    if len(parts) <= 1:
        return title.strip()
    first = parts[0].strip()
    return first if _count(first) >= 4 else max(parts, key=len).strip()


def _title(root: Any) -> str | None:
    page_title = normalise_space(" ".join(root.xpath("//title//text()")))
    og = root.xpath("//meta[@property='og:title' or @name='og:title']/@content")
    og_title = normalise_space(og[0]) if og else ""
    reference = og_title or page_title
    h1s = [normalise_space(h.text_content()) for h in root.xpath("//h1")]
    h1s = [h for h in h1s if 4 <= len(h) <= 120]
    for h in h1s:
        if reference and (h in reference or _strip_site(reference) in h):
            return h
    if og_title:
        return _strip_site(og_title)
    if h1s:
        return h1s[0]
    return _strip_site(page_title) or None


def _date_text(root: Any, title: str | None, body: list[str]) -> str | None:
    """The short line holding a date between the headline and the body, else a date-hinted element."""
    lines = [line.text for line in _lines(root, "") if line.text]
    start = next((i for i, text in enumerate(lines) if title and title in text), 0)
    end = next((i for i in range(start, len(lines)) if body and lines[i] == body[0]), len(lines))
    for text in lines[start:end + 1]:
        if len(text) <= 120 and _DATE.search(text):
            return text
    for el in root.iter():
        if not isinstance(el.tag, str) or not _DATE_HINT.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            continue
        text = normalise_space(el.text_content())
        if 6 <= len(text) <= 200 and _DATE.search(text):
            return text
    if start == 0 and end < len(lines):
        tail = [text for text in lines[end:] if len(text) <= 60 and _DATE.search(text)]
        return tail[0] if tail else None
    return None


def extract_generic(page: str | Any, url: str) -> GenericArticle:
    """Title, body, images and raw date text of an article page, without site knowledge.

    ``page`` is the HTML, or an already-parsed lxml root or parsel Selector (left unchanged).
    """
    if isinstance(page, str):
        try:
            root = lxml.html.document_fromstring(page)
        except (etree.ParserError, ValueError):
            return GenericArticle(None, [], [], None)
    else:
        root = getattr(page, "root", page)
    body, images = generic_body(root, url)
    title = _title(root)
    return GenericArticle(title, body, images, _date_text(_clean(root, _SCRIPT_TAGS), title, body))
