from crawler.cleaning.repeats import drop_repeated

P = [
    "截至2017年9月份，其中国零售平台年度活跃用户达到5.49亿，与同年6月份相比增加2000万。",
    "理论上，一个产品的使用者活跃度、用户使用时长和场景的叠加，是其数据赋能商业的根本因素。",
    "微信高达9.8亿的月活用户以及背后的数据价值，无疑在用户的数字化和社交化要素中占据优势。",
    "相比而言，淘宝一直对线上化场景有着较强的支配能力，例如淘宝的各种广告营销工具和资源。",
]


def rules(removed):
    return [r.rule for r in removed]


def test_exact_repeat_dropped_first_kept():
    lines, removed = drop_repeated([P[0], P[1], P[0], P[2]])
    assert lines == [P[0], P[1], P[2]]
    assert rules(removed) == ["exact"] and removed[0].kind == "repeated_paragraph"


def test_repeat_with_other_punctuation_and_spacing_is_exact():
    variant = P[1].replace("，", ",").replace("、", " ")
    assert drop_repeated([P[1], P[2], variant])[0] == [P[1], P[2]]


def test_near_repeat_with_small_edits_is_dropped():
    edited = P[0].replace("年度活跃用户", "年活跃用户").replace("相比", "比较")
    lines, removed = drop_repeated([P[0], P[1], edited])
    assert lines == [P[0], P[1]] and rules(removed) == ["near"]


def test_fragment_of_an_earlier_paragraph_is_dropped_when_the_article_repeats():
    whole = P[2] + P[3]
    lines, removed = drop_repeated([whole, P[0], P[1], P[3], P[0]])
    assert lines == [whole, P[0], P[1]] and sorted(rules(removed)) == ["contained", "exact"]


def test_a_lone_fragment_of_an_earlier_paragraph_stays():
    # a pull quote: the article does not repeat, so the piece is not a copy of it
    whole = P[2] + P[3]
    assert drop_repeated([whole, P[0], P[3]])[0] == [whole, P[0], P[3]]


def test_near_lines_with_other_numbers_or_short_entries_stay():
    items = [f"Regarding item# {n}, under sufficiently extreme conditions, quarks may become deconfined and exist as "
             "free particles, the strong interaction becoming weaker at higher temperatures." for n in (11111, 22222)]
    assert drop_repeated(items)[0] == items
    entries = ["Free Shipping. Authorized Stamina Dealer for Weight Benches, Sport and Outdoor.",
               "Free Shipping. Authorized Phoenix Dealer for Weight Benches, Sport and Outdoor."]
    assert drop_repeated(entries)[0] == entries


def test_the_same_line_three_times_in_a_row_is_a_list_not_a_heading_printed_twice():
    gallery = ["Philip Karlberg: Plaza Figurines"] * 4
    assert drop_repeated([P[0], *gallery, P[1]])[0] == [P[0], *gallery, P[1]]


def test_whole_article_repeated_collapses_with_its_headings():
    article = ["为何是手淘？", P[0], P[1], "小程序会成为单品库吗？", P[2], P[3]]
    lines, removed = drop_repeated(article + article)
    assert lines == article
    assert set(rules(removed)) == {"exact", "repeated_block"}


def test_heading_printed_twice_in_a_row():
    assert drop_repeated(["为何是手淘？", "为何是手淘?", P[0]])[0] == ["为何是手淘？", P[0]]


def test_title_repeated_as_first_line():
    lines, removed = drop_repeated(["重磅！手机淘宝学习微信", P[0]], title="重磅!手机淘宝学习微信")
    assert lines == [P[0]] and rules(removed) == ["title"]


def test_title_heading_the_second_copy_is_dropped_with_a_tag_or_cut_short():
    title = "重磅！手机淘宝学习微信，今年3月将推出小程序"
    for heading in ("[科技] " + title, title + "_科技频道", title[:12]):
        lines, removed = drop_repeated([P[0], P[1], heading, P[0], P[1]], title=title)
        assert lines == [P[0], P[1]], heading
        assert sorted(rules(removed)) == ["exact", "exact", "title"]


def test_title_in_the_body_stays_unless_it_heads_a_repeated_copy():
    title = "重磅！手机淘宝学习微信，今年3月将推出小程序"
    # a document printing its own title further down, or an article that does not repeat
    assert drop_repeated([P[0], P[1], title[:12], P[2], P[0]], title=title)[0] == [P[0], P[1], title[:12], P[2]]
    assert drop_repeated([P[0], P[1], "[科技] " + title, P[2]], title=title)[0] == [P[0], P[1], "[科技] " + title, P[2]]


def test_recurring_short_lines_in_distinct_context_stay():
    lines = []
    for i, p in enumerate(P):
        lines += ["债券市场存在泡沫吗？", f"{p}（嘉宾{i}）", "故宫博物院供图", "发动机总排量：1171ml"]
    assert drop_repeated(lines)[0] == lines


def test_different_paragraphs_stay():
    assert drop_repeated(P)[0] == P

