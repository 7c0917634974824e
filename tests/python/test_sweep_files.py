"""Sweep output files: determinism across thread counts, crash/interrupt safety with the
journal and --resume, the xarray-facing layout, and seeding."""
from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

from conftest import (assert_diff_identical, assert_h5_bitwise_equal, assert_single_error_line,
                      parse_saved_runs, strata_of, write_spec)

JOURNAL_HEADER_BYTES = 28

# About 3 s on 2 cores: 48 runs, each long enough that a kill lands mid-sweep.
LONG_SPEC = """
scenario = "boltzmann_wealth"
replications = 8
seed = 11

[fixed]
agents = 10000
rounds = 300
record_every = 20

[axes]
saving = [0.0, 0.15, 0.3, 0.45, 0.6, 0.75]
"""
LONG_RUNS = 48


def journal_of(out: Path) -> Path:
    return Path(str(out) + ".journal")


def part_of(out: Path) -> Path:
    return Path(str(out) + ".part")


def open_ds(path):
    return xr.open_dataset(path, engine="h5netcdf")


@pytest.fixture(scope="module")
def long_spec(tmp_path_factory):
    d = tmp_path_factory.mktemp("long_spec")
    return write_spec(d / "long.toml", LONG_SPEC)


@pytest.fixture(scope="module")
def long_reference(cli, long_spec, tmp_path_factory):
    """An uninterrupted run of LONG_SPEC."""
    out = tmp_path_factory.mktemp("long_ref") / "ref.h5"
    cli.ok("sweep", long_spec, "--out", out, "--threads", "2", timeout=120)
    assert out.exists() and not journal_of(out).exists() and not part_of(out).exists()
    return out


def start_until_journal_grows(cli, spec: Path, out: Path, timeout: float = 60):
    """Starts a sweep and returns (process, journal size) once some runs are saved."""
    proc = cli.popen("sweep", spec, "--out", out, "--threads", "2")
    journal = journal_of(out)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                o, e = proc.communicate()
                pytest.fail(f"sweep ended (rc {proc.returncode}) before it could be interrupted; "
                            f"make the spec larger\nstdout:{o}\nstderr:{e}")
            size = journal.stat().st_size if journal.exists() else 0
            if size > JOURNAL_HEADER_BYTES:
                return proc, size
            time.sleep(0.01)
    except BaseException:
        proc.kill()
        proc.communicate()
        raise
    proc.kill()
    proc.communicate()
    pytest.fail("journal never grew beyond its header")


def kill9_midway(cli, spec: Path, out: Path) -> None:
    proc, _ = start_until_journal_grows(cli, spec, out)
    assert proc.poll() is None, "sweep finished before the kill"
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists(), "final output must not exist after a crash"
    assert journal_of(out).exists()
    assert journal_of(out).stat().st_size > JOURNAL_HEADER_BYTES


# --------------------------------------------------------------------------- determinism

SMALL_GRID = """
scenario = "boltzmann_wealth"
replications = 3
seed = 99

[fixed]
agents = 300
rounds = 50
record_every = 5

[axes]
rule = ["random_split", "unit"]
saving = [0.0, 0.3, 0.6]
"""

# Large enough that the matching schedule's parallel pair loop and the blocked parallel
# shuffle actually split work inside a run.
MATCHING_GRID = """
scenario = "boltzmann_wealth"
replications = 1
seed = 5

[fixed]
agents = 100000
rounds = 6
record_every = 2

[axes]
schedule = ["matching", "sequential"]
rule = ["random_split", "unit"]
"""


@pytest.mark.parametrize("spec_text", [SMALL_GRID, MATCHING_GRID], ids=["sequential-grid", "matching-100k"])
def test_threads_1_and_2_give_identical_files(cli, tmp_path, spec_text):
    spec = write_spec(tmp_path / "spec.toml", spec_text)
    a, b = tmp_path / "t1.h5", tmp_path / "t2.h5"
    cli.ok("sweep", spec, "--out", a, "--threads", "1")
    cli.ok("sweep", spec, "--out", b, "--threads", "2")
    assert_diff_identical(cli, a, b)
    assert_h5_bitwise_equal(a, b)
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        assert int(fa.attrs["threads"]) == 1 and int(fb.attrs["threads"]) == 2


def test_diff_reports_differences(cli, tmp_path):
    spec_a = write_spec(tmp_path / "a.toml", SMALL_GRID)
    spec_b = write_spec(tmp_path / "b.toml", SMALL_GRID.replace("seed = 99", "seed = 100"))
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    cli.ok("sweep", spec_a, "--out", a)
    cli.ok("sweep", spec_b, "--out", b)
    proc = cli("diff", a, b)
    assert proc.returncode == 1
    assert "identical content" not in proc.stdout
    assert "gini" in proc.stdout


# --------------------------------------------------------------------------- kill -9 / resume


