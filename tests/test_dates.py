from __future__ import annotations

from datetime import datetime

import pytest

from crawler.extract.dates import get_tz, parse_date, to_iso

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=get_tz("Asia/Shanghai"))


@pytest.mark.parametrize(("text", "expected"), [
    ("2018年01月25日 10:23", "2018-01-25T10:23:00+08:00"),
    ("2018-01-25 10:23:00", "2018-01-25T10:23:00+08:00"),
    ("2018/1/25", "2018-01-25T00:00:00+08:00"),
    ("01-25 10:23", "2026-01-25T10:23:00+08:00"),
    ("12-30 10:23", "2025-12-30T10:23:00+08:00"),  # a year-less date after today is last year's
    ("发布时间：2019-09-07 13:43:45 来源：新华社", "2019-09-07T13:43:45+08:00"),
    ("2019-09-07T05:43:45Z", "2019-09-07T13:43:45+08:00"),
    ("2019-09-07T13:43:45+09:00", "2019-09-07T13:43:45+09:00"),
    ("2019年09月07日 下午3:10", "2019-09-07T15:10:00+08:00"),
    ("刚刚", "2026-11-24T15:00:00+08:00"),
    ("3分钟前", "2026-11-24T14:57:00+08:00"),
    ("3小时前", "2026-11-24T12:00:00+08:00"),
    ("昨天 12:30", "2026-11-23T12:30:00+08:00"),
    ("前天", "2026-11-22T00:00:00+08:00"),
    ("1568000000", "2019-09-09T11:33:20+08:00"),
    ("Sep 7, 2019 1:43 PM", "2019-09-07T13:43:00+08:00"),
])
def test_parse_date(text: str, expected: str) -> None:
    assert to_iso(parse_date(text, "Asia/Shanghai", NOW)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("29. Juni 2017, 23:39", "2017-06-29T23:39:00+02:00"),
    ("Samstag, 15. März 2020 10:00", "2020-03-15T10:00:00+01:00"),
    ("1er mars 2020", "2020-03-01T00:00:00+01:00"),
    ("5 août 2019", "2019-08-05T00:00:00+02:00"),
    ("3 de mayo de 2022", "2022-05-03T00:00:00+02:00"),
    ("12 giugno 2021", "2021-06-12T00:00:00+02:00"),
    ("7 de setembro de 2020", "2020-09-07T00:00:00+02:00"),
    ("4 mei 2020", "2020-05-04T00:00:00+02:00"),
    ("Sept. 5, 2019", "2019-09-05T00:00:00+02:00"),
])
def test_month_names_of_european_languages(text: str, expected: str) -> None:
    assert to_iso(parse_date(text, "Europe/Berlin", NOW)) == expected


def test_site_timezone_applies_when_the_page_gives_none() -> None:
    assert to_iso(parse_date("2024-04-24 08:00", "Europe/Paris", NOW)) == "2024-04-24T08:00:00+02:00"


@pytest.mark.parametrize("text", ["", "没有日期", "第3版", "2019-13-45 10:00", "Mayor 12 2020", "12 marzipan 2020"])
def test_no_date(text: str) -> None:
    assert parse_date(text, "Asia/Shanghai", NOW) is None


def test_naive_datetimes_never_leave_to_iso() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_iso(datetime(2020, 1, 1))


@pytest.mark.parametrize(("text", "zone", "expected"), [
    ("Oct 29, 2012 09:35 PM EDT", "UTC", "2012-10-29T21:35:00-04:00"),
    ("Published: July 24, 2012 at 7:37 AM ET", "UTC", "2012-07-24T07:37:00-04:00"),  # ET follows DST
    ("January 5, 2015 10:00 am ET", "UTC", "2015-01-05T10:00:00-05:00"),
    ("Wed 2012/11/07 19:05 JST", "UTC", "2012-11-07T19:05:00+09:00"),
    ("Created: 12.04.2004 21:17 MSK (GMT +3)", "UTC", "2004-04-12T21:17:00+03:00"),
    ("5 January 2015 10:00 (PST)", "UTC", "2015-01-05T10:00:00-08:00"),
    # a UTC time is the site's own time, as an offset +00:00 is
    ("by Lee Hutchinson - Nov 9, 2012 5:30 pm UTC", "America/New_York", "2012-11-09T12:30:00-05:00"),
    ("Wed, 04 May 2022 02:41:00 GMT", "America/La_Paz", "2022-05-03T22:41:00-04:00"),
    # abbreviations that name several zones, and words that are no zone, are not read
    ("January 5, 2015 10:00 CST", "Asia/Shanghai", "2015-01-05T10:00:00+08:00"),
    ("2 May 2019, 14:05 BST", "Europe/Berlin", "2019-05-02T14:05:00+02:00"),
    ("12 mars 2019 10:00 et demain", "Europe/Paris", "2019-03-12T10:00:00+01:00"),
    ("Nov 9, 2012 5:30 pm by Jim", "UTC", "2012-11-09T17:30:00+00:00"),
])
def test_a_zone_printed_after_the_time_is_read(text: str, zone: str, expected: str) -> None:
    assert to_iso(parse_date(text, zone, NOW)) == expected
