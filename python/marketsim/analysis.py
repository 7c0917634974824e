"""Statistics across replications, and the users' central question: where does one
regime (say ``coordination="pact"``) beat another (``"none"``)?

All functions take the per-run table that :func:`marketsim.sweep` and
:func:`marketsim.load_runs` return (one row per run, a ``replication`` and a ``seed``
column, one column per outcome).
"""
from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["summarize", "compare", "phase_diagram", "benjamini_hochberg"]


def _as_list(x: Optional[str | Sequence[str]]) -> list[str]:
    if x is None:
        return []
    return [x] if isinstance(x, str) else list(x)


def summarize(df: pd.DataFrame, by: Optional[str | Sequence[str]] = None,
              metrics: Optional[str | Sequence[str]] = None, level: float = 0.95) -> pd.DataFrame:
    """Mean, standard error and confidence interval (Student t, n-1 degrees of freedom)
    of each metric per group.

    Returns one row per group (``by``) and, for each metric, the columns
    ``<metric>_mean``, ``<metric>_se``, ``<metric>_ci_low``, ``<metric>_ci_high`` and
    ``<metric>_n`` (the finite values used; NaNs are skipped).
    ``metrics`` defaults to every numeric column that is not a grouping column,
    ``replication`` or ``seed``.
    """
    by = _as_list(by)
    if metrics is None:
        skip = set(by) | {"replication", "seed", "point"}
        metrics = [c for c in df.columns if c not in skip and pd.api.types.is_numeric_dtype(df[c])]
    metrics = _as_list(metrics)
    missing = [m for m in by + metrics if m not in df.columns]
    if missing:
        raise KeyError(f"summarize: no column(s) {missing}; columns are {list(df.columns)}")
    rows = []
    for key, g in _groups(df, by).items():
        row: dict[str, Any] = dict(zip(by, key))
        for m in metrics:
            x = g[m].to_numpy(dtype=float)
            x = x[np.isfinite(x)]
            n = len(x)
            mean = x.mean() if n else np.nan
            se = x.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
            half = stats.t.ppf(0.5 + level / 2, n - 1) * se if n > 1 else np.nan
            row.update({f"{m}_mean": mean, f"{m}_se": se, f"{m}_ci_low": mean - half, f"{m}_ci_high": mean + half,
                        f"{m}_n": n})
        rows.append(row)
    return pd.DataFrame(rows)


def _groups(df: pd.DataFrame, by: list[str]) -> dict[tuple, pd.DataFrame]:
    """Rows of ``df`` by the values of the ``by`` columns, keyed by tuples."""
    if not by:
        return {(): df}
    grouped = df.groupby(by[0] if len(by) == 1 else by, sort=True, dropna=False)
    return {(k if isinstance(k, tuple) else (k,)): g for k, g in grouped}


def _selection(df: pd.DataFrame, regime: Mapping[str, Any], what: str) -> pd.DataFrame:
    if not isinstance(regime, Mapping) or not regime:
        raise TypeError(f"compare: {what} must be a dict of column -> value, e.g. {{'coordination': 'pact'}}")
    mask = np.ones(len(df), dtype=bool)
    for col, value in regime.items():
        if col not in df.columns:
            raise KeyError(f"compare: {what} names column '{col}', which the table lacks; columns: {list(df.columns)}")
        mask &= (df[col] == value).to_numpy()
    if not mask.any():
        raise ValueError(f"compare: no runs match {what} {dict(regime)}")
    return df[mask]


def benjamini_hochberg(p_values: Sequence[float], q: float = 0.05) -> np.ndarray:
    """Which hypotheses are rejected at false discovery rate ``q`` (Benjamini and
    Hochberg 1995): reject the k smallest p-values, k the largest with p_(k) <= k q / m."""
    p = np.asarray(p_values, dtype=float)
    reject = np.zeros(len(p), dtype=bool)
    finite = np.isfinite(p)
    m = int(finite.sum())
    if m == 0:
        return reject
    idx = np.where(finite)[0]
    order = idx[np.argsort(p[idx], kind="stable")]
    ok = p[order] <= q * np.arange(1, m + 1) / m
    if ok.any():
        k = np.max(np.where(ok)[0])
        reject[order[: k + 1]] = True
    return reject


