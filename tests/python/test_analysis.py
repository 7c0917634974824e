"""marketsim.analysis against hand-computed values and constructed data."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from marketsim import analysis


def test_summarize_hand_values():
    df = pd.DataFrame({"g": ["a", "a", "a", "b", "b"], "x": [1.0, 2.0, 3.0, 10.0, np.nan], "replication": range(5)})
    s = analysis.summarize(df, by="g", metrics="x").set_index("g")
    assert s.loc["a", "x_mean"] == 2.0
    assert s.loc["a", "x_se"] == pytest.approx(1 / np.sqrt(3))
    half = stats.t.ppf(0.975, 2) / np.sqrt(3)
    assert s.loc["a", "x_ci_low"] == pytest.approx(2 - half) and s.loc["a", "x_ci_high"] == pytest.approx(2 + half)
    assert s.loc["b", "x_n"] == 1 and np.isnan(s.loc["b", "x_se"])  # NaN skipped; one value has no interval
    with pytest.raises(KeyError, match="no column"):
        analysis.summarize(df, by="nope")


def _two_regimes(paired: bool, effect: float, reps: int = 30, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for cities in (10, 50):
        common = rng.normal(0, 1, reps)  # shared draws: what common random numbers give
        for regime in ("pact", "none"):
            noise = common + rng.normal(0, 0.1, reps) if paired else rng.normal(0, 1, reps)
            for r in range(reps):
                seed_r = r if paired else hash((regime, cities, r)) % 10_000
                rows.append({"coordination": regime, "cities": cities, "replication": r, "seed": seed_r,
                             "welfare": noise[r] + (effect * cities / 10 if regime == "pact" else 0.0)})
    return pd.DataFrame(rows)


def test_compare_pairs_under_common_random_numbers():
    df = _two_regimes(paired=True, effect=0.2)
    c = analysis.compare(df, {"coordination": "pact"}, {"coordination": "none"}, "welfare", by="cities")
    assert list(c.method) == ["paired t", "paired t"]
    for _, row in c.iterrows():
        a = df[(df.coordination == "pact") & (df.cities == row.cities)].sort_values("replication").welfare.to_numpy()
        b = df[(df.coordination == "none") & (df.cities == row.cities)].sort_values("replication").welfare.to_numpy()
        assert row["diff"] == pytest.approx((a - b).mean())
        assert row.ci_low < 0.2 * row.cities / 10 < row.ci_high
        assert row.p_value == pytest.approx(stats.ttest_rel(a, b).pvalue)
    # Pairing makes the interval far tighter than the spread of either regime.
    assert (c.ci_high - c.ci_low).max() < 0.2


def test_compare_bootstraps_without_common_seeds():
    df = _two_regimes(paired=False, effect=1.0, reps=60)
    c = analysis.compare(df, {"coordination": "pact"}, {"coordination": "none"}, "welfare", by="cities")
    assert set(c.method) == {"bootstrap"}
    assert (c.ci_low < c["diff"]).all() and (c["diff"] < c.ci_high).all()
    assert c.set_index("cities").loc[50, "ci_low"] > 0  # effect 5 is unmistakable
    again = analysis.compare(df, {"coordination": "pact"}, {"coordination": "none"}, "welfare", by="cities")
    pd.testing.assert_frame_equal(c, again)  # the bootstrap is seeded
    with pytest.raises(ValueError, match="no runs match"):
        analysis.compare(df, {"coordination": "cartel"}, {"coordination": "none"}, "welfare")


def test_benjamini_hochberg_hand_values():
    assert list(analysis.benjamini_hochberg([0.01, 0.04, 0.03, 0.2], q=0.05)) == [True, False, False, False]
    assert list(analysis.benjamini_hochberg([0.01, 0.02, 0.03, 0.04], q=0.05)) == [True] * 4
    # Step-up: a later p-value under its threshold rescues earlier ones above theirs.
    assert list(analysis.benjamini_hochberg([0.02, 0.03, 0.9], q=0.05)) == [True, True, False]
    assert list(analysis.benjamini_hochberg([np.nan, 0.001], q=0.05)) == [False, True]


def test_phase_diagram_marks_undecided_points():
    rows = []
    rng = np.random.default_rng(3)
    for x in (1, 2, 3):
        for y in (0.1, 0.5):
            effect = {1: -1.0, 2: 0.0, 3: 1.0}[x]  # x = 2: no difference -> undecided
            base = rng.normal(0, 1, 20)
            for r in range(20):
                rows.append({"x": x, "y": y, "regime": "co", "replication": r, "seed": r,
                             "profit": base[r] + effect + rng.normal(0, 0.05)})
                rows.append({"x": x, "y": y, "regime": "top", "replication": r, "seed": r, "profit": base[r]})
    df = pd.DataFrame(rows)
    fig = analysis.phase_diagram(df, "x", "y", "profit", {"regime": "co"}, {"regime": "top"})
    table = fig.comparison.set_index(["x", "y"])
    assert not table.loc[(2, 0.1), "decided"] and not table.loc[(2, 0.5), "decided"]
    assert table.loc[(1, 0.1), "decided"] and table.loc[(3, 0.5), "decided"]
    assert "95% CI per point" in fig.axes[0].get_title()
    fig_bh = analysis.phase_diagram(df, "x", "y", "profit", {"regime": "co"}, {"regime": "top"}, fdr=0.05)
    assert "Benjamini–Hochberg, FDR q = 0.05" in fig_bh.axes[0].get_title()
    assert fig_bh.comparison["decided"].sum() == 4
