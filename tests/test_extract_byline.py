"""Bylines and page furniture: read into fields once, taken out of the body only when they are no text."""

from __future__ import annotations

from crawler.extract.byline import (
    breadcrumb,
    credit,
    dateline,
    editor,
    names,
    original_title,
    reporter,
    source,
    split_furniture,
)


def test_breadcrumbs_give_categories() -> None:
    assert breadcrumb("您的位置:首頁>科技>正文") == ["科技"]
    assert breadcrumb("当前位置：首页 > 新闻 > 国内新闻 > 正文") == ["新闻", "国内新闻"]
    assert breadcrumb("首页 » 财经 » 股票") == ["财经", "股票"]
    assert breadcrumb("Home > News > World") == ["News", "World"]


def test_sentences_are_not_breadcrumbs() -> None:
    for line in ["位置很好，交通方便。", "首页推荐", "他的位置在 A/B 两栋之间，离首页很远的地方", "1>2"]:
        assert breadcrumb(line) is None, line


def test_editor_lines_in_their_printed_forms() -> None:
    assert editor("责任编辑：张三") == "张三"
    assert editor("（责任编辑：张三 校对：李四）") == "张三"
    assert editor("【编辑:赵六】") == "赵六"
    assert editor("(责编：萧潇、张妍)") == "萧潇、张妍"
    assert editor("编辑 张三 校对 李四") == "张三"
    assert editor("责任编辑：王晓易_NE0011") == "王晓易"  # the staff code is no part of the name
    assert editor("校对：李四") == ""
    assert editor("编辑说，这个方案不行。") is None
    assert editor("（松花江网编辑 孙桂芳）") is None


def test_source_only_on_short_standalone_lines() -> None:
    assert source("来源：新华社") == "新华社"
    assert source("2019-11-25 18:57 来源：新浪财经") == "新浪财经"
    assert source("来源：新华社记者说，这是一个很长的句子") is None
    assert source("信息来源： 内蒙古日报") is None
    assert source("据悉，该数据来源：国家统计局发布的公报。") is None


def test_datelines_date_the_article_and_captions_are_no_datelines() -> None:
    assert dateline("http://house.sina.com.cn 2005年03月31日03:18 北京娱乐信报") == (
        "2005年03月31日03:18", "北京娱乐信报", None)
    assert dateline("〓 网易娱乐 周黎明留言板 发布时间 2005/05/17 22:11:42 by 眉间尺 〓") == (
        "2005/05/17 22:11:42", None, "眉间尺")
    assert dateline("2019年9月8日 北京 天安门广场") is None  # a caption: a day, no time, no label
    assert dateline("2019年9月8日 10:30，记者在现场看到，队伍排到了街角。") is None


def test_reporter_lines_give_names_and_author_strings_are_split() -> None:
    assert reporter("新京报记者 陆一夫") == ["陆一夫"]
    assert reporter("□ 本报记者 葛灵丹") == ["葛灵丹"]
    assert reporter("作者：上官云 宋宇晟") == ["上官云", "宋宇晟"]
    assert reporter("记者了解到，事情如此。") is None
    assert reporter("中新社记者 杜洋 摄") is None  # a photo credit
    assert names("澎湃新闻记者 段彦超 廖艳") == ["段彦超", "廖艳"]
    assert names("L_104485") == [] and names("name, email@gmail.com") == []


def test_credits_block_closing_an_article() -> None:
    assert credit("总策划：张三") and credit("文字/图片：李四") and credit("新华社国内部出品")
    assert not credit("记者：你通过什么渠道最快的获取这些信息？")
    body = ["正文第一段，很长很长。", "总策划：张三", "监制：李四", "记者：王五 赵六", "编辑：钱七", "新华社国内部出品"]
    lines, found = split_furniture(body)
    assert lines == ["正文第一段，很长很长。"]
    assert found.editor == "钱七" and [rule for _, rule in found.removed] == ["credits"] * 5
    # one closing role line is no credits block: a lone reporter line stays in the text
    lines, found = split_furniture(["正文第一段，很长很长。", "记者：王五"])
    assert lines == ["正文第一段，很长很长。", "记者：王五"] and found.authors == ["王五"]


def test_split_furniture_fills_fields_and_keeps_the_text() -> None:
    lines, found = split_furniture(
        ["您的位置:首頁>科技>正文", "原标题：旧标题", "正文。", "来源：新华社", "新京报记者 陆一夫", "责任编辑：王五"],
        hidden=["（原标题：另一个）"],
    )
    assert lines == ["原标题：旧标题", "正文。", "新京报记者 陆一夫"]
    assert [rule for _, rule in found.removed] == ["breadcrumb", "source", "editor"]
    assert (found.category, found.source, found.editor, found.authors) == (["科技"], "新华社", "王五", ["陆一夫"])
    assert found.original_title == "另一个"  # the hidden element's (an .otitle block) is read first
    assert original_title("原标题：最强“中国芯”本月商用") == "最强“中国芯”本月商用"
