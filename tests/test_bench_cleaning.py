"""The cleaning benchmark runs and prints one row per article shape and size (its figures are not asserted)."""

from bench import bench_cleaning


def test_the_cleaning_benchmark_prints_a_row_per_shape_and_size(capsys):
    assert bench_cleaning.main(["--sizes", "20,10", "--repeat", "1"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    # paragraphs and lines of each article: once, twice, three times, twice with a slogan at each paragraph
    sizes = [(int(row[-5]), int(row[-4])) for row in rows]
    assert sizes == [(n, n * times) for times in (1, 2, 3, 4, 4) for n in (10, 20)]
    assert rows[0][-1] == "1.0x"
