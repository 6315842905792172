"""Voting between extractors (crawler.extract.voting): matching outputs to lines, the stored trees, abstention."""

from __future__ import annotations

import numpy as np

from crawler.extract import generic, voting
from crawler.extract import text as textmod


def test_output_coverage_by_word_trigrams_and_whole_short_lines():
    out = voting.Output("The river was lower than I have seen it all year.\nShare this\n今天的江水很浅")
    assert out.coverage(voting.words("The river was lower than I have seen it")) == 1.0
    assert out.coverage(voting.words("the river was higher than ever")) == 0.25  # 1 of 4 trigrams
    assert out.coverage(voting.words("Share this")) == 1.0 and out.coverage(voting.words("Share")) == 0.0
    assert out.coverage(voting.words("江水很浅")) == 1.0


def test_forest_walks_its_trees_level_by_level():
    # one tree of depth 2: root splits on feature 0 at 0.5, its children on feature 1 at 2.0 and 3.0
    spec = {"features": ["a", "b"], "base": 0.0, "depth": 2, "cut": 0.5,
            "feature": [[0, 1, 1]], "threshold": [[0.5, 2.0, 3.0]], "leaf": [[-1.0, 1.0, -2.0, 2.0]]}
    forest = voting.Forest(spec)
    rows = [[0.0, 1.0], [0.0, 2.5], [1.0, 2.5], [1.0, 3.5]]
    assert forest.scores(rows).tolist() == [-1.0, 1.0, -2.0, 2.0]
    assert np.all((forest.probabilities(rows) >= 0.5) == np.array([False, True, False, True]))


def test_the_model_file_matches_the_features():
    line, gate = voting.load_model()
    assert tuple(line.features) == voting.FEATURES and tuple(gate.features) == voting.GATE_FEATURES
    assert 0 < line.cut < 1 and 0 < gate.cut < 1


def test_training_weights_pages_alike_and_subsets_as_asked():
    from bench.train_line_model import _training_set

    def page(group: str, tokens: list[float]) -> dict:
        n = len(tokens)
        return {"group": group, "x": np.zeros((n, 2)), "y": np.ones(n), "tokens": np.asarray(tokens)}

    # one page of a small subset, four of a large one; a page's lines share its weight by their tokens
    pages = [page("small", [1.0, 3.0])] + [page("large", [2.0, 2.0]) for _ in range(4)]
    for balance, small_share in (("page", 1 / 5), ("sqrt", 1 / 3), ("subset", 1 / 2)):
        _x, _y, w = _training_set(pages, balance)
        assert w[0] * 3 == w[1]
        assert abs(w[:2].sum() / w.sum() - small_share) < 1e-9, balance


def test_plain_majority_counts_only_the_voters_that_spoke():
    from bench.train_line_model import majority

    names = ("cheap", "traf", "read", "traf_ok", "read_ok")
    rows = np.zeros((4, len(voting.FEATURES)))
    for row, values in zip(rows, [(1, 0, 0, 1, 1),   # cheap alone against two voters: out
                                  (0, 1, 1, 1, 1),   # two voters against the cheap path: in
                                  (0, 1, 1, 1, 0),   # readability silent: cheap and trafilatura tie, kept
                                  (0, 0, 1, 1, 0)],  # readability's yes does not count when it was not asked
                           strict=True):
        for name, value in zip(names, values, strict=True):
            row[voting.FEATURES.index(name)] = value
    assert majority(rows).tolist() == [False, True, True, False]
    assert majority(np.zeros((0, len(voting.FEATURES)))).tolist() == []


def test_features_one_row_per_line():
    html = ("<html><body><h1>标题</h1><div class='content'><p>" + "正文很长的一段话，" * 10
            + "</p><p>第二段。</p></div></body></html>")
    page = generic.Page(generic.parse(html))
    flags = [True] * len(page.lines)
    rows, words = voting.line_features(page, flags, {1}, {"trafilatura": None, "readability": None}, 0)
    assert len(rows) == len(page.lines) == len(words)
    assert all(len(row) == len(voting.FEATURES) for row in rows)


def test_every_voter_abstaining_leaves_the_cheap_path(monkeypatch):
    monkeypatch.setattr(voting, "VOTER_FUNCS", {name: (lambda root, url: None) for name in voting.VOTERS})
    page = generic.Page(generic.parse("<html><body><p>一段文字，足够长的一段文字，用来测试。</p></body></html>"))
    assert voting.vote(page, [True] * len(page.lines), list(page.lines), "https://example.com/", None) is None


