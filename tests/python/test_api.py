"""The Python API: round trips, errors, shapes, equality with the CLI's files, the GIL,
and Ctrl-C during a sweep."""
from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

import marketsim as ms
from marketsim import _core


SPEC = """\
scenario = "boltzmann_wealth"
replications = 3
seed = 9
[fixed]
agents = 400
rounds = 40
[axes]
rule = ["unit", "random_split"]
saving = [0.0, 0.5]
"""


def test_scenarios_and_describe():
    assert "boltzmann_wealth" in ms.scenarios()
    d = ms.describe("boltzmann_wealth")
    assert list(d.columns) == ["kind", "name", "type", "default", "min", "max", "choices", "unit", "doc"]
    params = d[d.kind == "parameter"].set_index("name")
    assert params.loc["agents", "default"] == 1000 and params.loc["agents", "type"] == "int"
    assert params.loc["rule", "choices"] == ["random_split", "unit"]
    assert set(d[d.kind == "scalar"].name) == {"gini", "mean", "max", "top1_share", "money_drift"}
    assert d.attrs["scenario"] == "boltzmann_wealth"


def test_run_shapes_params_and_pandas():
    r = ms.run("boltzmann_wealth", seed=5, rounds=60, agents=300, record_every=20)
    assert isinstance(r, ms.RunResult)
    assert set(r.scalars) == {"gini", "mean", "max", "top1_share", "money_drift"}
    assert r.series["gini_t"].shape == (60 // 20 + 1,) and r.series["gini_t"].dtype == np.float64
    assert r.vectors["wealth_histogram"].shape == (40,)
    assert list(r.rounds) == [0, 20, 40, 60]
    assert r.params["agents"] == 300 and r.params["rule"] == "random_split" and r.params["rounds"] == 60
    assert r.scalars["money_drift"] == 0.0
    # No element-wise copy: numpy views memory owned by the engine's result.
    assert not r.series["gini_t"].flags["OWNDATA"]
    df = r.to_pandas()
    assert df.index.name == "round" and list(df.index) == [0, 20, 40, 60]
    assert df.attrs["scalars"]["gini"] == r.scalars["gini"]
    again = ms.run("boltzmann_wealth", seed=5, rounds=60, agents=300, record_every=20)
    assert again.scalars == r.scalars and np.array_equal(again.series["gini_t"], r.series["gini_t"])


def test_run_matches_the_cli(cli):
    out = cli.ok("run", "boltzmann_wealth", "--seed", "77", "--set", "agents=500", "--set", "rounds=30").stdout
    gini_line = next(line for line in out.splitlines() if line.startswith("gini "))
    r = ms.run("boltzmann_wealth", seed=77, agents=500, rounds=30)
    assert float(gini_line.split()[1]) == pytest.approx(r.scalars["gini"], abs=5e-5)


def test_errors_are_marketsim_errors_with_suggestions():
    with pytest.raises(ms.Error, match=r"unknown parameter 'agnets' \(did you mean 'agents'\?\)") as e:
        ms.run("boltzmann_wealth", agnets=10)
    assert isinstance(e.value, ValueError)
    with pytest.raises(ms.Error, match=r"'saving' = 2.0 is out of range \[0, 0.99\]"):
        ms.run("boltzmann_wealth", saving=2.0)
    with pytest.raises(ms.Error, match="expects an integer"):
        ms.run("boltzmann_wealth", agents="many")
    with pytest.raises(ms.Error, match=r"unknown scenario 'boltzman_wealth' \(did you mean 'boltzmann_wealth'\?\)"):
        ms.describe("boltzman_wealth")
    with pytest.raises(ms.Error, match=r"grid\['saving'\] is empty"):
        ms.sweep("boltzmann_wealth", grid={"saving": []}, progress=False)
    with pytest.raises(ms.Error, match="a single value belongs in fixed"):
        ms.sweep("boltzmann_wealth", grid={"saving": 0.5}, progress=False)
    with pytest.raises(ms.Error, match=r"unknown parameter 'savings' \(did you mean 'saving'\?\)"):
        ms.sweep("boltzmann_wealth", grid={"savings": [0.1]}, progress=False)


def test_sweep_table_and_file_equal_the_cli(cli, tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    cli_file, py_file, kw_file = tmp_path / "cli.h5", tmp_path / "py.h5", tmp_path / "kw.h5"
    cli.ok("sweep", spec, "--out", cli_file)
    df = ms.sweep(spec=spec, out=py_file, progress=False)
    assert _core.diff(str(cli_file), str(py_file)) == []
    # The same sweep given as keywords writes the same content too.
    df_kw = ms.sweep("boltzmann_wealth", grid={"rule": ["unit", "random_split"], "saving": [0.0, 0.5]},
                     fixed={"agents": 400, "rounds": 40}, replications=3, seed=9, out=kw_file, progress=False)
    assert _core.diff(str(cli_file), str(kw_file)) == []
    pd.testing.assert_frame_equal(df, df_kw)
    # One row per run; the table equals the one read back from the file.
    assert len(df) == 12
    assert list(df.columns[:4]) == ["rule", "saving", "replication", "seed"]
    loaded = ms.load_runs(cli_file)
    pd.testing.assert_frame_equal(df.reset_index(drop=True), loaded[df.columns].reset_index(drop=True),
                                  check_dtype=False)
    ds = ms.load(cli_file)
    assert ds["gini"].dims == ("rule", "saving", "replication")
    ds.close()


def test_sampled_sweep_table():
    df = ms.sweep("boltzmann_wealth", sample={"method": "latin_hypercube", "count": 6, "ranges": {"saving": (0.0, 0.9)}},
                  fixed={"agents": 200, "rounds": 10}, replications=2, progress=False)
    assert list(df.columns[:4]) == ["point", "saving", "replication", "seed"]
    assert len(df) == 12 and df.saving.between(0, 0.9).all()


def _long_sweep(out, rounds_override=40, **kw):
    return ms.sweep("boltzmann_wealth", grid={"saving": [0.0, 0.25, 0.5, 0.75]},
                    fixed={"agents": 20000, "rounds": rounds_override}, replications=8, seed=3, out=out,
                    progress=False, **kw)


def test_gil_is_released_during_a_sweep(tmp_path):
    ticks = 0
    running = True

    def count():
        nonlocal ticks
        while running:
            ticks += 1
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    start = time.monotonic()
    try:
        _long_sweep(None, rounds_override=200)  # about 1.5 s: long enough to see a frozen thread
    finally:
        running = False
        t.join()
    elapsed = time.monotonic() - start
    # The Python thread kept running for most of the sweep (a held GIL would freeze it).
    assert elapsed > 0.3
    assert ticks > 0.3 * elapsed / 0.0015


def test_ctrl_c_leaves_a_resumable_sweep(tmp_path):
    full, out = tmp_path / "full.h5", tmp_path / "out.h5"
    journal = tmp_path / "out.h5.journal"
    _long_sweep(full, rounds_override=120)
    watching = True

    def interrupt_once_runs_are_saved():
        # Ctrl-C as soon as the journal holds a completed run (it starts as a 28-byte header).
        while watching:
            if journal.exists() and journal.stat().st_size > 28:
                os.kill(os.getpid(), signal.SIGINT)
                return
            time.sleep(0.005)

    watcher = threading.Thread(target=interrupt_once_runs_are_saved)
    watcher.start()
    try:
        with pytest.raises(KeyboardInterrupt) as e:
            _long_sweep(out, rounds_override=120)
    finally:
        watching = False
        watcher.join()
    assert any("resume=True" in note for note in getattr(e.value, "__notes__", []))
    assert not out.exists() and not (tmp_path / "out.h5.part").exists()
    assert journal.exists() and journal.stat().st_size > 28  # the finished runs were kept
    df = _long_sweep(out, rounds_override=120, resume=True)
    assert len(df) == 32 and not journal.exists()
    assert _core.diff(str(full), str(out)) == []


def test_seed_and_spec_arguments_are_checked(tmp_path):
    with pytest.raises(ms.Error, match=r"seed = -1 must be an integer from 0 to 2\*\*64 - 1"):
        ms.run("boltzmann_wealth", seed=-1)
    with pytest.raises(ms.Error, match=r"seed = 9223372036854775808 must be an integer from 0 to 2\*\*63 - 1"):
        ms.sweep("boltzmann_wealth", seed=2**63, progress=False)
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    with pytest.raises(ms.Error, match="spec= .* sets the whole sweep; do not also pass replications, seed"):
        ms.sweep(spec=spec, replications=5, seed=1, progress=False)
    with pytest.raises(ms.Error, match="nothing to resume"):
        ms.sweep("boltzmann_wealth", fixed={"agents": 50, "rounds": 2}, out=tmp_path / "x.h5", resume=True,
                 progress=False)
