"""Tests for crawler.extract.generic on hand-written pages, plus a corpus floor when the corpus exists."""

from __future__ import annotations

import random
import re
from pathlib import Path

import lxml.html
import pytest
from parsel import Selector

from bench.portal import article_page
from crawler.evaluation import body_score, load_corpus
from crawler.extract.generic import (
    Page,
    conventions,
    count,
    extract_generic,
    generic_body,
    parse,
    title_index,
    without_galleries,
)
from crawler.extract.pagekind import numbered_in_order

PARA1 = "今年以来，我市坚持稳中求进工作总基调，经济运行总体平稳，主要指标好于预期，发展质量不断提升。"
PARA2 = "市统计局负责人表示，下一步将继续加强监测分析，为全年目标任务的完成提供有力支撑和保障。"
PARA3 = "分析人士认为，消费市场持续回暖，投资结构不断优化，新动能加快成长，为经济发展注入了活力。"

PAGE = f"""<html><head><title>全市经济运行稳中向好_示例新闻网</title></head><body>
<div class="nav"><a href="/">首页</a> | <a href="/news">新闻</a> | <a href="/sports">体育</a>
  | <a href="/ent">娱乐</a></div>
<div class="main">
  <h1>全市经济运行稳中向好</h1>
  <div class="info"><span class="time">2024-03-05 10:20:30</span> 来源：示例日报</div>
  <div class="article">
    <p>{PARA1}</p>
    <p><img src="/img/photo1.jpg" width="600"></p>
    <p>图为工业园区一角。</p>
    <div>{PARA2}<br>{PARA3.replace("新动能", "<strong>新动能</strong>")}</div>
    <p>（责任编辑：张三）</p>
    <p>延伸阅读</p>
    <ul><li><a href="/a/1">一季度消费数据出炉，同比增长明显</a></li>
        <li><a href="/a/2">多地出台措施促进投资，项目建设提速</a></li></ul>
  </div>
  <div class="related"><h3>相关新闻</h3><ul>
    <li><a href="/a/3">外贸进出口总额创历史新高</a></li><li><a href="/a/4">就业形势总体稳定</a></li></ul></div>
</div>
<div class="footer">版权所有 © 2024 示例新闻网 未经授权不得转载 <a href="/about">关于我们</a></div>
</body></html>"""


def test_body_paragraphs_blocks_and_br():
    article = extract_generic(PAGE, "https://news.example.com/2024/03/05/a.html")
    assert article.body == [PARA1, "图为工业园区一角。", PARA2, PARA3]


def test_images_are_absolute():
    article = extract_generic(PAGE, "https://news.example.com/2024/03/05/a.html")
    assert article.images == ["https://news.example.com/img/photo1.jpg"]


def test_title_and_date_text():
    article = extract_generic(PAGE, "https://news.example.com/2024/03/05/a.html")
    assert article.title == "全市经济运行稳中向好"
    assert article.date_text is not None and "2024-03-05 10:20:30" in article.date_text


@pytest.mark.parametrize(
    ("page_title", "expected"),
    [
        ("港股收涨1% 科技股领涨 - 网易新闻", "港股收涨1% 科技股领涨"),
        ("港股收涨1% 科技股领涨_新浪网", "港股收涨1% 科技股领涨"),
        ("港股收涨1% 科技股领涨 | 示例财经", "港股收涨1% 科技股领涨"),
    ],
)
def test_title_without_h1_strips_site_suffix(page_title: str, expected: str):
    html = f"<html><head><title>{page_title}</title></head><body><div><p>{PARA1}</p><p>{PARA2}</p></div></body></html>"
    assert extract_generic(html, "https://example.com/").title == expected


def test_generic_body_accepts_lxml_root_and_selector_without_changing_them():
    root = lxml.html.document_fromstring(PAGE)
    before = lxml.html.tostring(root)
    body, images = generic_body(root, "https://news.example.com/a.html")
    assert body[0] == PARA1 and images == ["https://news.example.com/img/photo1.jpg"]
    assert lxml.html.tostring(root) == before
    assert generic_body(Selector(text=PAGE), "https://news.example.com/a.html") == (body, images)


def test_empty_page():
    article = extract_generic("<html><body></body></html>", "https://example.com/")
    assert article.body == [] and article.images == []


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "generic"
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "generic"


def fixture_page(case: str) -> str:
    return (FIXTURES / f"{case}.html").read_text(encoding="utf-8")


