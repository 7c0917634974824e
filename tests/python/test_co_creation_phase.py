"""`marketsim phase` and `analysis.phase_diagram` on a small co_creation grid sweep: the
table's cells are the replication mean and 95% CI of the metric (checked independently
from the HDF5 file), the sign marks follow the CI rule, and bad input is one clear line."""
from __future__ import annotations

import re

import h5py
import matplotlib
import numpy as np
import pytest
from scipy import stats

from conftest import assert_single_error_line, write_spec

matplotlib.use("Agg")

SPEC = """
scenario = "co_creation"
replications = 4
seed = 3

[fixed]
consumers = 1500
rounds = 15

[axes]
niches = [1, 8]
participation = [0.0, 0.3]
drift = [0.0, 0.05]
"""

CELL = re.compile(r"([+?-]) (-?[0-9.e+-]+) ± ([0-9.e+-]+)")


@pytest.fixture(scope="module")
def phase_file(cli, tmp_path_factory):
    d = tmp_path_factory.mktemp("phase")
    out = d / "phase.h5"
    cli.ok("sweep", write_spec(d / "phase.toml", SPEC), "--out", out, "--threads", "2", timeout=120)
    return out


def _expected(path, metric):
    """Mean and 95% half-width per (niches, participation, drift) straight from the file."""
    with h5py.File(path, "r") as f:
        v = f[metric][...]
    n = v.shape[-1]
    mean = v.mean(axis=-1)
    half = stats.t.ppf(0.975, n - 1) * v.std(axis=-1, ddof=1) / np.sqrt(n)
    return mean, half


def test_phase_table_matches_the_file(cli, phase_file):
    proc = cli.ok("phase", phase_file, "--x", "niches", "--y", "participation", "--metric", "profit_gap")
    text = proc.stdout
    assert "drift = 0" in text and "drift = 0.05" in text
    mean, half = _expected(phase_file, "profit_gap")
    # One table per drift; rows participation from the largest down; columns niches.
    tables = text.split("\ndrift = ")[1:]
    assert len(tables) == 2
    signs = []
    for k, table in enumerate(tables):
        rows = [line for line in table.splitlines() if line.startswith(("0.3", "0 "))]
        assert [r.split()[0] for r in rows] == ["0.3", "0"]
        for r, j in zip(rows, [1, 0]):
            cells = CELL.findall(r)
            assert len(cells) == 2, r
            for i, (sign, m, h) in enumerate(cells):
                assert float(m) == pytest.approx(mean[i, j, k], rel=6e-3)  # 3 significant digits
                assert float(h) == pytest.approx(half[i, j, k], rel=6e-2)  # 2 significant digits
                lo, hi = mean[i, j, k] - half[i, j, k], mean[i, j, k] + half[i, j, k]
                assert sign == ("+" if lo > 0 else "-" if hi < 0 else "?")
                signs.append(sign)
    summary = re.search(r"8 point\(s\): (\d+) \+, (\d+) -, (\d+) undecided", text)
    assert summary, text
    assert [int(x) for x in summary.groups()] == [signs.count("+"), signs.count("-"), signs.count("?")]


def test_phase_minus_is_the_paired_difference(cli, phase_file):
    a = cli.ok("phase", phase_file, "--x", "niches", "--y", "participation", "--metric", "profit_gap").stdout
    b = cli.ok("phase", phase_file, "--x", "niches", "--y", "participation", "--metric", "profit_cocreative",
               "--minus", "profit_topdown").stdout
    cells_a = [(s, float(m)) for s, m, _ in CELL.findall(a)]
    cells_b = [(s, float(m)) for s, m, _ in CELL.findall(b)]
    assert len(cells_a) == len(cells_b) == 8
    for (sa, ma), (sb, mb) in zip(cells_a, cells_b):
        assert sa == sb and ma == pytest.approx(mb, rel=6e-3)


def test_phase_bad_input_is_one_line(cli, phase_file, tmp_path):
    assert_single_error_line(cli("phase", phase_file, "--x", "nichez", "--y", "participation", "--metric", "profit_gap"),
                             "nichez", "did you mean 'niches'")
    assert_single_error_line(cli("phase", phase_file, "--x", "niches", "--y", "participation", "--metric", "gap"),
                             "no per-run outcome 'gap'")
    assert_single_error_line(cli("phase", tmp_path / "missing.h5", "--x", "a", "--y", "b", "--metric", "c"),
                             "missing.h5")


def test_python_phase_diagram_one_sample(phase_file):
    import marketsim as ms
    from marketsim import analysis

    df = ms.load_runs(phase_file)
    with pytest.raises(ValueError, match="drift"):
        analysis.phase_diagram(df, x="niches", y="participation", metric="profit_gap")
    fig = analysis.phase_diagram(df, x="niches", y="participation", metric="profit_gap", where={"drift": 0.05})
    table = fig.comparison.set_index(["niches", "participation"])
    mean, half = _expected(phase_file, "profit_gap")
    for i, nich in enumerate([1, 8]):
        for j, part in enumerate([0.0, 0.3]):
            row = table.loc[(nich, part)]
            assert row["method"] == "one-sample t"
            assert row["diff"] == pytest.approx(mean[i, j, 1])
            assert row["ci_high"] - row["diff"] == pytest.approx(half[i, j, 1])
            assert row["decided"] == (row["ci_low"] > 0 or row["ci_high"] < 0)