def test_kill9_then_resume_equals_uninterrupted(cli, long_spec, long_reference, tmp_path):
    out = tmp_path / "out.h5"
    kill9_midway(cli, long_spec, out)
    proc = cli.ok("sweep", long_spec, "--out", out, "--resume", "--threads", "2", timeout=120)
    m = re.search(r"(\d+) resumed from the journal", proc.stdout)
    assert m, f"resumed run does not mention the journal:\n{proc.stdout}"
    assert 1 <= int(m.group(1)) < LONG_RUNS
    assert out.exists()
    assert not journal_of(out).exists(), "journal should be deleted after completion"
    assert not part_of(out).exists()
    assert_diff_identical(cli, out, long_reference)
    assert_h5_bitwise_equal(out, long_reference)


def _append_garbage(j: Path):
    with open(j, "ab") as f:
        f.write(b"\xde\xad\xbe\xef garbage \x00\xff" * 3)


def _truncate_tail(j: Path):
    size = j.stat().st_size
    assert size - 7 > JOURNAL_HEADER_BYTES
    os.truncate(j, size - 7)


def _flip_last_byte(j: Path):
    data = bytearray(j.read_bytes())
    data[-1] ^= 0xFF
    j.write_bytes(bytes(data))


def _append_huge_length(j: Path):
    # a record header claiming an enormous payload, followed by nothing
    with open(j, "ab") as f:
        f.write((0xFFFFFFF0).to_bytes(4, "little") + b"\x00\x00\x00\x00" + b"\x01" * 5)


@pytest.mark.parametrize("damage", [_append_garbage, _truncate_tail, _flip_last_byte, _append_huge_length],
                         ids=["append-garbage", "truncate-tail", "flip-last-byte", "huge-length"])
