"""Page furniture that belongs in fields, not in the body.

- a breadcrumb (``您的位置:首頁>科技>正文``) gives ``category`` and leaves the body;
- an editor line (``责任编辑：X``, ``编辑：X``, ``校对：X``) gives ``editor`` and leaves the body;
- a short standalone source line (``来源：X``) gives ``source`` and leaves the body;
- ``原标题：X`` gives ``original_title`` and stays in the body (the corpus keeps it).

Every pattern is anchored to a whole, short line: a sentence that mentions 来源 or 编辑 is text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.cleaning.keys import Removal

_OPEN = r"[\[［(（【〔]?\s*"
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
_ROLE_VALUE = re.compile(rf"(?P<role>{_ROLES})\s*[：:]\s*(?P<name>.+?)(?=\s*(?:{_ROLES})\s*[：:]|[\]］)）】〕]|$)")
_EDITOR_ROLES = re.compile(r"^(?:责任编辑|責任編輯|责编|責編|本文编辑|编辑|編輯|值班编辑|值班編輯)$")
_DATE = r"(?:\d{4}[-年/.]\d{1,2}[-月/.]\d{1,2}日?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*)?"
_SOURCE = re.compile(
    rf"^{_OPEN}{_DATE}(?:来源|來源|稿源|文章来源|文章來源|本文来源|本文來源|新闻来源|新聞來源)\s*[：:]\s*"
    rf"(?P<source>[^。！？!?，,；;：:]{{1,30}}?){_CLOSE}$"
)
_ORIGINAL_TITLE = re.compile(r"^[\[［(（【]?\s*原(?:标|標)题\s*[：:]\s*(?P<title>.+?)\s*[\]］)）】]?$")
_MAX_FURNITURE = 80


@dataclass
class Furniture:
    """Fields read from furniture lines (first found wins)."""

    category: list[str] = field(default_factory=list)
    editor: str | None = None
    source: str | None = None
    original_title: str | None = None


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
    if len(line) > _MAX_FURNITURE or _EDITOR.match(line.strip()) is None:
        return None
    for value in _ROLE_VALUE.finditer(line):
        if _EDITOR_ROLES.match(value.group("role")):
            return value.group("name").strip()
    return ""


def source(line: str) -> str | None:
    if len(line) > _MAX_FURNITURE or (m := _SOURCE.match(line.strip())) is None:
        return None
    return m.group("source").strip()


def original_title(line: str) -> str | None:
    if len(line) > 200 or (m := _ORIGINAL_TITLE.match(line.strip())) is None:
        return None
    return m.group("title")


def extract_furniture(lines: list[str]) -> tuple[list[str], list[Removal], Furniture]:
    """Lines without breadcrumb, editor and source lines; the fields they gave."""
    found = Furniture()
    removed: list[Removal] = []
    out: list[str] = []
    for line in lines:
        if (crumbs := breadcrumb(line)) is not None:
            if crumbs and not found.category:
                found.category = crumbs
            removed.append(Removal(line, "furniture", "breadcrumb"))
        elif (name := editor(line)) is not None:
            if name and found.editor is None:
                found.editor = name
            removed.append(Removal(line, "furniture", "editor"))
        elif (src := source(line)) is not None:
            if found.source is None:
                found.source = src
            removed.append(Removal(line, "furniture", "source"))
        else:
            if found.original_title is None and (title := original_title(line)) is not None:
                found.original_title = title
            out.append(line)
    return out, removed, found
