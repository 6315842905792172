"""Bylines and page furniture: parsed into fields once, for every extraction layer.

A furniture line is short and stands alone. ``split_furniture`` reads the lines of an article
body (and the text of the site's noise elements, which often hold them) and returns the body
without its furniture lines and what they said:

- a breadcrumb (``您的位置：首页 > 科技 > 正文``) gives ``category`` and leaves the body;
- an editor or proofreader line (``责任编辑：X``, ``（责编：X、Y）``, ``【编辑:X】``, ``编辑 X 校对 Y``)
  gives ``editor`` and leaves the body;
- a source line (``来源：X``, ``2019-11-25 18:57 来源：新浪财经``) gives ``source`` and leaves the body;
- a dateline (a date with its time of day, or a labelled date, next to a source, channel or URL
  and nothing else) gives ``published_at`` (the raw text) and leaves the body;
- a production-credits block closing the article (``策划：X`` / ``统筹：Y`` / ``记者：Z`` /
  ``新华社国内部出品``, two lines or more) leaves the body;
- ``原标题：X`` gives ``original_title``; the line stays (the corpus keeps it in the body);
- a reporter line (``新京报记者 陆一夫``, ``作者：上官云 宋宇晟``) gives ``authors`` and stays.

Every pattern is anchored to a whole short line: a sentence that mentions 来源 or 编辑 is text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_OPEN = r"[\[［(（【〔□■]?\s*"
_CLOSE = r"\s*[\]］)）】〕]?"
_HERE = (
    r"(?:您的位置|你的位置|您现在的位置|您現在的位置|你现在的位置|当前位置|當前位置|现在位置|所在位置|位置导航|位置)"
)
_HOME = r"(?:首页|首頁|主页|主頁|网站首页|網站首頁|返回首页|home|Home|HOME)"
_SEP = r"\s*(?:>>|->|-->|>|»|›|＞|→|/|／|\|)\s*"
_BREADCRUMB_HERE = re.compile(rf"^{_HERE}\s*[:：]?\s*(?P<trail>.+)$")
_BREADCRUMB_HOME = re.compile(rf"^(?P<trail>{_HOME}{_SEP}.+)$")
_SPLIT = re.compile(_SEP)
_NOT_CATEGORY = re.compile(
    rf"^(?:{_HOME}|正文|正文内容|正文內容|内容|內容|文章|本文|详情|詳情|详细内容|新闻中心|阅读|閱讀)$"
)
_ROLES = (
    r"责任编辑|責任編輯|责编|責編|本文编辑|值班编辑|值班編輯|实习编辑|實習編輯|文字编辑|编辑|編輯|校对|校對|"
    r"审核|審核|审校|審校|编审|編審|终审|終審|监制|監製|主编|主編|美编|美編|排版"
)
_EDITOR = re.compile(rf"^{_OPEN}(?:{_ROLES})\s*[：:]\s*(?P<names>[^。！？!?；;，,]{{1,60}}?){_CLOSE}$")
# "编辑 张三 校对 李四": roles without colons, names of two to four characters
_EDITOR_BARE = re.compile(rf"^{_OPEN}(?:(?:{_ROLES})\s+[\u4e00-\u9fff·]{{2,4}}\s*){{1,4}}{_CLOSE}$")
_ROLE_VALUE = re.compile(
    rf"(?P<role>{_ROLES})\s*[：:\s]\s*(?P<name>.+?)(?=\s*(?:{_ROLES})\s*[：:\s]|[\]］)）】〕]|$)")
_EDITOR_ROLES = re.compile(r"^(?:责任编辑|責任編輯|责编|責編|本文编辑|编辑|編輯|值班编辑|值班編輯)$")
_SOURCE_LABEL = r"(?:来源|來源|稿源|文章来源|文章來源|本文来源|本文來源|新闻来源|新聞來源)"
_DATE = r"(?:\d{4}[-年/.]\d{1,2}[-月/.]\d{1,2}日?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*)?"
_SOURCE = re.compile(
    rf"^{_OPEN}{_DATE}{_SOURCE_LABEL}\s*[：:]\s*(?P<source>[^。！？!?，,；;：:]{{1,30}}?){_CLOSE}$"
)
_ORIGINAL_TITLE = re.compile(r"^[\[［(（【]?\s*原(?:标|標)题\s*[：:]\s*(?P<title>.+?)\s*[\]］)）】]?$")
# Datelines: a date with its time (or a labelled date), among names, channels and URLs only.
_DATETIME = re.compile(
    r"(?:19|20)\d{2}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}\s*日?\s*(?:T|\s)*\d{1,2}\s*[:：时]\s*\d{2}(?:\s*[:：]\s*\d{2})?")
_DAY = re.compile(r"(?:19|20)\d{2}\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}\s*日?")
_DATE_LABEL = re.compile(r"(?:发布时间|發佈時間|发布日期|发表时间|發表時間|更新时间|时间|時間|日期)\s*[：:]?")
_URL = re.compile(r"(?:https?://|www\.)[\w./?=&%#-]+")
_BY = re.compile(r"\bby\s+(?P<name>[^\s〓|]{1,20})", re.I)
_SENTENCE = re.compile(r"[。！？!?，,；;“”\"]")
_FRAME = re.compile(r"[〓□■◆●★☆|｜\[\]［］【】()（）<>《》\s]+")
_ORG = re.compile(r"(?:报|報|网|網|社|台|刊|新闻|新聞|日报|晚报|时报|頻道|频道|中心|客户端|APP|app)$")
# Production credits: "策划：X", "文字/图片：Y", "新华社国内部出品"
_CREDIT_ROLES = (
    r"总策划|策划|总监制|监制|总统筹|统筹|出品人|制片人|制片|主编|编审|终审|审核|审校|记者|通讯员|摄影|摄像|视频|拍摄|"
    r"剪辑|后期|设计|海报设计|海报|美编|美术|动画|动效|插画|制图|图表|配音|解说|播音|主持|编导|导演|文案|撰稿|文字|"
    r"采写|执行|技术支持|技术|运营|翻译|校对|编辑|责编|责任编辑|实习生|特别鸣谢|鸣谢|联合出品|出品|制作|图片|图|文"
)
_CREDIT = re.compile(
    rf"^{_OPEN}(?:{_CREDIT_ROLES})(?:\s*[、/／|&和]\s*(?:{_CREDIT_ROLES}))*\s*[：:|丨｜]\s*"
    rf"(?P<names>[^。！？!?；;，,：:]{{1,40}}){_CLOSE}$")
_PRODUCED = re.compile(r"^[\w·\s]{2,24}(?:联合出品|出品|制作)$")
# Reporter lines: "新京报记者 陆一夫", "□ 本报记者 葛灵丹", "作者：上官云 宋宇晟", "文/王五"
_NAME = r"[\u4e00-\u9fff·]{2,5}"
_REPORTER = re.compile(
    rf"^{_OPEN}(?:[^。！？，,；;：:]{{0,20}}?(?:记者|通讯员|实习生|作者|撰文|采写)|文)\s*[/／:：|丨]?\s*"
    rf"(?P<names>{_NAME}(?:[\s、，,]+{_NAME}){{0,5}})(?:\s*(?:\S{{2,6}}报道|发自\S{{2,6}}))?{_CLOSE}$")
_NAME_LABEL = re.compile(
    r"^(?:来源|來源|稿源|出处|source|作者|作\s*者|撰文|采写|文|编辑|责任编辑|by)\s*[:：|/／]?\s*", re.I)
_ORG_ROLE = re.compile(r"^[^\s]{0,14}?(?:首席|特约|见习|实习)?(?:记者|通讯员|实习生)\s*")
_NAME_SPLIT = re.compile(r"[\s、，,;；/／|丨]+|(?<=[\u4e00-\u9fff])和(?=[\u4e00-\u9fff])")
_NOT_NAME = re.compile(r"^(?:[A-Za-z]?_?\d+|[\w.+-]+@[\w-]+\.[\w.]+|https?://\S+|name|admin|null|none|undefined)$",
                       re.I)
_MAX_FURNITURE = 80
_STAFF_ID = re.compile(r"[_\s]+[A-Z]{1,4}\d{2,}[A-Z\d]*$")  # 王晓易_NE0011: the editor's staff code


@dataclass
class Furniture:
    """What the furniture lines of one page said (first found wins) and which lines left the body."""

    category: list[str] = field(default_factory=list)
    editor: str | None = None
    source: str | None = None
    original_title: str | None = None
    published_at: str | None = None
    authors: list[str] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)  # (line, rule)


def breadcrumb(line: str) -> list[str] | None:
    """Category names of a breadcrumb line, or None when the line is not a breadcrumb."""
    if len(line) > _MAX_FURNITURE:
        return None
    m = _BREADCRUMB_HERE.match(line)
    if m is None or (not _SPLIT.search(m.group("trail")) and not re.match(_HOME, m.group("trail"))):
        m = _BREADCRUMB_HOME.match(line)
    if m is None:
        return None
    parts = [part.strip() for part in _SPLIT.split(m.group("trail"))]
    if any(len(part) > 30 for part in parts[:-1]):
        return None
    return [part for part in parts if part and len(part) <= 15 and not _NOT_CATEGORY.match(part)]


def editor(line: str) -> str | None:
    """The editor's name of an editor/proofreader line ("" for a proofreader-only line), else None."""
    line = line.strip()
    if len(line) > _MAX_FURNITURE or (_EDITOR.match(line) is None and _EDITOR_BARE.match(line) is None):
        return None
    for value in _ROLE_VALUE.finditer(line):
        if _EDITOR_ROLES.match(value.group("role")):
            return _STAFF_ID.sub("", value.group("name").strip(" ：:"))
    return ""


