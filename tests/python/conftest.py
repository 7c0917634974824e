"""Shared fixtures and helpers for the marketsim CLI integration tests.

Run with:
    MARKETSIM_BIN=build/marketsim /usr/bin/python3 -m pytest -q tests/python

Nothing here depends on the current working directory: a relative MARKETSIM_BIN is
resolved against the working directory first and then against the repository root, and
every command is run with absolute paths inside pytest's tmp_path.
"""
from __future__ import annotations

import os
import re
import subprocess
import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / "build" / "marketsim"

ERROR_PREFIX = "marketsim: error: "

# Attributes that record how/where a file was made rather than what it contains.
PROVENANCE_ATTRS = {"created", "host", "threads", "ranks", "command", "hdf5_version"}

# Things that must never show up in a user-facing error.
CRASH_MARKERS = ("Traceback", "terminate called", "what():", "Segmentation", "Aborted", "core dumped")


def _resolve_binary() -> Path:
    raw = os.environ.get("MARKETSIM_BIN")
    if not raw:
        return DEFAULT_BIN
    p = Path(raw)
    if p.is_absolute():
        return p
    for base in (Path.cwd(), REPO_ROOT):
        cand = (base / p).resolve()
        if cand.exists():
            return cand
    return (Path.cwd() / p).resolve()


@pytest.fixture(scope="session")
def marketsim_bin() -> Path:
    """Absolute path of the marketsim executable (env MARKETSIM_BIN, default build/marketsim)."""
    b = _resolve_binary()
    if not (b.is_file() and os.access(b, os.X_OK)):
        pytest.fail(f"marketsim binary not found or not executable: {b} (set MARKETSIM_BIN)")
    return b


class Cli:
    """Runs the marketsim CLI with a timeout and captured text output."""

    def __init__(self, binary: Path):
        self.binary = Path(binary)

    def __call__(self, *args, timeout: float = 60, cwd=None, check: bool | None = None) -> subprocess.CompletedProcess:
        cmd = [str(self.binary), *[str(a) for a in args]]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd)
        if check is True and proc.returncode != 0:
            raise AssertionError(
                f"command failed ({proc.returncode}): {' '.join(cmd)}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        return proc

    def ok(self, *args, **kw) -> subprocess.CompletedProcess:
        return self(*args, check=True, **kw)

    def popen(self, *args, cwd=None) -> subprocess.Popen:
        cmd = [str(self.binary), *[str(a) for a in args]]
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)


@pytest.fixture(scope="session")
def cli(marketsim_bin) -> Cli:
    return Cli(marketsim_bin)


def write_spec(path: Path, text: str) -> Path:
    """Writes a (dedented) TOML sweep spec and returns its path."""
    path = Path(path)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def assert_single_error_line(proc: subprocess.CompletedProcess, *needles: str) -> str:
    """Exit status 2, exactly one stderr line starting 'marketsim: error: ', containing
    each needle, and no sign of a crash. Returns the message line."""
    assert proc.returncode == 2, f"exit status {proc.returncode}, stderr: {proc.stderr!r}"
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, f"expected exactly one stderr line, got {len(lines)}: {proc.stderr!r}"
    msg = lines[0]
    assert msg.startswith(ERROR_PREFIX), msg
    for marker in CRASH_MARKERS:
        assert marker not in proc.stderr and marker not in proc.stdout, proc.stderr
    for n in needles:
        assert n in msg, f"{n!r} not in {msg!r}"
    return msg


def assert_no_outputs(out: Path) -> None:
    """Neither the output nor its temporary/journal companions exist."""
    out = Path(out)
    for p in (out, Path(str(out) + ".part"), Path(str(out) + ".journal")):
        assert not p.exists(), f"{p} should not exist"


def assert_diff_identical(cli: Cli, a: Path, b: Path) -> None:
    proc = cli("diff", a, b)
    assert proc.returncode == 0, f"diff exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "identical content" in proc.stdout, proc.stdout


def _datasets(f: h5py.File) -> dict[str, h5py.Dataset]:
    found = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            found[name] = obj

    f.visititems(visit)
    return found


def _attr_equal(x, y) -> bool:
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        x, y = np.asarray(x), np.asarray(y)
        if x.dtype.kind in "fc" and y.dtype.kind in "fc":
            return x.shape == y.shape and np.array_equal(x, y, equal_nan=True)
        return x.shape == y.shape and x.tolist() == y.tolist()
    return x == y


def assert_h5_bitwise_equal(a: Path, b: Path, ignore_attrs=PROVENANCE_ATTRS) -> None:
    """Independent of `marketsim diff`: every dataset has the same dtype, shape and bytes
    (NaN-aware), and all non-provenance attributes agree."""
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        da, db = _datasets(fa), _datasets(fb)
        assert sorted(da) == sorted(db), f"dataset names differ: {sorted(da)} vs {sorted(db)}"
        assert da, "no datasets found"
        for name in sorted(da):
            x, y = da[name], db[name]
            assert x.dtype == y.dtype, f"{name}: dtype {x.dtype} vs {y.dtype}"
            assert x.shape == y.shape, f"{name}: shape {x.shape} vs {y.shape}"
            xv, yv = x[()], y[()]
            if x.dtype.kind == "O" or h5py.check_string_dtype(x.dtype) is not None:
                assert np.asarray(xv).tolist() == np.asarray(yv).tolist(), f"{name}: string values differ"
                continue
            xa, ya = np.asarray(xv), np.asarray(yv)
            if xa.dtype.kind in "fc":
                assert np.array_equal(xa, ya, equal_nan=True), f"{name}: values differ"
                # same NaN pattern and same bits everywhere
                assert np.array_equal(np.isnan(xa), np.isnan(ya)), f"{name}: NaN pattern differs"
            assert xa.tobytes() == ya.tobytes(), f"{name}: raw bytes differ"
            # dataset-level attributes (units, dimension labels...) except references
            for k in set(x.attrs) | set(y.attrs):
                if k in ("DIMENSION_LIST", "REFERENCE_LIST"):
                    continue
                assert k in x.attrs and k in y.attrs, f"{name}: attribute {k} only in one file"
                assert _attr_equal(x.attrs[k], y.attrs[k]), f"{name}: attribute {k} differs"
        ka = set(fa.attrs) - set(ignore_attrs)
        kb = set(fb.attrs) - set(ignore_attrs)
        assert ka == kb, f"root attribute names differ: {sorted(ka ^ kb)}"
        for k in sorted(ka):
            assert _attr_equal(fa.attrs[k], fb.attrs[k]), f"root attribute {k} differs"


def strata_of(values, lo: float, hi: float, count: int) -> list[int]:
    """Index of the equal-width stratum of [lo, hi] that each value falls into."""
    width = (hi - lo) / count
    return [min(int((v - lo) // width), count - 1) for v in values]


def parse_saved_runs(stderr: str):
    """'N of M runs are saved' -> (N, M)."""
    m = re.search(r"(\d+) of (\d+) runs", stderr)
    return (int(m.group(1)), int(m.group(2))) if m else None