def test_text_of_any_script_counts():
    """Cyrillic words are text like CJK characters: a Russian page gives its paragraphs, not nothing."""
    assert count("В субботу утром движение по новому мосту") == 7
    assert count("가나다 かな 漢字 Straße") == 3 + 2 + 2 + 1
    article = extract_generic(fixture_page("russian"), "https://city.example.ru/news/bridge.html")
    assert len(article.body) == 3 and article.body[0].startswith("В субботу утром")
    assert article.title == "В городе открыли новый мост" and "23.11.2026" in (article.date_text or "")
    assert not any("Читайте также" in line or "Ремонт набережной" in line for line in article.body)


def test_comment_thread_longer_than_the_post_stays_out():
    article = extract_generic(fixture_page("comments"), "https://riverside.example.org/2026/11/21/quiet-weekend/")
    assert len(article.body) == 3 and article.body[0].startswith("We took the old boat out")
    assert not any(word in line for line in article.body for word in ("Tom Hale", "Reply", "Share this", "Twitter"))


def test_a_comments_heading_ends_the_story_however_long_the_thread():
    story = [f"Paragraph {n} of the story: the council met on Friday, and members said the bridge would reopen "
             f"in spring after repairs to the deck and railings, which had been delayed twice." for n in range(3)]
    replies = "".join(f'<div class="entry"><b>Reader {n}</b><p>I have lived here for {n + 3} years, and the bridge '
                      f'has been closed for far too long; the council should have acted sooner, frankly, and '
                      f'told us what the repairs would cost before starting them.</p></div>' for n in range(40))
    html = (f'<html><head><title>Bridge to reopen in spring</title></head><body><div class="content">'
            f'<h1>Bridge to reopen in spring</h1>{"".join(f"<p>{p}</p>" for p in story)}'
            f"<h3>Comments are now closed for this story</h3>{replies}</div></body></html>")
    for vote in (True, False):
        assert extract_generic(html, "https://news.example.com/bridge", vote=vote).body == story


def test_a_table_of_contents_is_not_body():
    sections = {"History": "The lake formed at the end of the last ice age, when the glacier that filled the valley "
                           "melted and left a deep basin, which the river has fed ever since, year after year.",
                "Ecology": "Eleven species of fish live in the lake today, and herons, grebes and ospreys feed on "
                           "them through the summer, when the water is warm enough for the fish to rise.",
                "Protection": "Since 2015 the shores have been protected, and new houses may no longer be built "
                              "within two hundred metres of the water, which has become clearer since then."}
    toc = "".join(f'<li><a href="#s{n}"><span class="tocnumber">{n + 1}</span> {name}</a></li>'
                  for n, name in enumerate(sections))
    body = "".join(f'<h2 id="s{n}">{name}<span class="edit">[edit]</span></h2><p>{text}</p>'
                   for n, (name, text) in enumerate(sections.items()))
    html = (f'<html><head><title>Lake Erhai</title></head><body><div id="content"><h1>Lake Erhai</h1>'
            f'<p>{sections["History"].replace("The lake", "Lake Erhai")}</p><ul>{toc}</ul>{body}'
            f'<p><a href="/wiki/Ecology">Ecology</a> of lakes in general is a separate article.</p>'
            '</div></body></html>')
    page = Page(lxml.html.document_fromstring(html))
    # every line, as a vote that kept the whole page would give them: the contents entries go, the rest stays
    kept = [line.text for line in conventions(page.lines, title_index(page.lines, "Lake Erhai")) if line.text]
    assert not any(line.startswith(("1 ", "2 ", "3 ")) for line in kept), kept
    assert "Ecology[edit]" in kept and sections["Protection"] in kept
    assert "Ecology of lakes in general is a separate article." in kept  # a link after its heading is no contents


def test_a_tail_heading_left_at_the_end_of_a_vote_is_not_body():
    html = (f"<html><body><div><p>{GERMAN[0]}</p><p>{GERMAN[1]}</p><h3>Teilen Sie dies mit:</h3>"
            "<h3>Related</h3></div></body></html>")
    page = Page(lxml.html.document_fromstring(html))
    assert [line.text for line in conventions(page.lines, None)] == GERMAN[:2]


def test_xhtml_with_an_xml_declaration_reads():
    article = extract_generic(fixture_page("xhtml"), "https://news.binjiang.example/article/2026/11/20/plant.html")
    assert article.title == "城东污水处理厂二期投入运行"
    assert len(article.body) == 3 and article.body[0].startswith("城东污水处理厂二期工程20日")


def test_a_list_of_posts_is_a_listing_with_a_reason():
    article = extract_generic(fixture_page("archive"), "https://blog.binjiang.example/2026/11/")
    assert article.kind == "listing" and article.body == []
    assert article.reason is not None and "posts" in article.reason
    assert generic_body(lxml.html.document_fromstring(fixture_page("archive")), "https://blog.example/") == ([], [])