def test_structured_article_body_is_read_from_json_ld():
    body = "第一段。" * 60
    html = f'<html><head><script type="application/ld+json">{{"@type": "NewsArticle", "articleBody": "{body}"}}' \
           "</script></head><body></body></html>"
    assert voting.structured_body(generic.parse(html)) == body
    assert voting.structured_body(generic.parse("<html><body>x</body></html>")) is None


def test_readability_reads_the_same_text_with_its_cleaner_restored():
    import copy

    import lxml.html
    from readability import Document
    from readability import readability as module

    story = "".join(f"<p>Paragraph {i}: the council voted on the harbour wall, and the town pays for it. "
                    f"<a href='javascript:void(0)' onclick='share()'>Share</a></p>" for i in range(6))
    root = lxml.html.document_fromstring(f"<html><body><nav><a href='/'>Home</a></nav><article>{story}</article>"
                                         "<script>var x = 1;</script></body></html>")
    default = module.html_cleaner
    summary = Document(copy.deepcopy(root)).summary(html_partial=True)
    expected = "\n".join(textmod.paragraphs([lxml.html.fragment_fromstring(summary, create_parent="div")]))
    assert voting.readability_text(root, "https://a.example/") == expected
    assert "Paragraph 5: the council" in expected
    assert module.html_cleaner is default


def test_comment_lines_both_voters_leave_out_are_not_body(monkeypatch):
    story = [f"Paragraph {i} of the story: the council voted on the harbour wall, and the town will pay "
             f"for it over ten years, the mayor said on Tuesday." for i in range(3)]
    replies = [f"Reply {i}: I have lived by that harbour for forty years, and every winter the sea comes over "
               f"the old wall, so this vote is long overdue, whatever it costs the rest of us." for i in range(8)]
    html = ("<html><body><div class='story'>" + "".join(f"<p>{p}</p>" for p in story) + "</div>"
            "<div id='commentlisting'>" + "".join(f"<div class='c'><p>{r}</p></div>" for r in replies)
            + "</div></body></html>")
    page = generic.Page(generic.parse(html))
    monkeypatch.setattr(voting, "VOTER_FUNCS", {name: (lambda root, url: "\n".join(story)) for name in voting.VOTERS})
    monkeypatch.setattr(voting, "AGREE", 2.0)  # readability is asked too
    kept = voting.vote(page, [True] * len(page.lines), list(page.lines), "https://a.example/", None)
    assert [line.text for line in kept] == story
    # one voter abstaining is not both leaving the replies out: the rule stands aside
    monkeypatch.setattr(voting, "VOTER_FUNCS", {"trafilatura": lambda root, url: "\n".join(story),
                                                "readability": lambda root, url: None})
    kept = voting.vote(page, [True] * len(page.lines), list(page.lines), "https://a.example/", None)
    assert any(line.text.startswith("Reply") for line in kept)


def test_copies_of_a_line_inside_the_kept_stretch_get_the_majority_verdict():
    from types import SimpleNamespace

    from crawler.extract.voting import _same_verdict_for_copies

    slogan = "关注我们"
    texts = ["menu", "p1", slogan, "p2", slogan, "p3", slogan, "p4", slogan, "footer", slogan]
    lines = [SimpleNamespace(text=t) for t in texts]
    # kept stretch p1..p4 holds four copies, three kept: the fourth is kept too; the copy after the
    # stretch (under the footer) is not looked at
    keep = np.array([0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0], dtype=bool)
    _same_verdict_for_copies(lines, keep)
    assert keep.tolist() == [False, True, True, True, True, True, True, True, True, False, False]
    # one of the three copies in the stretch kept: all three go
    keep = np.array([0, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0], dtype=bool)
    _same_verdict_for_copies(lines, keep)
    assert keep.tolist() == [False, True, False, True, False, True, False, True, False, False, False]
    # a line printed twice is left to the model
    keep = np.array([0, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0], dtype=bool)
    _same_verdict_for_copies([SimpleNamespace(text=t.replace(slogan, f"s{i % 4}")) for i, t in enumerate(texts)], keep)
    assert keep.tolist() == [False, True, True, True, False, True, False, True, False, False, False]
