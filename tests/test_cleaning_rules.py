from crawler.cleaning.keys import Removal
from crawler.cleaning.rules import DEFAULT_RULES_FILE, RuleSet, apply_rules, compile_rules, load_rules, parse_rule


def test_comments_and_blanks_are_not_rules():
    assert parse_rule("# comment", "boilerplate") is None
    assert parse_rule("   ", "boilerplate") is None


def test_literal_matches_whole_line_ignoring_punctuation_and_spaces():
    rules = compile_rules(["返回搜狐，查看更多"], "boilerplate")
    lines, removed = apply_rules(["正文一段。", "返回搜狐,查看更多", "返回 搜狐 查看更多！"], rules)
    assert lines == ["正文一段。"]
    assert removed[0] == Removal("返回搜狐,查看更多", "boilerplate", "返回搜狐，查看更多")
    assert len(removed) == 2


def test_long_literal_is_cut_inline_short_literal_is_not():
    rules = compile_rules(["微趨道，就是小程式", "广告"], "watermark")
    lines, removed = apply_rules(["据微趨道, 就是小程式报道，手淘将推出小程序。", "广告行业增长很快。", "广告"], rules)
    assert lines == ["据报道，手淘将推出小程序。", "广告行业增长很快。"]
    assert [r.kind for r in removed] == ["watermark", "watermark"]


def test_regex_rule_whole_line_and_inline():
    rules = compile_rules(["re:^本文系.{2,10}独家稿件.*$", r"re:\(来源：[^)]{1,10}\)"], "watermark")
    lines, removed = apply_rules(["本文系观察者网独家稿件，未经授权不得转载。", "正文(来源：某网)继续。"], rules)
    assert lines == ["正文继续。"]
    assert [r.rule for r in removed] == ["re:^本文系.{2,10}独家稿件.*$", r"re:\(来源：[^)]{1,10}\)"]


def test_global_rule_file_drops_ui_strings_and_disclaimers_but_not_text():
    rules = RuleSet(load_rules(DEFAULT_RULES_FILE))
    furniture = [
        "Next Article",
        "喜欢就按个赞吧!!!",
        "点击关闭提示",
        "展开全文",
        "返回搜狐，查看更多",
        "本文为原创稿件，未经授权禁止转载。",
        "免责声明：本文仅代表作者个人观点。",
        "下一篇：某某新闻",
        "长按识别二维码关注我们",
    ]
    text = [
        "图片来源：东方IC 版权作品 请勿转载",
        "法院认为，被告未经授权转载原告作品的行为构成侵权，判决其赔偿损失。",
        "她在下一页写道：我们会回来的。",
        "1",
        "分享经济的发展离不开监管。",
    ]
    lines, removed = apply_rules(furniture + text, rules)
    assert lines == text
    assert len(removed) == len(furniture)


def test_a_tail_marker_inserted_after_every_paragraph_is_a_slogan_not_the_end():
    rules = RuleSet(load_rules(DEFAULT_RULES_FILE))
    paragraphs = [f"第{i}段，记者在现场看到，工人们正在加紧施工，预计年底完工。" for i in range(8)]
    lines = [line for paragraph in paragraphs for line in (paragraph, "延伸阅读")]
    kept, removed = apply_rules(lines, rules)
    assert kept == paragraphs and len(removed) == 8
    # once, before teasers, it still ends the article
    kept, _ = apply_rules([*paragraphs, "延伸阅读", "工地年底完工", "新桥通车"], rules)
    assert kept == paragraphs


def test_a_wordpress_post_footer_goes_but_prose_that_starts_like_it_stays():
    rules = RuleSet(load_rules(DEFAULT_RULES_FILE))
    footers = [
        "This entry was posted on Monday, May 31st, 2004 at 8:40 pm and is filed under Uncategorized. You can follow"
        " any responses to this entry through the RSS 2.0 feed. You can leave a response, or trackback from your own"
        " site.",
        "This entry was posted in Lenses and tagged AF-S 70-200 f/4.0 VR. Bookmark the permalink. Trackbacks are"
        " closed, but you can post a comment.",
        "You can follow any responses to this entry through the feed. Both comments and pings are currently closed.",
    ]
    text = [
        "This entry was posted in 2004. It describes how to build a shed, and you can leave a response.",
        "The council met on Friday. Bookmark the permalink.",
        "This entry was posted on Thursday, August 9th, 2012 at 2:01 pm.",  # a date line, read by the extraction
    ]
    lines, removed = apply_rules(footers + text, rules)
    assert lines == text
    assert len(removed) == len(footers)
