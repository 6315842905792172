import random

from crawler.cleaning import clean_text
from crawler.cleaning.watermark import find_watermarks, strip_watermarks

SLOGAN = "财经早知道，每天三分钟"
HANZI = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"


def text(seed: str, n: int = 30) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(HANZI) for _ in range(n))


def paragraphs(n: int, prefix: str = "段落") -> list[str]:
    """Distinct paragraphs (not near-duplicates of each other)."""
    return [f"{prefix}{i}：{text(prefix + str(i))}。" for i in range(n)]


def with_slogan(lines: list[str], every: int, slogan: str = SLOGAN) -> list[str]:
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        if i % every == every - 1:
            out.append(slogan)
    return out


def test_slogan_between_paragraphs_is_removed():
    body = paragraphs(12)
    lines, removed, marks = strip_watermarks(with_slogan(body, 3))
    assert lines == body
    assert len(removed) == 4
    assert {r.kind for r in removed} == {"watermark"}
    assert [m.text for m in marks] == [SLOGAN]


def test_slogan_variants_in_spacing_and_punctuation_count_together():
    body = paragraphs(9)
    dirty = [body[0], "微趨道, 就是小程式", *body[1:3], "微趨道,就是小程式", *body[3:6], "微趨道，就是小程式"]
    dirty += body[6:]
    lines, removed, _ = strip_watermarks(dirty)
    assert lines == body and len(removed) == 3


def test_embedded_slogan_is_cut_where_it_recurs():
    body = paragraphs(8)
    dirty = with_slogan(body, 3)
    dirty[0] = dirty[0] + SLOGAN + "。后半句仍是正文。"
    lines, _removed, _ = strip_watermarks(dirty)
    assert SLOGAN not in "".join(lines)
    assert lines[0].endswith("后半句仍是正文。") and lines[0].startswith("段落0")


def test_inline_only_slogan_clause_is_cut():
    body = [
        f"第{i}段{text(str(i), 20)}。关注财经早知道获取更多资讯。后面还有正文{text(str(-i), 12)}。" for i in range(4)
    ]
    lines, _removed, _ = strip_watermarks(body)
    assert all("关注财经早知道" not in line for line in lines)
    assert all(line.startswith(f"第{i}段") and line.endswith(f"{text(str(-i), 12)}。") for i, line in enumerate(lines))


def test_line_repeated_twice_is_not_a_watermark():
    body = paragraphs(6)
    dirty = [body[0], SLOGAN, *body[1:4], SLOGAN, *body[4:]]
    assert strip_watermarks(dirty)[0] == dirty


def test_interview_questions_stay():
    lines: list[str] = []
    for guest in range(6):
        for q in ("债券市场存在泡沫吗？", "央行现在应该做什么？"):
            lines += [q, f"嘉宾{guest}回答：{text(q + str(guest))}。"]
    marks, kept = find_watermarks(lines)
    assert marks == [] and kept["债券市场存在泡沫吗"] == "question"
    assert strip_watermarks(lines)[0] == lines


def test_numbered_short_captioned_and_label_lines_stay():
    lines: list[str] = []
    for i in range(5):
        lines += ["1、英语或俄语或日语", "同 上", "故宫博物院供图", "专家点评：", *paragraphs(2, prefix=f"节{i}")]
    marks, kept = find_watermarks(lines)
    assert marks == []
    assert set(kept.values()) == {"enumerated", "short", "caption", "label"}


def test_sparse_section_heading_stays_dense_slogan_goes():
    sections: list[str] = []
    for i in range(4):
        sections += ["专家点评", *paragraphs(6, prefix=f"节{i}")]
    assert strip_watermarks(sections)[0] == sections
    dense: list[str] = []
    for i in range(4):
        dense += ["每日精选", *paragraphs(2, prefix=f"节{i}")]
    assert "每日精选" not in strip_watermarks(dense)[0]


def test_lines_repeated_only_because_the_article_is_repeated_are_left_to_the_repeat_step():
    body = ["为何是手淘", *paragraphs(4), "结语", *paragraphs(2, prefix="尾")]
    marks, kept = find_watermarks(body + body + body)
    assert marks == [] and kept["为何是手淘"] == "duplicated_copy"


def test_repeated_heading_that_names_a_thing_is_not_cut_from_the_text():
    body: list[str] = []
    for i in range(4):
        body += ["iPhone 11", f"第{i}点：iPhone 11 的{text('a' + str(i))}。", f"另外，iPhone 11 {text('b' + str(i))}。"]
    lines, _removed, marks = strip_watermarks(body)
    assert [m.inline for m in marks] == [False]
    assert sum("iPhone 11" in line for line in lines) == 8


def test_slogan_with_a_colon_or_among_short_paragraphs_goes_but_records_and_table_rows_stay():
    # a slogan after every paragraph, some paragraphs short (a subheading, a one-line answer)
    body = [p if i % 3 else p[:12] + "？" for i, p in enumerate(paragraphs(12))]
    for slogan in ("小编推荐：每日新闻早知道", "Follow us on WeChat: TechDaily", SLOGAN):
        lines, _, marks = strip_watermarks(with_slogan(body, 1, slogan))
        assert lines == body and [m.text for m in marks] == [slogan], slogan
    # a record's field with a number, and a table's header above each of its parts, stay
    records = []
    for i, para in enumerate(paragraphs(6)):
        records += [para, "Estimate: $8,000 to $12,000"] if i % 2 else [para, "Response Votes %", f"Yes {i}0 {i}5%"]
    assert strip_watermarks(records)[0] == records