def _one_sample(df: pd.DataFrame, metric: str, by: list[str], level: float) -> pd.DataFrame:
    """``metric`` itself (already a difference within each run) against 0, per group."""
    rows = []
    for key, g in _groups(df, by).items():
        d = g[metric].to_numpy(dtype=float)
        d = d[np.isfinite(d)]
        n = len(d)
        mean = d.mean() if n else np.nan
        se = d.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
        if n > 1 and se > 0:
            half = stats.t.ppf(0.5 + level / 2, n - 1) * se
            p = 2 * stats.t.sf(abs(mean) / se, n - 1)
        elif n > 1:
            half, p = 0.0, (1.0 if mean == 0 else 0.0)
        else:
            half, p = np.nan, np.nan
        row: dict[str, Any] = dict(zip(by, key))
        row.update({"diff": mean, "ci_low": mean - half, "ci_high": mean + half, "p_value": p, "n": n,
                    "method": "one-sample t"})
        rows.append(row)
    return pd.DataFrame(rows)


def _axes(df: pd.DataFrame) -> list[str]:
    """The sweep coordinates of a runs table: its columns before ``replication``."""
    cols = list(df.columns)
    return [c for c in cols[: cols.index("replication")] if c != "point"] if "replication" in cols else []


def _where(df: pd.DataFrame, where: Optional[Mapping[str, Any]]) -> pd.DataFrame:
    """The rows whose columns equal the given values (a slice of the sweep)."""
    if not where:
        return df
    return _selection(df, where, "where")


def compare(df: pd.DataFrame, regime: Optional[Mapping[str, Any]], baseline: Optional[Mapping[str, Any]],
            metric: str, by: Optional[str | Sequence[str]] = None, level: float = 0.95, n_boot: int = 4000,
            seed: int = 0, where: Optional[Mapping[str, Any]] = None) -> pd.DataFrame:
    """The difference ``metric(regime) - metric(baseline)`` per group, with a confidence
    interval and a p-value for "no difference".

    With ``regime=None`` and ``baseline=None`` the metric is itself a paired difference
    within each run (e.g. ``profit_gap`` of co_creation, where both firm types share one
    market): its mean per group is tested against 0 (one-sample t, ``method`` =
    ``"one-sample t"``). ``where`` keeps only the runs whose columns equal the given
    values, e.g. ``where={"drift": 0.05}`` for one slice of a three-axis sweep.

    ``regime`` and ``baseline`` select runs by column values, e.g.
    ``compare(df, {"coordination": "pact"}, {"coordination": "none"}, "welfare", by="cities")``.
    When both regimes ran on the same seeds per replication (common random numbers, the
    default of :func:`marketsim.sweep`), runs are paired by replication and the interval
    is the paired-t interval of the differences. Otherwise the interval is a percentile
    bootstrap of the difference of means (``n_boot`` resamples, reproducible with
    ``seed``) and the p-value is Welch's t-test. The ``method`` column says which.
    """
    by = _as_list(by)
    df = _where(df, where)
    if regime is None and baseline is None:
        for col in by + [metric]:
            if col not in df.columns:
                raise KeyError(f"compare: no column '{col}'; columns are {list(df.columns)}")
        return _one_sample(df, metric, by, level)
    if regime is None or baseline is None:
        raise TypeError("compare: give both regime and baseline, or neither (a metric that is already a difference)")
    a, b = _selection(df, regime, "regime"), _selection(df, baseline, "baseline")
    for col in by + [metric, "replication"]:
        if col not in df.columns:
            raise KeyError(f"compare: no column '{col}'; columns are {list(df.columns)}")
    rng = np.random.default_rng(seed)
    groups_a, groups_b = _groups(a, by), _groups(b, by)
    rows = []
    for key in sorted(set(groups_a) & set(groups_b)):
        ga, gb = groups_a[key], groups_b[key]
        row: dict[str, Any] = dict(zip(by, key))
        merged = ga[["replication", "seed", metric]].merge(gb[["replication", "seed", metric]], on="replication",
                                                          suffixes=("_a", "_b"))
        paired = (len(merged) == len(ga) == len(gb) and len(merged) > 1
                  and (merged["seed_a"] == merged["seed_b"]).all())
        if paired:
            d = (merged[f"{metric}_a"] - merged[f"{metric}_b"]).to_numpy(dtype=float)
            n = len(d)
            mean, se = d.mean(), d.std(ddof=1) / np.sqrt(n)
            if se > 0:
                half = stats.t.ppf(0.5 + level / 2, n - 1) * se
                p = 2 * stats.t.sf(abs(mean) / se, n - 1)
            else:
                half, p = 0.0, (1.0 if mean == 0 else 0.0)
            low, high, method = mean - half, mean + half, "paired t"
        else:
            xa, xb = ga[metric].to_numpy(dtype=float), gb[metric].to_numpy(dtype=float)
            n = min(len(xa), len(xb))
            mean = xa.mean() - xb.mean()
            boots = (rng.choice(xa, (n_boot, len(xa))).mean(axis=1) - rng.choice(xb, (n_boot, len(xb))).mean(axis=1))
            low, high = np.quantile(boots, [0.5 - level / 2, 0.5 + level / 2])
            p = stats.ttest_ind(xa, xb, equal_var=False).pvalue if n > 1 else np.nan
            method = "bootstrap"
        row.update({"diff": mean, "ci_low": low, "ci_high": high, "p_value": p, "n": n, "method": method})
        rows.append(row)
    return pd.DataFrame(rows)


