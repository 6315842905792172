from collections import Counter

import pytest

from crawler.cleaning.normalize import convert_script, fix_mojibake, normalize_text, normalize_title


def test_keeps_cjk_punctuation_as_written():
    text = "他说：“你好，世界！”（完）？"
    assert normalize_text(text) == text


def test_folds_fullwidth_letters_digits_and_spaces():
    assert normalize_text("\u3000\u3000ＡＢＣ１２３\u00a0abc  def\t ghi") == "ABC123 abc def ghi"


def test_removes_zero_width_and_control_characters():
    changes: Counter[str] = Counter()
    assert normalize_text("新\u200b闻\ufeff正\x07文\u00ad", changes=changes) == "新闻正文"
    assert changes["invisible_chars"] == 4
    # bidi isolates around a name, as right-to-left sites print them
    assert normalize_text("قال \u2067أحمد\u2069 اليوم") == "قال أحمد اليوم"


def test_lines_are_stripped_and_empty_lines_dropped():
    assert normalize_text("  第一段 \r\n\r\n\n 第二段\u2028第三段\n \u3000\n") == "第一段\n第二段\n第三段"


def test_html_entities_once_and_twice_escaped():
    changes: Counter[str] = Counter()
    assert normalize_text("A&amp;B&nbsp;C &amp;lt;tag&amp;gt; &#20013;&#x6587;", changes=changes) == "A&B C <tag> 中文"
    assert changes["html_entities"] == 1
    assert normalize_text("AT&T and R&D") == "AT&T and R&D"


def test_mojibake_is_repaired_and_clean_text_untouched():
    broken = "中文测试，新闻".encode().decode("latin-1")
    assert fix_mojibake(broken) == "中文测试，新闻"
    changes: Counter[str] = Counter()
    assert normalize_text(broken, changes=changes) == "中文测试，新闻"
    assert changes["mojibake"] == 1
    assert fix_mojibake("Café “quoted” — ok") == "Café “quoted” — ok"


def test_script_conversion_is_off_by_default_and_applies_to_title():
    assert normalize_text("手機淘寶") == "手機淘寶"
    assert normalize_text("手機淘寶", "hans") == "手机淘宝"
    assert normalize_title("手机 淘宝", "hant") == "手機 淘寶"
    assert convert_script("abc", "keep") == "abc"
    with pytest.raises(ValueError):
        convert_script("abc", "klingon")


def test_title_is_one_line():
    assert normalize_title(" 标题\n第二行 ") == "标题 第二行"
