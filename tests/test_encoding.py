from __future__ import annotations

from crawler.extract.encoding import better_encoding
from crawler.offline import make_response

TEXT = "供水管网改造期间部分小区临时停水，请居民提前储水。"


def test_utf8_bytes_declared_gbk_are_read_as_utf8() -> None:
    assert better_encoding(TEXT.encode("utf-8"), "gbk", "gb18030") == "utf-8"


def test_gbk_bytes_declared_utf8_are_read_as_gb18030() -> None:
    assert better_encoding(TEXT.encode("gbk"), "utf-8", "utf-8") == "gb18030"


def test_a_correct_declaration_is_kept() -> None:
    assert better_encoding(TEXT.encode("gbk"), "gb2312", "gb18030") is None
    assert better_encoding(TEXT.encode("utf-8"), "utf-8", "utf-8") is None
    assert better_encoding(b"plain ascii", None, "cp1252") is None


def test_a_stray_bad_byte_does_not_defeat_detection() -> None:
    body = (TEXT * 50).encode("gbk") + b"\xc7" + (TEXT * 50).encode("gbk")
    assert better_encoding(body, None, "cp1252") == "gb18030"


def test_responses_built_offline_get_the_repaired_text() -> None:
    html = f"<html><head><meta charset='utf-8'></head><body><p>{TEXT}</p></body></html>".encode("gbk")
    response = make_response("https://example.org/a.html", html, {"Content-Type": "text/html; charset=utf-8"})
    assert TEXT in response.text


GERMAN = ("Mit Anno 1800 veröffentlichen die Entwickler im April den siebten Ableger der Reihe. Wir hatten "
          "die Möglichkeit, in die Arbeiteruniformen zu schlüpfen; für Straßen und Häuser ist gesorgt. ")


def test_a_latin1_page_is_not_read_as_gbk() -> None:
    body = (GERMAN * 20).encode("latin-1")
    assert better_encoding(body, "iso-8859-1", "cp1252") is None
    assert better_encoding(body, None, "cp1252") is None
    response = make_response("https://example.de/a.html",
                             b"<html><head><meta charset='ISO-8859-1'></head><body><p>" + body + b"</p></body></html>")
    assert "veröffentlichen" in response.text


def test_a_gbk_page_served_as_latin1_is_read_as_gb18030() -> None:
    body = (TEXT * 20 + "iPhone 15 发布会 GDP 增长 5%。").encode("gbk")
    assert better_encoding(body, "iso-8859-1", "cp1252") == "gb18030"


def test_a_korean_declaration_that_decodes_stands() -> None:
    body = ("서울시는 오늘 새로운 교통 정책을 발표했다. " * 20).encode("euc-kr")
    assert better_encoding(body, "euc-kr", "cp949") is None


def test_ideographs_inside_latin_words_are_not_chinese() -> None:
    from crawler.extract.encoding import reads_as_chinese

    assert reads_as_chinese(TEXT + " iPhone手机")
    assert not reads_as_chinese((GERMAN * 3).encode("latin-1").decode("gb18030", "replace"))