def phase_diagram(df: pd.DataFrame, x: str, y: str, metric: str, regime: Optional[Mapping[str, Any]] = None,
                  baseline: Optional[Mapping[str, Any]] = None, fdr: Optional[float] = None, level: float = 0.95,
                  ax=None, where: Optional[Mapping[str, Any]] = None):
    """Where does ``regime`` beat ``baseline`` on ``metric``, over the (x, y) sweep plane?

    Without ``regime`` and ``baseline`` the metric is a paired difference within each run
    (e.g. co_creation's ``profit_gap``) and each point shows its mean against 0.
    ``where`` fixes the other axes of a larger sweep, e.g. ``where={"drift": 0.05}``;
    a sweep axis that is neither x, y nor fixed by ``where`` is an error, because its
    values would be pooled silently.

    Each (x, y) point is coloured by the mean difference (regime - baseline) and marked
    ``+`` where the regime is higher, ``-`` where it is lower, and left hollow and grey
    where the evidence does not decide: the confidence interval spans zero (default), or,
    with ``fdr=q``, the Benjamini-Hochberg procedure at false discovery rate q across all
    points does not reject "no difference". The title says which criterion is used.

    Returns the matplotlib Figure; the comparison table is in ``fig.comparison``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    df = _where(df, where)
    regime_cols = set(regime or {}) | set(baseline or {})
    pooled = [c for c in _axes(df) if c not in {x, y} | regime_cols and df[c].nunique() > 1]
    if pooled:
        raise ValueError(f"phase_diagram: the axes {pooled} vary too; fix them with where={{...}}")
    table = compare(df, regime, baseline, metric, by=[x, y], level=level)
    if fdr is not None:
        decided = benjamini_hochberg(table["p_value"], q=fdr)
        criterion = f"Benjamini–Hochberg, FDR q = {fdr:g}"
    else:
        decided = ~((table["ci_low"] <= 0) & (table["ci_high"] >= 0)).to_numpy()
        criterion = f"{level:.0%} CI per point excludes 0"
    table["decided"] = decided
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.8))
    else:
        fig = ax.figure
    xs, ys = sorted(table[x].unique()), sorted(table[y].unique())
    xi = table[x].map({v: i for i, v in enumerate(xs)})
    yi = table[y].map({v: i for i, v in enumerate(ys)})
    span = float(np.nanmax(np.abs(table["diff"]))) or 1.0
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-span, vmax=span)
    sc = ax.scatter(xi[decided], yi[decided], c=table["diff"][decided], cmap="coolwarm", norm=norm, s=420, marker="s")
    ax.scatter(xi[~decided], yi[~decided], facecolors="none", edgecolors="0.6", s=420, marker="s", hatch="///")
    for i in np.where(decided)[0]:
        ax.annotate("+" if table["diff"].iloc[i] > 0 else "−", (xi.iloc[i], yi.iloc[i]), ha="center", va="center",
                    fontsize=12, weight="bold")
    ax.set_xticks(range(len(xs)), [f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in xs])
    ax.set_yticks(range(len(ys)), [f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in ys])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if regime is None:
        what = metric + "".join(f", {k}={v}" for k, v in (where or {}).items())
    else:
        name_a = ", ".join(f"{k}={v}" for k, v in regime.items())
        name_b = ", ".join(f"{k}={v}" for k, v in baseline.items())
        what = f"{metric}: ({name_a}) − ({name_b})"
    ax.set_title(f"{what}\n+ higher, − lower, hatched undecided · {criterion}", fontsize=9)
    fig.colorbar(sc, ax=ax, label=f"mean difference in {metric}")
    fig.comparison = table
    return fig