def test_slogan_after_every_line_of_a_page_of_short_lines_goes_but_a_listing_keeps_its_labels():
    # a notice of short fields and a few paragraphs, the slogan after every line
    short = [f"第{i}项：{text('短' + str(i), 6)}" for i in range(4)]
    long = paragraphs(6)
    body = [*short[:2], *long[:3], *short[2:], *long[3:]]  # at most 40% of the slogans stand between paragraphs
    lines, _, marks = strip_watermarks(with_slogan(body, 1))
    assert lines == body and [m.text for m in marks] == [SLOGAN]
    # a list of items each followed by its label, no paragraph anywhere: the labels are entries
    listing = [line for i in range(8) for line in (f"Oak table no. {i}", "SOLD")]
    assert strip_watermarks(listing)[0] == listing


def test_slogan_after_each_subheading_and_paragraph_is_removed():
    # A story of short subheadings, each followed by its paragraph, with the slogan after every line:
    # each occurrence has a paragraph on one side and a subheading (no sentence) on the other.
    body: list[str] = []
    for i in range(6):
        body += [f"小标题{text('h' + str(i), 6)}", f"段落{i}：{text('p' + str(i), 60)}。"]
    dirty = [out for line in body for out in (line, SLOGAN)]
    lines, removed, _ = strip_watermarks(dirty)
    assert lines == body
    assert len(removed) == len(body)


def test_a_label_repeated_among_short_entries_stays():
    # A listing of short entries with a status after each: no paragraph beside it, so it is a list entry.
    entries = [f"二手车{text('c' + str(i), 8)}" for i in range(8)]
    dirty = [out for entry in entries for out in (entry, "已售出")]
    lines, removed, _ = strip_watermarks(dirty)
    assert lines == dirty and not removed


def test_slogan_after_every_paragraph_of_a_short_article_with_a_caption_goes():
    # Four paragraphs, a caption and a credit line: the slogan follows every paragraph, but the lines beside
    # it are short half of the time (it skips the caption), and it stands only four times.
    para = paragraphs(4)
    body = [para[0], SLOGAN, "改造后的口袋公园一角", para[1], SLOGAN, para[2], SLOGAN, "图文来源：田间地头", para[3],
            SLOGAN]
    lines, removed, _ = strip_watermarks(body)
    assert lines == [line for line in body if line != SLOGAN] and len(removed) == 4
    # before every paragraph instead
    body = [SLOGAN, para[0], "改造后的口袋公园一角", SLOGAN, para[1], SLOGAN, para[2], SLOGAN, para[3]]
    assert strip_watermarks(body)[0] == [line for line in body if line != SLOGAN]


def test_a_line_after_some_paragraphs_or_among_entries_stays():
    # after two paragraphs of six, otherwise among short lines: an entry of the lists, not a slogan
    para = paragraphs(6)
    body = [para[0], "查看大图", "图一", "查看大图", "图二", para[1], "查看大图", "图三", *para[2:]]
    assert strip_watermarks(body)[0] == body
    # a status after each entry of a listing whose entries are short, with one paragraph above them
    listing = [para[0], *(line for i in range(4) for line in (f"二手车{text('c' + str(i), 8)}", "已售出"))]
    assert strip_watermarks(listing)[0] == listing


def test_a_slogan_as_long_as_a_paragraph_goes_with_its_first_copy():
    # The repeat step alone keeps the first copy of a sentence-long line; at every paragraph it is a slogan.
    para = paragraphs(5)
    for slogan in ("新闻观察室：深度解读每一天。每天都有新内容，欢迎留言和我们交流讨论。",
                   "Subscribe to The Morning Brief for daily news. New stories every morning, share them."):
        after = [line for p in para for line in (p, slogan)]
        before = [line for p in para for line in (slogan, p)]
        short_twice = after[:6] + after[:6]  # three paragraphs, printed twice
        for body, expected in ((after, para), (after + after, para), (before, para), (short_twice, para[:3])):
            assert clean_text("\n".join(body)).lines == expected
    # a long line repeated in a document where it does not stand at the paragraphs (a wrapped sentence of
    # a form, a signature under some posts) keeps its first copy
    signature = "Prepared for the worst, but still praying for the best. Proud member of the club."
    posts = [para[0], signature, para[1], para[2], para[3], signature, para[4], signature]
    assert clean_text("\n".join(posts)).lines == [*posts[:-3], para[4]]


def test_a_slogan_glued_to_the_end_of_every_paragraph_goes_even_when_the_article_is_printed_twice():
    para = paragraphs(4)
    glued = [p + SLOGAN for p in para]
    for body in (glued, glued + glued):
        assert clean_text("\n".join(body)).lines == para
    # an item of inline lists, after a clause that does not finish a sentence, stays
    lists = [f"{text('l' + str(i), 12)}；{text('m' + str(i), 12)}；城市更新专题报道" for i in range(4)]
    assert clean_text("\n".join(lists)).lines == lists
    assert find_watermarks(lists)[1] == {"城市更新专题报道": "clause_list"}

