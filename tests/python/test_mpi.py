"""Sweeps across MPI ranks (docs/distributed.md): the same file as one process, resume
after a rank is killed, one clear error for bad use, and no MPI outside the CLI."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import h5py
import pytest

from conftest import REPO_ROOT, assert_diff_identical, assert_h5_bitwise_equal, write_spec

MPI_BUILD = os.environ.get("MARKETSIM_MPI", "OFF").upper() in ("1", "ON", "TRUE", "YES")
pytestmark = pytest.mark.skipif(not MPI_BUILD, reason="built without MPI (-DMARKETSIM_MPI=OFF)")

# Uneven task costs (rounds differ 10x), so dynamic assignment matters.
GRID = """
scenario = "boltzmann_wealth"
replications = 6
seed = 3
[fixed]
agents = 2000
record_every = 10
[axes]
rounds = [20, 200]
rule = ["random_split", "unit"]
saving = [0.0, 0.5]
"""

# About 6 s of work on 2 cores: long enough that a kill lands mid-sweep.
LONG = """
scenario = "boltzmann_wealth"
replications = 12
seed = 11
[fixed]
agents = 10000
rounds = 300
record_every = 20
[axes]
saving = [0.0, 0.15, 0.3, 0.45, 0.6, 0.75]
"""
LONG_RUNS = 72


def mpirun(binary: Path, ranks: int, *args) -> list[str]:
    launcher = shutil.which("mpirun")
    assert launcher, "MARKETSIM_MPI is on but mpirun is missing (scripts/setup.sh installs openmpi-bin)"
    cmd = [launcher, "-n", str(ranks), "--oversubscribe", "--bind-to", "none"]
    if os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    return cmd + [str(binary), *[str(a) for a in args]]


def run(cmd: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def marketsim_lines(stderr: str) -> list[str]:
    """Our lines on stderr (mpirun adds its own boxed report when a rank exits non-zero)."""
    return [line for line in stderr.splitlines() if line.startswith("marketsim")]


def test_two_ranks_write_the_single_process_file(cli, marketsim_bin, tmp_path):
    spec = write_spec(tmp_path / "grid.toml", GRID)
    single, spread = tmp_path / "single.h5", tmp_path / "mpi.h5"
    cli.ok("sweep", spec, "--out", single, "--threads", "2", timeout=120)
    proc = run(mpirun(marketsim_bin, 2, "sweep", spec, "--out", spread, "--threads", "1"))
    assert proc.returncode == 0, proc.stderr
    assert "48 runs" in proc.stdout and proc.stdout.count("wrote ") == 1, "only rank 0 reports"
    assert_diff_identical(cli, single, spread)
    assert_h5_bitwise_equal(single, spread)
    with h5py.File(spread) as f:
        assert int(f.attrs["ranks"]) == 2


def rank_pids(launcher_pid: int) -> dict[int, int]:
    """MPI rank -> pid of the ranks the launcher started (read from their environment)."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            env = (proc / "environ").read_bytes().split(b"\0")
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid != launcher_pid:
            continue
        for item in env:
            if item.startswith(b"OMPI_COMM_WORLD_RANK="):
                found[int(item.split(b"=", 1)[1])] = int(proc.name)
    return found


def test_three_ranks_one_killed_then_resumed_equals_uninterrupted(cli, marketsim_bin, tmp_path):
    spec = write_spec(tmp_path / "long.toml", LONG)
    reference, out = tmp_path / "ref.h5", tmp_path / "out.h5"
    cli.ok("sweep", spec, "--out", reference, "--threads", "2", timeout=180)
    journal = Path(str(out) + ".journal")
    job = subprocess.Popen(mpirun(marketsim_bin, 3, "sweep", spec, "--out", out, "--threads", "1"),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and job.poll() is None:
            if journal.exists() and journal.stat().st_size > 28 + 2000:  # some runs are saved
                break
            time.sleep(0.01)
        assert job.poll() is None, f"the sweep ended before the kill: {job.communicate()}"
        pids = rank_pids(job.pid)
        assert sorted(pids) == [0, 1, 2], pids
        os.kill(pids[1], signal.SIGKILL)  # a worker rank dies: Open MPI ends the whole job
        job.communicate(timeout=60)
    finally:
        if job.poll() is None:
            job.kill()
            job.communicate()
    assert job.returncode != 0
    assert not out.exists(), "no complete-looking file after the job died"
    assert journal.exists()

    proc = run(mpirun(marketsim_bin, 3, "sweep", spec, "--out", out, "--threads", "1", "--resume"), timeout=180)
    assert proc.returncode == 0, proc.stderr
    m = re.search(r"(\d+) resumed from the journal", proc.stdout)
    assert m and 1 <= int(m.group(1)) < LONG_RUNS, proc.stdout
    assert not journal.exists()
    assert_diff_identical(cli, out, reference)
    assert_h5_bitwise_equal(out, reference)


@pytest.mark.parametrize("case", ["bad-key", "missing-spec", "unwritable-out", "bad-option"])
def test_bad_use_ends_every_rank_with_one_message(marketsim_bin, tmp_path, case):
    spec = write_spec(tmp_path / "grid.toml", GRID)
    out = tmp_path / "out.h5"
    args = ["sweep", spec, "--out", out]
    expect = ""
    if case == "bad-key":
        spec = write_spec(tmp_path / "bad.toml", GRID.replace("agents = 2000", "agnets = 2000"))
        args, expect = ["sweep", spec, "--out", out], "did you mean 'agents'"
    elif case == "missing-spec":
        args, expect = ["sweep", tmp_path / "nope.toml", "--out", out], "cannot read"
    elif case == "unwritable-out":
        args, expect = ["sweep", spec, "--out", tmp_path / "no" / "such" / "out.h5"], "does not exist"
    else:
        args, expect = args + ["--thread", "2"], "--thread"
    proc = run(mpirun(marketsim_bin, 3, *args), timeout=60)  # a hang fails here
    assert proc.returncode != 0
    lines = marketsim_lines(proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("marketsim: error: ") and expect in lines[0], proc.stderr
    assert not out.exists() and not Path(str(out) + ".journal").exists()


def test_mpi_stays_out_of_the_library_and_python(marketsim_bin):
    build = marketsim_bin.parent
    libraries = [build / "libmarketsim.so", *sorted((build / "python" / "marketsim").glob("_core*.so"))]
    assert len(libraries) == 2, libraries
    for lib in libraries:
        deps = run(["ldd", str(lib)]).stdout
        assert "libmpi" not in deps, f"{lib.name} links MPI:\n{deps}"
    assert "libmpi" in run(["ldd", str(marketsim_bin)]).stdout


def test_a_plain_call_starts_no_mpi(cli, tmp_path):
    # MPI_Init would create an Open MPI session folder under TMPDIR; a plain call must not.
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    spec = write_spec(tmp_path / "grid.toml", GRID)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_", "PMIX_", "PMI_"))}
    env["TMPDIR"] = str(tmp)
    proc = subprocess.run([str(cli.binary), "sweep", str(spec), "--out", str(tmp_path / "o.h5")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert list(tmp.iterdir()) == []
