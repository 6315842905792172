from __future__ import annotations

from datetime import datetime, timedelta, timezone

import lxml.html
import pytest

from crawler.extract.article import SiteRules, extract_page
from crawler.extract.dates import get_tz
from crawler.extract.zones import UNKNOWN, clock_offset, timezone_of_page, utc_twin_offset

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=get_tz("Asia/Shanghai"))
BODY = "<p>" + "A sentence of the article, long enough to be read as one. " * 6 + "</p>"


def page(head: str = "", lang: str = "", title: str = "A plain headline") -> str:
    attr = f' lang="{lang}"' if lang else ""
    return f"<html{attr}><head><title>{title}</title>{head}</head><body><h1>{title}</h1>{BODY}</body></html>"


@pytest.mark.parametrize(("url", "html", "zone"), [
    ("https://www.example.de/a/1", page(), "Europe/Berlin"),
    ("https://news.example.co.uk/a/1", page(), "Europe/London"),
    ("https://www.example.com/a/1", page(title="東京で新しい駅が開業した"), "Asia/Tokyo"),
    ("https://www.example.com/a/1", page(title="서울 시내 버스 노선이 바뀐다"), "Asia/Seoul"),
    # Chinese text wins over a template's lang="en"
    ("https://www.example.com/a/1", page(lang="en", title="城市夜市重新开放"), "Asia/Shanghai"),
    ("https://www.example.com/a/1", page(lang="pt-BR"), "America/Sao_Paulo"),
    ("https://www.example.com/a/1", page(head='<meta property="og:locale" content="de_DE">'), "Europe/Berlin"),
    ("https://www.example.com/a/1", page(lang="pl"), "Europe/Warsaw"),
    # English and Spanish are written in many zones; .io is sold as a generic domain
    ("https://www.example.com/a/1", page(lang="en"), UNKNOWN),
    ("https://www.example.com/a/1", page(lang="es"), UNKNOWN),
    ("https://blog.example.io/a/1", page(), UNKNOWN),
])
def test_timezone_of_page(url: str, html: str, zone: str) -> None:
    root = lxml.html.document_fromstring(html)
    from crawler.extract.pubdate import page_locale

    assert timezone_of_page(root, url, page_locale(root)) == zone


def test_a_utc_time_on_an_unknown_site_keeps_its_day() -> None:
    # 23:30 UTC on 31 October: converting it to the site spiders' default (+08:00) gave 1 November
    html = page(head='<meta property="article:published_time" content="2019-10-31T23:30:00+00:00">', lang="en")
    generic = extract_page("https://blog.example.com/p/1", html, SiteRules(page_timezone=True), NOW)
    assert generic.published_at is not None
    assert generic.published_at.isoformat() == "2019-10-31T23:30:00+00:00"
    # a site spider declares its zone: the same instant in the site's time
    site = extract_page("https://blog.example.com/p/1", html, SiteRules(), NOW)
    assert site.published_at is not None and site.published_at.isoformat() == "2019-11-01T07:30:00+08:00"


def test_a_time_printed_without_offset_gets_the_pages_zone() -> None:
    html = page(head='<meta property="article:published_time" content="2019-10-31T23:30:00">', lang="de")
    found = extract_page("https://www.example.com/p/1", html, SiteRules(page_timezone=True), NOW).published_at
    assert found is not None
    assert (found.date().isoformat(), found.utcoffset()) == ("2019-10-31", timedelta(hours=1))
    # a UTC time is shown in the page's zone, as the page prints it
    html = page(head='<meta property="article:published_time" content="2019-10-31T23:30:00Z">', lang="de")
    found = extract_page("https://www.example.com/p/1", html, SiteRules(page_timezone=True), NOW).published_at
    assert found is not None and found.isoformat() == "2019-11-01T00:30:00+01:00"


def test_the_pages_own_clocks_give_its_offset() -> None:
    # a US paper: the publication time in UTC, and the same time written in the newsroom's (Central) time
    stamped = ('<meta property="article:published_time" content="2023-11-09T05:30:59+00:00">'
               '<script type="application/ld+json">{"datePublished": "2023-11-09T05:30:59Z"}</script>')
    shown = '<time datetime="2023-11-08 23:30:59">November 8, 2023 at 11:30 p.m.</time>'
    html = page(head=stamped, lang="en-US").replace("</h1>", f"</h1>{shown}")
    assert clock_offset(lxml.html.document_fromstring(html)) == timezone(timedelta(hours=-6))
    found = extract_page("https://www.example.com/2023/11/08/a", html, SiteRules(page_timezone=True), NOW).published_at
    assert found is not None and found.isoformat() == "2023-11-08T23:30:59-06:00"


@pytest.mark.parametrize(("stamped", "shown"), [
    ("2023-11-09T05:30:59Z", "2023-11-09 05:30:59"),  # the same time both ways: the page prints UTC
    ("2023-11-09T05:00:00Z", "2023-11-08 23:00:00"),  # on the hour: another time is as likely as the same one
    ("2023-11-09T05:30:59Z", "2023-11-08 23:30:58"),  # not the same second
    ("2023-11-09T05:30:59Z", "2023-11-07 23:30:59"),  # more than 14 hours apart
])
def test_clocks_that_do_not_pair_give_no_offset(stamped: str, shown: str) -> None:
    html = page(head=f'<meta property="article:published_time" content="{stamped}">')
    html = html.replace("</h1>", f'</h1><time datetime="{shown}">{shown}</time>')
    assert clock_offset(lxml.html.document_fromstring(html)) is None


def test_a_utc_time_the_page_also_gives_in_local_time_gives_the_offset() -> None:
    # the metadata in UTC, the page's own script with the same instant at New York's offset
    head = ('<meta property="article:published_time" content="2020-02-25T02:25:54+00:00">'
            '<script>tp.push(["setContentCreated", "2020-02-24T21:25:54-05:00"]);</script>')
    html = page(head=head, lang="en")
    root = lxml.html.document_fromstring(html)
    assert timezone_of_page(root, "https://www.example.com/a", "en") == UNKNOWN
    assert utc_twin_offset(root) == timezone(timedelta(hours=-5))
    found = extract_page("https://www.example.com/a", html, SiteRules(page_timezone=True), NOW).published_at
    assert found is not None and found.isoformat() == "2020-02-24T21:25:54-05:00"
    # a country's domain gives the zone first
    found = extract_page("https://www.example.de/a", html, SiteRules(page_timezone=True), NOW).published_at
    assert found is not None and found.isoformat() == "2020-02-25T03:25:54+01:00"


@pytest.mark.parametrize("local", [
    "2020-02-24T21:25:55-05:00",  # another second: another time
    "2020-02-24T21:00:00-05:00",  # on the hour (with a UTC time on the hour): too likely a coincidence
])
def test_utc_times_without_a_twin_stay_utc(local: str) -> None:
    utc = "2020-02-25T02:00:00Z" if local.endswith("00:00-05:00") else "2020-02-25T02:25:54Z"
    head = f'<meta property="article:published_time" content="{utc}"><script>var d = "{local}";</script>'
    assert utc_twin_offset(lxml.html.document_fromstring(page(head=head, lang="en"))) is None