def source(line: str) -> str | None:
    """The source named by a short standalone ``来源：X`` line, else None."""
    if len(line) > _MAX_FURNITURE or (m := _SOURCE.match(line.strip())) is None:
        return None
    return m.group("source").strip()


def original_title(line: str) -> str | None:
    if len(line) > 200 or (m := _ORIGINAL_TITLE.match(line.strip())) is None:
        return None
    return m.group("title")


def dateline(line: str) -> tuple[str, str | None, str | None] | None:
    """(date text, source, author) of a line that only dates the article, else None.

    ``http://house.sina.com.cn 2005年03月31日03:18 北京娱乐信报`` and ``〓 网易娱乐 发布时间 2005/05/17
    22:11:42 by 眉间尺 〓`` are datelines; a caption such as ``2019年9月8日 北京 天安门广场`` (a day, no
    time and no label) is not.
    """
    if len(line) > _MAX_FURNITURE + 20 or _SENTENCE.search(line):
        return None
    when = _DATETIME.search(line)
    if when is None:
        labelled = _DATE_LABEL.search(line)
        when = _DAY.search(line) if labelled or _URL.search(line) else None
        if when is None:
            return None
    rest = _URL.sub(" ", line[: when.start()] + " " + line[when.end():])
    rest = _DATE_LABEL.sub(" ", rest)
    found_source = None
    if m := re.search(rf"{_SOURCE_LABEL}\s*[:：]\s*(?P<s>[^\s〓|]{{1,30}})", rest):
        found_source = m.group("s")
        rest = rest[: m.start()] + " " + rest[m.end():]
    author = None
    if m := _BY.search(rest):
        author = m.group("name")
        rest = rest[: m.start()] + " " + rest[m.end():]
    words = [w for w in _FRAME.split(rest) if w]
    if sum(len(w) for w in words) > 30:
        return None
    if found_source is None and len(words) == 1 and _ORG.search(words[0]):
        found_source = words[0]
    return when.group(0), found_source, author


