"""The public API over the compiled engine."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from . import _core

Value = Any  # bool | int | float | str


def scenarios() -> list[str]:
    """Names of the registered scenarios (built in, and plugins on MARKETSIM_PLUGIN_PATH)."""
    return list(_core.scenarios())


def describe(name: str) -> pd.DataFrame:
    """A scenario's parameters and declared outputs, one row each.

    Columns: ``kind`` ("parameter", "scalar", "series" or "vector"), ``name``, ``type``,
    ``default``, ``min``, ``max``, ``choices``, ``unit``, ``doc``. The scenario's summary,
    story and cross-parameter checks are in ``df.attrs``.
    """
    d = _core.describe(name)
    rows = []
    for p in d["params"]:
        rows.append({"kind": "parameter", "name": p["name"], "type": p["type"], "default": p["default"],
                     "min": p["min"], "max": p["max"], "choices": p["choices"] or None,
                     "unit": p["unit"], "doc": p["doc"]})
    for o in d["outputs"]:
        rows.append({"kind": o["kind"], "name": o["name"], "type": "real", "default": None, "min": None,
                     "max": None, "choices": None, "unit": o["unit"],
                     "doc": o["doc"] + (f" (along {o['dim']})" if o["kind"] == "vector" else "")})
    df = pd.DataFrame(rows)
    df.attrs.update(scenario=d["name"], summary=d["summary"], story=d["story"], checks=list(d["checks"]))
    return df


@dataclass
class RunResult:
    """The outcome of one run.

    ``scalars``: outcome name -> float. ``series``: name -> numpy array sampled at
    ``rounds``. ``vectors``: other per-run arrays (e.g. histograms). ``params``: the full,
    validated parameter set. ``seed``: the run's seed.
    """

    scenario: str
    seed: int
    params: dict[str, Value]
    scalars: dict[str, float]
    series: dict[str, np.ndarray]
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    rounds: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def to_pandas(self) -> pd.DataFrame:
        """The per-round series as a DataFrame indexed by round; scalars in ``df.attrs``."""
        df = pd.DataFrame(self.series, index=pd.Index(self.rounds, name="round"))
        df.attrs.update(scenario=self.scenario, seed=self.seed, scalars=dict(self.scalars), params=dict(self.params))
        return df

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.scalars.items())
        return f"RunResult({self.scenario}, seed={self.seed}: {shown})"


def run(name: str, seed: int = 0, rounds: Optional[int] = None, **params: Value) -> RunResult:
    """Run scenario ``name`` once with the given parameters (keywords) and seed.

    Parameters are validated first: a wrong keyword raises :class:`marketsim.Error` naming
    the nearest valid one. The engine releases the GIL while it runs; Ctrl-C stops it.
    """
    if rounds is not None:
        params["rounds"] = rounds
    seed = int(seed)
    if not 0 <= seed < 2**64:
        raise _core.Error(f"run(): seed = {seed} must be an integer from 0 to 2**64 - 1")
    r = _core.run(name, seed, dict(params))
    return RunResult(scenario=r["scenario"], seed=r["seed"], params=dict(r["params"]), scalars=dict(r["scalars"]),
                     series=dict(r["series"]), vectors=dict(r["vectors"]), rounds=r["rounds"])


def sweep(
    name: Optional[str] = None,
    grid: Optional[Mapping[str, Sequence[Value]]] = None,
    fixed: Optional[Mapping[str, Value]] = None,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    out: Optional[str | os.PathLike] = None,
    threads: Optional[int] = None,
    progress: bool = True,
    *,
    seeding: Optional[str] = None,
    sample: Optional[Mapping[str, Any]] = None,
    spec: Optional[str | os.PathLike] = None,
    resume: bool = False,
) -> pd.DataFrame:
    """Run a parameter sweep; one row per completed run.

    Lists in ``grid`` are crossed (in the order given); values in ``fixed`` are held; an
    empty list raises. ``sample={"method": "latin_hypercube", "count": 50, "ranges":
    {"saving": (0.0, 0.9)}}`` draws points instead of a grid. ``replications`` defaults to
    1 and ``seed`` (the base seed, 0 to 2**63 - 1) to 0. ``spec="file.toml"`` runs a
    sweep spec file, exactly as ``marketsim sweep`` does (its replications, seed and
    seeding come from the file). With ``out``, the HDF5 file is written (identical in
    content to the CLI's for the same spec).

    By default (``seeding="common"``) every point of a replication shares its seed, so
    regimes are compared on the same random draws; ``"independent"`` varies it by point.

    The work runs on C++ threads (all cores unless ``threads``) with the GIL released and
    a tqdm progress bar. Ctrl-C stops the sweep: finished runs stay in ``<out>.journal``
    and ``sweep(..., resume=True)`` completes it.

    Returns a DataFrame with the sweep coordinates, ``replication``, ``seed`` and every
    scalar outcome.
    """
    if spec is not None:
        given = [k for k, v in dict(name=name, grid=grid, fixed=fixed, sample=sample, replications=replications,
                                    seed=seed, seeding=seeding).items() if v is not None]
        if given:
            raise _core.Error(f"sweep(): spec= (a TOML file) sets the whole sweep; do not also pass {', '.join(given)}")
        plan = _core.Plan.from_file(os.fspath(spec))
    else:
        if name is None:
            raise _core.Error("sweep(): name the scenario, e.g. sweep('boltzmann_wealth', grid={...})")
        seed = 0 if seed is None else int(seed)
        if not 0 <= seed < 2**63:
            raise _core.Error(f"sweep(): seed = {seed} must be an integer from 0 to 2**63 - 1")
        plan = _core.Plan.from_args(name, dict(grid or {}), dict(fixed or {}), None if sample is None else dict(sample),
                                    1 if replications is None else int(replications), seed, seeding or "common")
    out_path = "" if out is None else os.fspath(out)
    if resume and not out_path:
        raise _core.Error("sweep(): resume=True needs out= (the journal lives beside the output file)")

    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=plan.n_tasks, unit="run", desc=plan.scenario)

    def report(done: int, total: int) -> None:
        if bar is not None and done != bar.n:
            bar.n = done
            bar.refresh()

    try:
        result = _core.run_plan(plan, out_path, int(threads or 0), bool(resume), report if bar is not None else None)
    except KeyboardInterrupt as e:
        if out_path:
            e.add_note(f"marketsim: finished runs are saved in {_core.journal_path(out_path)}; "
                       "call sweep(..., resume=True) to finish")
        raise
    finally:
        if bar is not None:
            bar.close()
    return _runs_table(plan, result["scalars"], result["done"])


def _runs_table(plan, scalars: np.ndarray, done: np.ndarray) -> pd.DataFrame:
    reps = plan.replications
    point = np.repeat(np.arange(plan.n_points), reps)
    columns: dict[str, Any] = {}
    if plan.dims == ["point"]:
        columns["point"] = point
    for coord, values in plan.point_coords().items():
        columns[coord] = np.asarray(values, dtype=object if isinstance(values[0], str) else None)[point]
    columns["replication"] = np.tile(np.arange(reps), plan.n_points)
    columns["seed"] = plan.seeds
    for i, s in enumerate(plan.scalar_names):
        columns[s] = scalars[:, i]
    df = pd.DataFrame(columns)
    return df[done.astype(bool)].reset_index(drop=True)


def load(path: str | os.PathLike):
    """Open a sweep file as an ``xarray.Dataset`` (sweep axes, replication and round as
    labelled dimensions)."""
    import xarray as xr

    return xr.open_dataset(os.fspath(path), engine="h5netcdf")


def load_runs(path: str | os.PathLike) -> pd.DataFrame:
    """The per-run table of a sweep file: coordinates, replication, seed and every scalar
    outcome, for the completed runs (the same columns as :func:`sweep` returns)."""
    ds = load(path)
    try:
        run_dims = ds["done"].dims
        names = [v for v in ds.data_vars if ds[v].dims == run_dims and v not in ("done",)]
        df = ds[names + ["done"]].to_dataframe().reset_index()
        df = df[df["done"] == 1].drop(columns="done")
        first = [c for c in df.columns if c not in names] + ["seed"]
        ordered = first + [c for c in names if c != "seed"]
        return df[ordered].reset_index(drop=True)
    finally:
        ds.close()