def test_resume_after_damaged_journal_tail(cli, long_spec, long_reference, tmp_path, damage):
    out = tmp_path / "out.h5"
    kill9_midway(cli, long_spec, out)
    damage(journal_of(out))
    proc = cli("sweep", long_spec, "--out", out, "--resume", "--threads", "2", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and not journal_of(out).exists() and not part_of(out).exists()
    assert_diff_identical(cli, out, long_reference)
    assert_h5_bitwise_equal(out, long_reference)


# --------------------------------------------------------------------------- SIGINT / SIGTERM


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_keeps_journal_and_resume_completes(cli, long_spec, long_reference, tmp_path, sig):
    out = tmp_path / "out.h5"
    proc, _ = start_until_journal_grows(cli, long_spec, out)
    assert proc.poll() is None
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, f"rc {proc.returncode}\nstderr:{stderr}"
    saved = parse_saved_runs(stderr)
    assert saved, f"stderr does not say how many runs were saved: {stderr!r}"
    n_saved, n_total = saved
    assert n_total == LONG_RUNS and 1 <= n_saved <= LONG_RUNS
    assert "--resume" in stderr
    assert "Traceback" not in stderr and "terminate called" not in stderr
    assert journal_of(out).exists(), "journal must be kept"
    assert not out.exists()
    assert not part_of(out).exists(), ".part must be removed on interrupt"

    done = cli.ok("sweep", long_spec, "--out", out, "--resume", "--threads", "2", timeout=120)
    m = re.search(r"(\d+) resumed from the journal", done.stdout)
    assert m and int(m.group(1)) == n_saved, f"expected {n_saved} resumed runs:\n{done.stdout}"
    assert not journal_of(out).exists() and not part_of(out).exists()
    assert_diff_identical(cli, out, long_reference)
    assert_h5_bitwise_equal(out, long_reference)


# --------------------------------------------------------------------------- journal refusals


def test_existing_journal_requires_resume_and_matching_spec(cli, long_spec, tmp_path):
    out = tmp_path / "out.h5"
    kill9_midway(cli, long_spec, out)
    journal = journal_of(out)
    before = journal.read_bytes()

    proc = cli("sweep", long_spec, "--out", out)
    assert_single_error_line(proc, "journal", "--resume")
    assert journal.read_bytes() == before, "refusal must leave the journal untouched"
    assert not out.exists()

    other = write_spec(tmp_path / "other.toml", LONG_SPEC.replace("seed = 11", "seed = 12"))
    proc = cli("sweep", other, "--out", out, "--resume")
    assert_single_error_line(proc, "different sweep")
    assert journal.read_bytes() == before, "refusal must leave the journal untouched"
    assert not out.exists()


# --------------------------------------------------------------------------- xarray layout

GRID = """
scenario = "boltzmann_wealth"
replications = 3
seed = 2026
seeding = "common"

[fixed]
agents = 300
initial_money = 10
rounds = 50
record_every = 10

[axes]
rule = ["random_split", "unit"]
saving = [0.0, 0.25, 0.5]
"""


@pytest.fixture(scope="module")
def grid_file(cli, tmp_path_factory):
    d = tmp_path_factory.mktemp("grid")
    spec = write_spec(d / "grid.toml", GRID)
    out = d / "grid.h5"
    cli.ok("sweep", spec, "--out", out)
    return out


def test_grid_opens_with_labelled_dims_and_coords(grid_file):
    with open_ds(grid_file) as ds:
        for name in ["gini", "mean", "max", "top1_share", "money_drift", "seed", "done"]:
            assert ds[name].dims == ("rule", "saving", "replication"), (name, ds[name].dims)
        assert ds["gini_t"].dims == ("rule", "saving", "replication", "round")
        assert ds["wealth_histogram"].dims == ("rule", "saving", "replication", "wealth_bin")
        rules = [r.decode() if isinstance(r, bytes) else str(r) for r in ds["rule"].values]
        assert rules == ["random_split", "unit"]
        assert ds["saving"].values.tolist() == [0.0, 0.25, 0.5]
        assert ds["replication"].values.tolist() == [0, 1, 2]

        assert ds["done"].dtype == np.int8
        assert (ds["done"].values == 1).all()
        assert (ds["money_drift"].values == 0.0).all(), ds["money_drift"].values
        np.testing.assert_allclose(ds["mean"].values, 10.0, rtol=0, atol=1e-9)

        assert ds["round"].values.tolist() == list(range(0, 51, 10))
        gt = ds["gini_t"].values
        assert np.isfinite(gt).all()
        # the last sample is taken at the final round: it is the final Gini
        assert np.array_equal(gt[..., -1], ds["gini"].values)

        hist = ds["wealth_histogram"].values
        np.testing.assert_allclose(hist.sum(axis=-1), 1.0, atol=1e-9)


def test_rounds_axis_pads_shorter_series_with_nan(cli, tmp_path):
    spec = write_spec(tmp_path / "r.toml", """
    scenario = "boltzmann_wealth"
    replications = 2
    seed = 3
    [fixed]
    agents = 300
    record_every = 10
    [axes]
    rounds = [20, 50]
    """)
    out = tmp_path / "r.h5"
    cli.ok("sweep", spec, "--out", out)
    with open_ds(out) as ds:
        assert ds["rounds"].values.tolist() == [20, 50]
        assert ds["gini_t"].dims == ("rounds", "replication", "round")
        assert ds["round"].values.tolist() == [0, 10, 20, 30, 40, 50]
        short = ds["gini_t"].sel(rounds=20).values
        long = ds["gini_t"].sel(rounds=50).values
        assert np.isfinite(short[:, :3]).all()
        assert np.isnan(short[:, 3:]).all(), short
        assert np.isfinite(long).all()
        assert np.array_equal(short[:, 2], ds["gini"].sel(rounds=20).values)
        assert (ds["done"].values == 1).all()


@pytest.mark.parametrize("count", [10, 7])
def test_latin_hypercube_point_dim_and_strata(cli, tmp_path, count):
    lo, hi = 0.0, 0.9
    spec = write_spec(tmp_path / "lhs.toml", f"""
    scenario = "boltzmann_wealth"
    replications = 2
    seed = 3
    [fixed]
    agents = 300
    rounds = 50
    [sample]
    method = "latin_hypercube"
    count = {count}
    ranges = {{ saving = [{lo}, {hi}] }}
    """)
    out = tmp_path / "lhs.h5"
    cli.ok("sweep", spec, "--out", out)
    with open_ds(out) as ds:
        assert ds["gini"].dims == ("point", "replication")
        assert ds["point"].values.tolist() == list(range(count))
        assert "saving" in ds.coords
        assert ds["saving"].dims == ("point",)
        vals = np.sort(ds["saving"].values)
        assert ((vals >= lo) & (vals <= hi)).all(), vals
        assert sorted(strata_of(vals, lo, hi, count)) == list(range(count)), vals
        assert (ds["done"].values == 1).all()


# --------------------------------------------------------------------------- seeding


def test_common_seeds_shared_across_points(grid_file):
    with h5py.File(grid_file, "r") as f:
        seeds = f["seed"][...]
        gini = f["gini"][...]
    n_rule, n_saving, n_rep = seeds.shape
    per_rep = seeds.reshape(-1, n_rep)
    assert (per_rep == per_rep[0]).all(), seeds
    assert len(set(per_rep[0].tolist())) == n_rep, "replications must get different seeds"
    # under `unit` saving is unused: with common random numbers the runs coincide exactly
    assert np.array_equal(gini[1, 0], gini[1, 1]) and np.array_equal(gini[1, 0], gini[1, 2])


def test_independent_seeds_differ_across_points(cli, tmp_path):
    spec = write_spec(tmp_path / "ind.toml", GRID.replace('seeding = "common"', 'seeding = "independent"'))
    out = tmp_path / "ind.h5"
    cli.ok("sweep", spec, "--out", out)
    with h5py.File(out, "r") as f:
        assert f.attrs["seeding"] in ("independent", b"independent")
        seeds = f["seed"][...]
        gini = f["gini"][...]
    per_rep = seeds.reshape(-1, seeds.shape[-1])
    for r in range(per_rep.shape[1]):
        assert len(set(per_rep[:, r].tolist())) == per_rep.shape[0], f"replication {r}: {per_rep[:, r]}"
    assert len(set(seeds.ravel().tolist())) == seeds.size
    assert not np.array_equal(gini[1, 0], gini[1, 1])