def test_an_article_page_is_not_a_listing():
    article = extract_generic(fixture_page("river-bridge"), "https://news.binjiang.example/article/2026/11/23/a.html")
    assert article.kind == "article" and article.body


def test_voting_leaves_the_parsed_page_unchanged():
    root = lxml.html.document_fromstring(fixture_page("comments"))
    before = lxml.html.tostring(root)
    assert extract_generic(root, "https://riverside.example.org/a").method == "vote"
    assert lxml.html.tostring(root) == before


def test_plainly_built_articles_take_the_cheap_path():
    """The generated portal's articles (bench/portal.py, what the crawl benchmark reads) never call the voters."""
    rng = random.Random(7)
    for i in range(20):
        html = article_page(i, 1000, rng, 4, 12).decode("utf-8")
        article = extract_generic(html, f"http://127.0.0.1/a/{i}.html")
        assert article.method == "cheap" and len(article.body) >= 3


@pytest.mark.skipif(not CORPUS.is_dir(), reason="real-page corpus not present")
def test_corpus_mean_body_f1_floor():
    scores = []
    for page in load_corpus(CORPUS):
        expected = (page.label.get("expected") or {}).get("body") or ""
        if expected.strip():
            scores.append(body_score("\n".join(extract_generic(page.html(), page.read()[0]).body), expected).f1)
    assert scores
    assert sum(scores) / len(scores) >= 0.95


