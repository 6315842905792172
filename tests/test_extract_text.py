"""The one HTML-to-lines walker (crawler.extract.text) and the phrase lists (crawler.extract.phrases)."""

from __future__ import annotations

import lxml.html

from crawler.extract import text
from crawler.extract.phrases import line_start, whole_line


def root(html: str):
    return lxml.html.fragment_fromstring(html, create_parent="div")


def test_blocks_and_br_end_lines_inline_tags_do_not():
    lines = text.paragraphs([root("<p>一<b>二</b>三<br>四</p><div>五<span>六</span></div>七")])
    assert lines == ["一二三", "四", "五六", "七"]


def test_whitespace_of_every_kind_collapses():
    assert text.paragraphs([root("<p>\u3000\u3000第一段\u00a0正文\u2003结束\ufeff </p>")]) == ["第一段 正文 结束"]


def test_scripts_and_form_controls_are_not_text_but_their_tails_are():
    lines = text.paragraphs([root("<p>前<script>var x = 1;</script>后<select><option>选项</option></select>尾</p>")])
    assert lines == ["前后尾"]


def test_ruby_readings_are_not_text():
    html = "<p><ruby>子<rt>こ</rt></ruby>どもへの<ruby>虐待<rp>(</rp><rt>ぎゃくたい</rt><rp>)</rp></ruby>をなくす</p>"
    lines = text.paragraphs([root(html)])
    assert lines == ["子どもへの虐待をなくす"]


def test_walk_records_owner_links_images_and_marks():
    lines = text.walk([root('<p>读 <a href="/x">链接文字</a> 完<img src="/a.jpg"></p><nav><p>导航</p></nav>')],
                      mark=frozenset({"nav"}))
    first, nav = lines
    assert first.text == "读 链接文字 完" and first.owner.tag == "p" and first.link_chars == len("链接文字")
    assert [img.get("src") for img in first.images] == ["/a.jpg"] and not first.marked
    assert nav.text == "导航" and nav.marked


def test_hidden_elements_are_skipped_on_request():
    html = '<p>看得见</p><div style="display: none">看不见</div><p hidden>也看不见</p>'
    assert text.paragraphs([root(html)]) == ["看得见", "看不见", "也看不见"]
    assert [line.text for line in text.walk([root(html)], skip_hidden=True)] == ["看得见"]


def test_link_text_measured_as_the_caller_counts():
    line = text.walk([root('<p>ab <a href="/">c d e</a></p>')], measure=lambda s: len(s.split()))[0]
    assert line.link_chars == 3


def test_deep_markup_reads_without_recursion():
    top = node = lxml.html.Element("div")
    for _ in range(5000):
        node = lxml.html.etree.SubElement(node, "div")
    node.text = "深处的文字"
    assert text.paragraphs([top]) == ["深处的文字"]


def test_images_absolute_once_each_lazy_attributes_first():
    html = '<p><img data-src="/lazy.jpg" src="data:image/gif;base64,R0"><img src="/b.png"><img src="/b.png"></p>'
    assert text.images([root(html)], "https://example.com/a/") == ["https://example.com/lazy.jpg",
                                                                    "https://example.com/b.png"]


def test_noise_phrases_match_whole_short_lines_only():
    noise = whole_line("generic_noise.txt")
    for line in ("Share", "【分享到】", "Print this page", "[email protected]", "（责任编辑：张三）", "By Jane Smith",
                 "Advertisement", "Titelbild: Geyres/ABACA/picture-alliance", "Crédits photos : Bestimage",
                 "This is a modal window.", "Beginning of dialog window. Escape will cancel and close the window.",
                 "No comments yet.", "0 Comments »", "Bookmark with:", "Share this with friends"):
        assert noise.search(line), line
    for line in ("Share prices fell sharply on Monday after the announcement.", "他们把分享当作一种习惯。",
                 "Byzantine politics", "No comments yet from the ministry, which has been asked twice."):
        assert not noise.search(line), line


def test_tail_phrases_match_the_start_of_a_line_at_a_word_boundary():
    tail = line_start("generic_tail.txt")
    for line in ("Related Articles", "Related: more on the bridge", "延伸阅读：", "【纠错】", "Читайте также",
                 "Pressekontakt:", "Media contact"):
        assert tail.search(line), line
    for line in ("Relatedly, the council voted", "相关部门表示将加快进度"):
        assert not tail.search(line), line
    comments = line_start("generic_comments.txt")
    for line in ("Leave a Reply", "14 thoughts on “A quiet weekend”", "Comments are now closed for this story",
                 "Kommentare (3)", "发表评论", "Schreibe einen Kommentar", "Laisser un commentaire",
                 "Deja una respuesta"):
        assert comments.search(line), line
    for line in ("已有12条评论", "《播客热潮迅速蔓延》已有1件评论", "274 Comments", "156 Responses to “Shuteye”",
                 "网友评论（12）", "Reader comments (4)"):
        assert comments.search(line), line
    for line in ("Commentators agreed the bridge was late", "Discussion", "Comment", "Response",
                 "12 responses were received by the council.", "截至目前，网上共有300条评论。", "共有300条评论。",
                 "网友评论称，希望尽快修好。", "Reader comments suggested the mayor would resign."):
        assert not comments.search(line), line