def credit(line: str) -> bool:
    """A line of a production-credits block (``统筹：X``, ``文字/图片：Y``, ``新华社国内部出品``)."""
    line = line.strip()
    return len(line) <= 60 and (_CREDIT.match(line) is not None or _PRODUCED.match(line) is not None)


def names(value: str) -> list[str]:
    """Person names in an author string: labels and "<outlet>记者" prefixes dropped, split at separators.

    ``澎湃新闻记者 段彦超 廖艳`` -> ``["段彦超", "廖艳"]``; numeric ids, e-mail addresses and URLs are no names.
    """
    value = _NAME_LABEL.sub("", value.strip()).strip(" ：:|")
    if (m := _ORG_ROLE.match(value)) and m.end() < len(value):
        value = value[m.end():]
    out = []
    for part in _NAME_SPLIT.split(value):
        part = part.strip(" ：:()（）[]【】")
        if part and len(part) <= 40 and not _NOT_NAME.match(part):
            out.append(part)
    return list(dict.fromkeys(out))


def reporter(line: str) -> list[str] | None:
    """The names of a standalone reporter line (``新京报记者 陆一夫``), else None."""
    line = line.strip()
    if len(line) > 40 or (m := _REPORTER.match(line)) is None:
        return None
    return [n for n in _NAME_SPLIT.split(m.group("names")) if n]


def _credits_start(lines: list[str]) -> int:
    """Index where a closing production-credits block starts (len(lines) when there is none)."""
    start = len(lines)
    credits = 0
    while start > 0:
        line = lines[start - 1]
        if credit(line):
            credits += 1
        elif editor(line) is None:
            break
        start -= 1
    return start if credits >= 2 else len(lines)


def split_furniture(lines: list[str], hidden: Iterable[str] = ()) -> tuple[list[str], Furniture]:
    """The body without its furniture lines, and what the furniture said.

    ``hidden`` are lines that are not part of the body (the text of the site's noise elements): they
    are read for fields only, first.
    """
    found = Furniture()
    for line in hidden:
        _read(line, found)
    out: list[str] = []
    end = _credits_start(lines)
    for i, line in enumerate(lines):
        rule = _read(line, found)
        if i >= end:
            rule = "credits"
        if rule is None:
            out.append(line)
        else:
            found.removed.append((line, rule))
    return out, found


def _read(line: str, found: Furniture) -> str | None:
    """Fill ``found`` from one line; the rule that takes the line out of the body, or None to keep it."""
    if len(line) > _MAX_FURNITURE + 20:  # a paragraph: at most a 原标题 line
        if found.original_title is None and (title := original_title(line)) is not None:
            found.original_title = title
        return None
    if (crumbs := breadcrumb(line)) is not None:
        if crumbs and not found.category:
            found.category = crumbs
        return "breadcrumb"
    if (name := editor(line)) is not None:
        if name and found.editor is None:
            found.editor = name
        return "editor"
    if (src := source(line)) is not None:
        if found.source is None:
            found.source = src
        return "source"
    if found.original_title is None and (title := original_title(line)) is not None:
        found.original_title = title
        return None
    if (dated := dateline(line)) is not None:
        when, src, author = dated
        found.published_at = found.published_at or when
        found.source = found.source or src
        if author and not found.authors:
            found.authors = [author]
        return "dateline"
    if not found.authors and (people := reporter(line)):
        found.authors = people
    return None