def test_body_markup_before_body_that_lxml_leaves_in_the_head_is_read():
    paragraphs = [f"Paragraph {i} of the story tells what happened in the harbour town on Monday, and why it matters."
                  for i in range(4)]
    # no </head> and no <body>: an unknown tag keeps libxml2 in the head for the rest of the page
    page = ("<html><head><title>Harbour story</title><mbox><tr><td><img src='/menu.gif'></td></tr>"
            "<h1>Harbour story</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs))
    root = lxml.html.fromstring(page)
    assert root.find("body") is None  # the whole page is parsed into <head>, as on real pages with such a tag
    article = extract_generic(page, "https://news.example.com/harbour.html")
    assert article.body == paragraphs and article.title == "Harbour story"


def test_a_tail_marker_printed_after_every_paragraph_does_not_end_the_body():
    paragraphs = [f"第{i}段，记者在现场看到，工人们正在加紧施工，新桥预计在年底前完工并通车，市民出行将更方便。"
                  for i in range(8)]
    body = "".join(f"<p>{p}</p><p>更多精彩请关注新知周刊</p>" for p in paragraphs)
    page = (f"<html><head><meta charset='utf-8'><title>新桥施工</title></head><body><h1>新桥施工</h1>"
            f"<div class='article'>{body}</div><div class='footer'>版权所有 © 2024 新闻网</div></body></html>")
    for vote in (False, True):
        article = extract_generic(page, "https://news.example.cn/a/1.html", vote=vote)
        assert all(p in article.body for p in paragraphs), (vote, article.body)
    # printed once before teasers, it still ends the body
    once = page.replace("<p>更多精彩请关注新知周刊</p>", "", 8).replace(
        "</div><div class='footer'>", "<p>更多精彩</p><p><a href='/b'>桥梁</a></p><p><a href='/c'>地铁</a></p></div>"
        "<div class='footer'>")
    article = extract_generic(once, "https://news.example.cn/a/1.html")
    assert article.body[:8] == paragraphs and "桥梁" not in article.body and "地铁" not in article.body


STORY = [f"Paragraph {i} of the council story says what the vote decided for the old harbour and who pays for it."
         for i in range(4)]


def test_a_title_that_never_closes_does_not_swallow_the_page():
    # a damaged save: "</title>" lost, so the parser reads the rest of the source as the title's text
    page = ("<html><head><title>Council votes on the harbour - Example News\n<script>var a = 1;</script>"
            "<meta name='x' content='y'></head><body><div class='nav'><a href='/'>Home</a></div>"
            "<div class='story'><h1>Council votes on the harbour</h1>"
            + "".join(f"<p>{p}</p>" for p in STORY) + "</div></body></html>")
    root = lxml.html.document_fromstring(page)
    assert root.find("body") is None and len(root.find(".//title").text) > 200  # the damage, as lxml reads it
    before = lxml.html.tostring(root)
    for given in (page, root):
        article = extract_generic(given, "https://news.example.com/harbour.html")
        assert article.body[-4:] == STORY and "Home" not in article.body
        assert article.title == "Council votes on the harbour"
    assert lxml.html.tostring(root) == before
    # a long title of plain words is a title
    sound = page.replace("\n<script>", "</title><script>").replace("Example News", "Example News " + "word " * 60)
    assert extract_generic(sound, "https://news.example.com/harbour.html").body[-4:] == STORY


def test_a_noscript_left_open_holds_the_page_and_is_read():
    # "<noscript><div></noscript>": libxml2 ignores the end tag, so the whole page nests inside the noscript
    page = ("<html><head><title>Harbour</title></head><body><noscript><div id='wrap'></noscript>"
            "<div class='story'><h1>Council votes on the harbour</h1>" + "".join(f"<p>{p}</p>" for p in STORY)
            + "</div></div><noscript><img src='/pixel.gif'></noscript></body></html>")
    assert extract_generic(page, "https://news.example.com/harbour.html").body[-4:] == STORY
    # a tracking pixel or a "enable JavaScript" notice in <noscript> stays out
    notice = ("<html><body><noscript><p>Please enable JavaScript to view the comments powered by Disqus.</p></noscript>"
              "<div class='story'>" + "".join(f"<p>{p}</p>" for p in STORY) + "</div></body></html>")
    body = extract_generic(notice, "https://news.example.com/harbour.html").body
    assert body == STORY, body


def test_a_page_saved_as_two_documents_is_read_as_one():
    # "</html><html>": libxml2 parses the second document into a sibling of the root; a browser shows both
    page = ("<html><head><title>Council votes on the harbour</title></head><body><div class='nav'>"
            "<a href='/'>Home</a> <a href='/news'>News</a></div></body></html>\n<html><body><div class='story'>"
            + "".join(f"<p>{p}</p>" for p in STORY) + "</div></body></html>")
    root = lxml.html.document_fromstring(page)
    assert root.getnext() is not None  # the damage, as lxml reads it
    before = lxml.html.tostring(root)
    for given in (page, root):
        assert extract_generic(given, "https://news.example.com/harbour.html").body[-4:] == STORY
    assert lxml.html.tostring(root) == before and root.getnext() is not None


GERMAN = [f"Absatz {i}: Der Stadtrat hat am Dienstag beschlossen, die alte Brücke am Hafen bis zum Herbst zu "
          "sanieren, und die Kosten teilen sich Land und Stadt." for i in range(4)]


def test_furniture_of_other_languages_is_not_body():
    """Share, photo credit, feedback prompt and a related list in German: the rule files hold them as data."""
    story = "".join(f"<p>{p}</p>" for p in GERMAN)
    page = ("<html><head><meta charset='utf-8'><title>Brücke wird saniert</title></head><body>"
            "<h1>Brücke wird saniert</h1><div class='article'>"
            f"<p>Teilen</p><p>Foto: Max Muster / dpa</p>{story}<p>War der Artikel nützlich?</p>"
            "<h3>Ähnliche Beiträge</h3><p><a href='/a'>Neue Buslinie im Osten</a></p>"
            "<p><a href='/b'>Das Freibad öffnet früher</a></p></div></body></html>")
    for vote in (False, True):
        article = extract_generic(page, "https://stadt.example.de/2026/11/bruecke.html", vote=vote)
        assert article.body == GERMAN, (vote, article.body)


def test_a_byline_with_a_month_name_and_a_blogs_like_heading_in_german():
    story = "".join(f"<p>{p}</p>" for p in GERMAN)
    page = ("<html><head><meta charset='utf-8'><title>Brücke wird saniert</title></head><body>"
            "<h1>Brücke wird saniert</h1><div class='entry'>"
            f"<p>von eseppelt · 31. Oktober 2023</p>{story}<h3>Gefällt mir:</h3><p>Liken</p>"
            "<p>Lade …</p></div></body></html>")
    article = extract_generic(page, "https://blog.example.de/2023/10/31/bruecke/", vote=False)
    assert article.body == GERMAN, article.body
    assert article.date_text == "von eseppelt · 31. Oktober 2023"


def test_figure_captions_are_not_body_unless_they_are_the_story():
    """A <figcaption> describes a picture: out of the body. A photo story, all captions, keeps them; and
    a paragraph-long text someone set in a <figcaption> is body text."""
    figure = ("<figure><img src='/img/bridge.jpg'>"
              "<figcaption>Die Brücke im Herbst. Foto: Max Muster</figcaption></figure>")
    story = "".join(f"<p>{p}</p>" + (figure if i == 0 else "") for i, p in enumerate(GERMAN))
    page = ("<html><head><meta charset='utf-8'><title>Brücke wird saniert</title></head><body>"
            f"<h1>Brücke wird saniert</h1><div class='article'>{story}</div></body></html>")
    for vote in (False, True):
        article = extract_generic(page, "https://stadt.example.de/2026/11/bruecke.html", vote=vote)
        assert article.body == GERMAN, (vote, article.body)
        assert article.images == ["https://stadt.example.de/img/bridge.jpg"]

    long_text = " ".join(GERMAN * 2)
    misused = page.replace("Die Brücke im Herbst. Foto: Max Muster", long_text)
    assert long_text in extract_generic(misused, "https://stadt.example.de/2026/11/bruecke.html").body

    captions = [f"Bild {n}: Der Pfeiler {n} der Brücke wird am Morgen eingerüstet, die Arbeiter beginnen früh."
                for n in range(1, 7)]
    gallery = "".join(f"<figure><img src='/img/{n}.jpg'><figcaption>{c}</figcaption></figure>"
                      for n, c in enumerate(captions))
    photo_story = page.replace(story, gallery)
    assert extract_generic(photo_story, "https://stadt.example.de/2026/11/bilder.html").body == captions


def test_a_gallery_set_in_the_article_is_not_body_unless_it_is_the_story():
    """A slideshow embedded in the story (its slides' captions are long prose) is not the article; a photo
    story made of one gallery keeps it; a single picture in a "lightbox-gallery" wrapper is no gallery."""
    slides = [f"{n}/8 The harbour cranes at dawn: workers of the night shift unload the last ships before the "
              f"strike, and the port authority counts the containers left on the quay for the morning." for n in
              range(1, 9)]
    gallery = ("<div class='container mod-gallery'><h2 class='gallery-title'>Business in pictures</h2><ul>"
               + "".join(f"<li><p>{s}</p></li>" for s in slides) + "</ul></div>")
    story = "".join(f"<p>{p}</p>" for p in GERMAN)
    page = ("<html><head><meta charset='utf-8'><title>Brücke wird saniert</title></head><body>"
            f"<h1>Brücke wird saniert</h1><div class='article'>{story}{gallery}</div></body></html>")
    for vote in (False, True):
        body = extract_generic(page, "https://stadt.example.de/2026/11/bruecke.html", vote=vote).body
        assert body == GERMAN, (vote, body)
    photo_story = page.replace(story, "")
    assert extract_generic(photo_story, "https://stadt.example.de/2026/11/bilder.html").body[-8:] == slides
    # a site's slideshow in a promotion block is not the story, however short the story above it
    brief = page.replace(story, f"<p>{GERMAN[0]}</p>")
    lines = [line for line in Page(parse(brief)).lines if len(line.text) > 60]
    assert [line.text for line in without_galleries(lines)] == [line.text for line in lines]  # most of it: kept
    promoted = brief.replace(gallery, f"<div class='promo_holder'>{gallery}</div>")
    lines = [line for line in Page(parse(promoted)).lines if len(line.text) > 60]
    assert [line.text for line in without_galleries(lines)] == GERMAN[:1]
    # a picture viewer's hook and a post's category name the layout of nothing
    held = "".join(f"<p>{p}</p>" for p in GERMAN[1:])
    lightbox = page.replace(gallery, "").replace(
        held, f"<div class='media js-lightbox-gallery'><img src='/b.jpg'>{held}</div>")
    assert extract_generic(lightbox, "https://stadt.example.de/2026/11/bruecke.html").body == GERMAN
    category = page.replace(gallery, "").replace("<div class='article'>", "<div class='post category-photo-gallery'>")
    assert extract_generic(category, "https://stadt.example.de/2026/11/bruecke.html").body == GERMAN


def test_calls_to_subscribe_or_install_the_app_are_not_body():
    story = [f"Paragraph {i}: The council voted on Tuesday to repair the old harbour bridge by the autumn, "
             "with the state and the city sharing the cost." for i in range(4)]
    calls = ["Never miss the latest news by signing up to our newsletter today!",
             "Get the latest news straight to your phone with the Example News app for iOS and Android.",
             "To view the full story, please subscribe to Example News."]
    page = ("<html><head><meta charset='utf-8'><title>Bridge to be repaired</title></head><body>"
            "<h1>Bridge to be repaired</h1><div class='article'>"
            + "".join(f"<p>{p}</p><p>{calls[i]}</p>" if i < 3 else f"<p>{p}</p>" for i, p in enumerate(story))
            + "</div></body></html>")
    for vote in (False, True):
        assert extract_generic(page, "https://news.example.com/2026/11/bridge.html", vote=vote).body == story


@pytest.mark.parametrize("order", [1, -1])
def test_a_listicle_with_numbered_linked_headings_is_an_article(order: int):
    """The archive's shape with its linked headings numbered in order (or counting down): one article's items."""
    html = fixture_page("archive")
    numbers = iter(range(1, 7) if order == 1 else range(6, 0, -1))
    html = re.sub(r'(<h2 class="entry-title"><a href="[^"]+">)', lambda m: f"{m.group(1)}{next(numbers)}. ", html)
    article = extract_generic(html, "https://blog.binjiang.example/2026/11/best-of/")
    assert article.kind == "article", article.reason
    assert any(line.startswith("天还没亮") for line in article.body)


def test_numbers_out_of_order_are_no_listicle():
    assert numbered_in_order(["1. a", "2. b", "3) c", "4、d", "5: e"])
    assert not numbered_in_order(["12. a", "3. b", "27. c", "8. d", "5. e"])
    assert not numbered_in_order(["a", "b", "1. c", "2. d", "e"])


LONG_STORY = [*STORY, *(text.replace("Paragraph", "Section") for text in STORY)]


def _headed(header: str) -> str:
    """A story whose header (headline, lead, byline, sharing links) stands outside the body's container."""
    paragraphs = "".join(f"<p>{text}</p>" for text in LONG_STORY)
    share = "".join(f"<li><a href='/share/{name}'>{name}</a></li>" for name in ("Facebook", "X", "E-Mail", "Print"))
    return (f"<html><head><title>Harbour vote</title></head><body><nav><a href='/'>Home</a></nav><main>"
            f"<div class='header'>{header}<ul>{share}</ul></div><div class='article-body'>{paragraphs}</div>"
            "</main></body></html>")


def test_the_standfirst_under_the_headline_is_body():
    lead = "The council voted to rebuild the harbour wall, and the town will pay for it over ten years, not five."
    html = _headed(f"<h1>Harbour vote</h1><p class='lead'>{lead}</p><p>12.04.2024 10:46 by Ann Lee</p>"
                   "<figure><img src='/a.jpg'><figcaption>The old wall.</figcaption></figure>")
    assert extract_generic(html, "https://news.example.org/harbour").body == [lead, *LONG_STORY]


@pytest.mark.parametrize("header", [
    # an author's name, then the author's biography
    "<h1>Harbour vote</h1><h4><a href='/ann'>Ann Lee</a></h4><p>Ann Lee is a reporter who covers the harbour, "
    "the council and the town's budget, and has written for the paper since 2009.</p>",
    # a blog's description under its name, then the post's own heading
    "<h1>Harbour vote</h1><p>Every week I write about the harbour, the council and the town, what they decide and "
    "what it costs the people who live here.</p><h2>Tuesday's meeting</h2>",
])
def test_a_biography_or_a_blog_description_under_a_heading_is_no_standfirst(header: str):
    assert extract_generic(_headed(header), "https://news.example.org/harbour").body == LONG_STORY


def _newsroom(subheads: bool) -> str:
    story = ("<p>The harbour ferry returns to service on Monday after a winter of repairs to its two landing "
             "stages, the port authority said, with the first crossing at seven in the morning.</p>"
             "<p>Timetables are unchanged from last summer, and season tickets bought before the closure stay "
             "valid until the end of June, the authority added in its statement.</p>"
             "<p>The repairs cost more than planned, because the older stage needed new piles driven into the "
             "river bed, which could only be done at low tide.</p>")
    if subheads:
        story = story.replace("<p>Timetables", "<h3>Tickets and timetables</h3><p>Timetables")
        story = story.replace("<p>The repairs", "<h3>What the repairs cost</h3><p>The repairs")
        more = ""
    else:
        more = "".join(
            f"<h3>{head}</h3><p>{teaser} <a href='/news/{n}'>Read more...</a></p><p>2026-11-{n:02d}</p>"
            for n, (head, teaser) in enumerate([
                ("New cycle lane opens on the quay", "The lane links the station to the ferry landing."),
                ("Library extends its opening hours", "From December the library stays open until nine."),
                ("Night market returns to the old square", "Forty stalls are expected on the first evening."),
            ], 2))
    return (f"<html><head><title>Harbour ferry returns on Monday</title></head><body><div class='menu'>"
            f"<a href='/'>Home</a> <a href='/news'>News</a></div><div class='news'><div>What's New</div>"
            f"<h3>Harbour ferry returns on Monday</h3><p>2026-11-05</p>{story}{more}</div></body></html>")


def test_a_page_of_dated_posts_keeps_only_the_headlines_post():
    article = extract_generic(_newsroom(subheads=False), "https://port.example.org/news/1")
    assert article.kind == "article"
    assert article.body[0].startswith("The harbour ferry returns") and article.body[-1].startswith("The repairs")
    assert not any("cycle lane" in line or "library" in line.lower() for line in article.body)


def test_subheadings_at_the_headlines_level_without_dates_stay_in_the_story():
    article = extract_generic(_newsroom(subheads=True), "https://port.example.org/news/1")
    assert "What the repairs cost" in article.body and article.body[-1].startswith("The repairs")


_STORY = "".join(f"<p>{text}</p>" for text in (
    "The harbour ferry returns to service on Monday after a winter of repairs to its two landing stages, the port "
    "authority said, with the first crossing at seven in the morning.",
    "Timetables are unchanged from last summer, and season tickets bought before the closure stay valid until the "
    "end of June, the authority added in its statement on Friday.",
    "The repairs cost more than planned, because the older stage needed new piles driven into the river bed, which "
    "could only be done at low tide over several weeks.",
))
_SIGNUP = ("<form action='/comment'><p>Readers' comments are limited to 200 words, and every comment is read by "
           "an editor before it appears under the story.</p><p>Comment posters are responsible for the opinions they "
           "express and for the accuracy of the information they provide.</p><label>Your first name</label>"
           "<input name='n'><label>Your e-mail address</label><input name='e'><textarea name='c'></textarea>"
           "<button>Post</button></form>")


def test_a_form_set_in_the_story_is_not_body():
    html = f"<html><head><title>Ferry returns</title></head><body><h1>Ferry returns</h1><article>{_STORY}{_SIGNUP}" \
           "</article></body></html>"
    body = extract_generic(html, "https://port.example.org/news/1").body
    assert body[0].startswith("The harbour ferry returns") and body[-1].startswith("The repairs cost")
    assert not any("comment" in line.lower() or "Your first name" in line for line in body)


def test_a_form_wrapping_the_whole_page_keeps_the_story():
    html = (f"<html><head><title>Ferry returns</title></head><body><form id='aspnetForm' action='/news/1'>"
            f"<h1>Ferry returns</h1><div class='story'>{_STORY}</div><input type='hidden' name='__VIEWSTATE'>"
            "</form></body></html>")
    body = extract_generic(html, "https://port.example.org/news/1").body
    assert len(body) == 3 and body[2].startswith("The repairs cost")


_SECTIONS = (
    ("一、为什么要用异步", ("传统的请求库是同步阻塞的，每发出一个请求都要等待服务器响应之后才能继续执行下一步。",
                   "事件循环可以在等待一个请求的同时去处理其他请求，从而大幅提升抓取效率。")),
    ("二、怎样控制并发", ("如果一次性发出太多请求，很容易被目标网站封禁，因此需要限制同时进行的请求数量。",
                   "这样同一时刻最多只有十个请求在进行，既保证了速度，又不会给服务器造成太大压力。")),
    ("三、总结", ("异步爬虫适合大规模抓取任务，对于需要渲染脚本的页面，还需要结合无头浏览器使用。",
              "本文的全部代码已经整理好，读者可以根据目标网站的实际情况调整参数和超时时间。")),
)


def test_a_section_heading_above_the_first_paragraph_stays_but_the_headline_goes():
    text = "".join(f"<h2>{head}</h2>" + "".join(f"<p>{para}</p>" for para in paras) for head, paras in _SECTIONS)
    html = ("<html><head><title>异步爬虫入门_示例博客</title></head><body><div class='nav'><a href='/'>首页</a>"
            "<a href='/blog'>博客</a><a href='/ask'>问答</a></div><div class='post'><h1>异步爬虫入门</h1>"
            f"<div class='info'>2023-05-12 10:21:33 发布</div><article>{text}</article></div>"
            "<div class='footer'>关于我们 联系方式 京ICP备19004658号</div></body></html>")
    expected = [line for head, paras in _SECTIONS for line in (head, *paras)]
    for vote in (True, False):  # the voters' path and the cheap path alone
        article = extract_generic(html, "https://blog.example.cn/a/1", vote=vote)
        assert article.title == "异步爬虫入门" and article.body == expected


def _blog(title: str, sidebar: str = "") -> str:
    return (f"<html><head><title>{title}</title></head><body><div id='header'><h1><a href='https://notes.example.org/'>"
            "Field Notes</a></h1><p>Towns, rivers and the people who keep them going.</p></div><div class='post'>"
            "<h3 class='entry-title'><a href='https://notes.example.org/2026/11/ferry-returns.html'>The harbour ferry "
            f"returns</a></h3><p class='date'>November 5, 2026</p>{_STORY}</div>{sidebar}</body></html>")


@pytest.mark.parametrize("title", [
    "Field Notes: The harbour ferry returns", "The harbour ferry returns « Field Notes",
    "Field Notes – The harbour ferry returns", "The harbour ferry returns | Field Notes",
])
def test_a_blogs_name_in_the_h1_is_not_the_posts_title(title: str):
    article = extract_generic(_blog(title), "https://notes.example.org/2026/11/ferry-returns.html")
    assert article.title == "The harbour ferry returns"
    assert article.body[0].startswith("The harbour ferry returns to service")


def test_the_headline_wins_over_a_longer_heading_that_names_the_site():
    sidebar = "<div class='side'><h3>About Field Notes, a blog about towns</h3><p>Written since 2009.</p></div>"
    html = _blog("The harbour ferry returns | About Field Notes, a blog about towns", sidebar)
    html = html.replace("<h3>About", "<h3><a href='/about'>About").replace("towns</h3>", "towns</a></h3>")
    assert extract_generic(html, "https://notes.example.org/2026/11/ferry-returns.html").title == \
        "The harbour ferry returns"


def test_og_title_wins_over_a_title_that_is_the_sites_name():
    html = _blog("Field Notes").replace("</title>", "</title><meta property='og:title' content='The harbour ferry "
                                                   "returns'>")
    assert extract_generic(html, "https://notes.example.org/2026/11/ferry-returns.html").title == \
        "The harbour ferry returns"


def test_a_post_heading_linking_to_its_slug_is_not_taken_for_the_sites_name():
    html = _blog("Ferry back | Field Notes from the River Towns")
    html = html.replace(">Field Notes<", ">Field Notes from the River Towns<")
    html = html.replace("2026/11/ferry-returns.html'>The harbour ferry returns", "ferry-back/'>Ferry back")
    assert extract_generic(html, "https://notes.example.org/ferry-back/").title == "Ferry back"


def test_a_title_with_a_separator_in_front_or_glued_to_the_sites_name():
    html = _blog("» The harbour ferry returns :Field Notes")
    assert extract_generic(html, "https://notes.example.org/ferry/").title == "The harbour ferry returns"
    glued = _blog("The harbour ferry returnsField Notes").replace("<h3 class='entry-title'>", "<h1>")
    glued = glued.replace("returns</a></h3>", "returns</a></h1>")
    assert extract_generic(glued, "https://notes.example.org/ferry/").title == "The harbour ferry returns"


def test_a_page_without_title_or_h1_is_titled_by_the_heading_above_its_text():
    html = (f"<html><body><div class='nav'><a href='/'>Home</a> <a href='/news'>News</a></div><div class='story'>"
            f"<h2>The harbour ferry returns</h2>{_STORY}</div></body></html>")
    article = extract_generic(html, "https://port.example.org/news/1")
    assert article.title == "The harbour ferry returns" and article.body[-1].startswith("The repairs cost")


def test_the_authors_box_under_the_story_is_not_body():
    box = ("<div class='author-profile'><h4>About the author</h4><p>Sharon writes about cities, rivers and transport "
           "for the paper, and was a fellow at the Centre for Scholars in 2012, working on a history of ferries.</p>"
           "</div>")
    html = (f"<html><head><title>Ferry returns</title></head><body><h1>Ferry returns</h1><article>{_STORY}{box}"
            "</article></body></html>")
    for vote in (True, False):
        body = extract_generic(html, "https://port.example.org/news/1", vote=vote).body
        assert body[0].startswith("The harbour ferry returns") and body[-1].startswith("The repairs cost"), vote
    alone = f"<html><body><div class='author-page'>{_STORY}</div></body></html>"  # an author's own page of text
    assert len(extract_generic(alone, "https://port.example.org/authors/sharon").body) == 3


def test_a_heading_linking_to_a_broken_address_is_read_like_any_other():
    html = _blog("Field Notes: The harbour ferry returns").replace("https://notes.example.org/'", "http://[::1/'")
    assert extract_generic(html, "https://notes.example.org/ferry/").title == "The harbour ferry returns"


def test_a_chinese_blogs_title_glued_to_its_name_with_an_underscore():
    html = ("<html><head><title>全市经济运行稳中向好_老王的博客_示例博客</title></head><body><div id='header'>"
            "<h1><a href='https://blog.example.cn/'>示例博客</a></h1></div><div class='articalTitle'>"
            f"<h2>全市经济运行稳中向好</h2></div><div class='articalContent'><p>{PARA1}</p><p>{PARA2}</p><p>{PARA3}</p>"
            "</div></body></html>")
    assert extract_generic(html, "https://blog.example.cn/s/blog_1.html").title == "全市经济运行稳中向好"
