"""bench.titles on a corpus written here: which pages it labels, and the three titles it compares."""

import gzip
import json

from bench import titles

STORY = "".join(f"<p>{text}</p>" for text in (
    "The harbour ferry returns to service on Monday after a winter of repairs to its two landing stages, the port "
    "authority said, with the first crossing at seven in the morning.",
    "Timetables are unchanged from last summer, and season tickets bought before the closure stay valid until the "
    "end of June, the authority added in its statement on Friday.",
))
BLOG = ("<html><head><title>Field Notes: The harbour ferry returns</title></head><body><div id='header'><h1>"
        "<a href='https://notes.example.org/'>Field Notes</a></h1></div><div class='post'><h3>The harbour ferry "
        f"returns</h3>{STORY}</div></body></html>")


def test_titles_are_scored_where_the_gold_body_starts_with_a_heading(tmp_path, capsys):
    public = tmp_path / "public"
    (public / "html").mkdir(parents=True)
    rows = []
    for page_id, html, body in (
            ("blog", BLOG, "The harbour ferry returns\nThe harbour ferry returns to service on Monday"),
            ("plain", BLOG, "The harbour ferry returns to service on Monday after a winter of repairs"),
            ("nohead", BLOG.replace("<h3>", "<p>").replace("</h3>", "</p>"), "The harbour ferry returns\nMore")):
        (public / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html.encode()))
        rows.append({"id": page_id, "subset": "dragnet", "url": "https://notes.example.org/2026/11/ferry.html",
                     "path": f"html/{page_id}.html.gz", "body": body})
    (public / "labels.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    assert titles.main([str(tmp_path)]) == 0
    table = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert table[0] == ["subset", "half", "pages", "ours", "<title>", "og:title"]
    # only "blog" is labelled: "plain" starts with no headline, "nohead" prints its headline as no heading
    assert [row[2:] for row in table[1:]] == [["1", "1.000", "0.000", "0.000"]]
