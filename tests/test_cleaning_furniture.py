from crawler.cleaning.furniture import breadcrumb, editor, extract_furniture, original_title, source


def test_breadcrumbs_give_categories():
    assert breadcrumb("您的位置:首頁>科技>正文") == ["科技"]
    assert breadcrumb("当前位置：首页 > 新闻 > 国内新闻 > 正文") == ["新闻", "国内新闻"]
    assert breadcrumb("首页 » 财经 » 股票") == ["财经", "股票"]
    assert breadcrumb("Home > News > World") == ["News", "World"]


def test_sentences_are_not_breadcrumbs():
    for line in ["位置很好，交通方便。", "首页推荐", "他的位置在 A/B 两栋之间，离首页很远的地方", "1>2"]:
        assert breadcrumb(line) is None, line


def test_editor_lines():
    assert editor("责任编辑：张三") == "张三"
    assert editor("（责任编辑：张三 校对：李四）") == "张三"
    assert editor("【编辑:赵六】") == "赵六"
    assert editor("校对：李四") == ""
    assert editor("编辑说，这个方案不行。") is None
    assert editor("（松花江网编辑 孙桂芳）") is None


def test_source_only_on_short_standalone_lines():
    assert source("来源：新华社") == "新华社"
    assert source("2019-11-25 18:57 来源：新浪财经") == "新浪财经"
    assert source("来源：新华社记者说，这是一个很长的句子") is None
    assert source("信息来源： 内蒙古日报") is None
    assert source("据悉，该数据来源：国家统计局发布的公报。") is None


def test_original_title_is_read_and_kept():
    assert original_title("原标题：最强“中国芯”本月商用") == "最强“中国芯”本月商用"
    lines, removed, found = extract_furniture(
        ["您的位置:首頁>科技>正文", "原标题：旧标题", "正文。", "来源：新华社", "责任编辑：王五"]
    )
    assert lines == ["原标题：旧标题", "正文。"]
    assert [r.rule for r in removed] == ["breadcrumb", "source", "editor"]
    assert {r.kind for r in removed} == {"furniture"}
    assert (found.category, found.source, found.editor, found.original_title) == (["科技"], "新华社", "王五", "旧标题")
