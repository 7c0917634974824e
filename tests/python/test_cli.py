"""CLI behaviour: bad input is reported as one clear line and leaves no files behind;
`run --seed` reproduces a sweep's run; `info` summarises a file."""
from __future__ import annotations

import os
import re

import h5py
import numpy as np
import pytest

from conftest import (CRASH_MARKERS, assert_no_outputs, assert_single_error_line, write_spec)

SCENARIO = "boltzmann_wealth"
VALID_PARAMS = ["agents", "initial_money", "rule", "saving", "schedule", "rounds", "record_every"]
SMALL = ["--set", "agents=300", "--set", "rounds=50"]

GOOD_SPEC = """
scenario = "boltzmann_wealth"
replications = 2
seed = 7

[fixed]
agents = 300
rounds = 50
record_every = 10

[axes]
rule = ["random_split", "unit"]
saving = [0.0, 0.5]
"""


def _line_of(text: str, needle: str) -> int:
    """1-based line number of the first line of the (dedented, stripped) spec containing needle."""
    import textwrap
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    for i, line in enumerate(lines, 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in spec")


# --------------------------------------------------------------------------- run --set


def test_run_unknown_parameter_key(cli, tmp_path):
    out = tmp_path / "o.h5"
    proc = cli("run", SCENARIO, "--set", "agentz=300", "--out", out)
    msg = assert_single_error_line(proc, "agentz", "did you mean 'agents'")
    listed = re.search(r"[Vv]alid[^:]*:(.*)$", msg)
    assert listed, f"no list of valid keys in {msg!r}"
    for name in VALID_PARAMS:
        assert re.search(rf"\b{name}\b", listed.group(1)), f"valid key {name} not listed: {msg}"
    assert_no_outputs(out)
    assert list(tmp_path.iterdir()) == []


def test_run_out_of_range_value(cli, tmp_path):
    out = tmp_path / "o.h5"
    proc = cli("run", SCENARIO, "--set", "saving=1.5", "--out", out)
    assert_single_error_line(proc, "saving", "1.5", "out of range", "[0, 0.99]")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad", ["abc", "3.5"])
def test_run_bad_type(cli, tmp_path, bad):
    out = tmp_path / "o.h5"
    proc = cli("run", SCENARIO, "--set", f"agents={bad}", "--out", out)
    assert_single_error_line(proc, "agents", "expects an integer", bad)
    assert list(tmp_path.iterdir()) == []


def test_run_unknown_scenario(cli, tmp_path):
    out = tmp_path / "o.h5"
    proc = cli("run", "boltzman_wealth", "--out", out)
    assert_single_error_line(proc, "boltzman_wealth", "did you mean 'boltzmann_wealth'")
    assert list(tmp_path.iterdir()) == []


def test_describe_unknown_scenario(cli):
    proc = cli("describe", "boltzmann_welth")
    assert_single_error_line(proc, "boltzmann_welth", "did you mean 'boltzmann_wealth'")


def test_run_output_in_missing_folder(cli, tmp_path):
    out = tmp_path / "no_such_dir" / "o.h5"
    proc = cli("run", SCENARIO, *SMALL, "--out", out)
    assert_single_error_line(proc, "cannot write", "does not exist")
    assert not out.parent.exists()
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- sweep specs


def _sweep_error(cli, tmp_path, spec_text: str, *needles: str) -> str:
    spec = write_spec(tmp_path / "spec.toml", spec_text)
    out = tmp_path / "out.h5"
    proc = cli("sweep", spec, "--out", out)
    msg = assert_single_error_line(proc, *needles)
    assert_no_outputs(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]
    return msg


def test_sweep_broken_toml_names_file_and_line(cli, tmp_path):
    text = """
    scenario = "boltzmann_wealth"
    replications = 2
    [fixed]
    agents = 300
    rounds = [50
    """
    msg = _sweep_error(cli, tmp_path, text, "TOML")
    spec = tmp_path / "spec.toml"
    assert re.search(re.escape(str(spec)) + r":\d+", msg), f"no file:line in {msg!r}"


def test_sweep_missing_spec_file(cli, tmp_path):
    spec = tmp_path / "missing.toml"
    out = tmp_path / "out.h5"
    proc = cli("sweep", spec, "--out", out)
    assert_single_error_line(proc, "cannot read", str(spec))
    assert_no_outputs(out)
    assert list(tmp_path.iterdir()) == []


def test_sweep_output_in_missing_folder(cli, tmp_path):
    spec = write_spec(tmp_path / "spec.toml", GOOD_SPEC)
    out = tmp_path / "no_such_dir" / "out.h5"
    proc = cli("sweep", spec, "--out", out)
    assert_single_error_line(proc, "cannot write", "does not exist")
    assert not out.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits")
@pytest.mark.parametrize("command", ["sweep", "run"])
def test_output_in_read_only_folder(cli, tmp_path, command):
    spec = write_spec(tmp_path / "spec.toml", GOOD_SPEC)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        out = ro / "out.h5"
        if command == "sweep":
            proc = cli("sweep", spec, "--out", out)
        else:
            proc = cli("run", SCENARIO, *SMALL, "--out", out)
        assert_single_error_line(proc, "cannot write")
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


def test_sweep_unknown_scenario(cli, tmp_path):
    _sweep_error(cli, tmp_path, GOOD_SPEC.replace('"boltzmann_wealth"', '"boltzman_wealth"'),
                 "boltzman_wealth", "did you mean 'boltzmann_wealth'")


def test_sweep_empty_axis(cli, tmp_path):
    text = """
    scenario = "boltzmann_wealth"
    [fixed]
    agents = 300
    [axes]
    saving = []
    """
    _sweep_error(cli, tmp_path, text, "saving", "empty")


def test_sweep_unknown_top_level_key(cli, tmp_path):
    text = """
    scenario = "boltzmann_wealth"
    replicatons = 2
    [axes]
    saving = [0.1]
    """
    msg = _sweep_error(cli, tmp_path, text, "replicatons", "did you mean 'replications'")
    assert f"{tmp_path / 'spec.toml'}:2" in msg, msg


def test_sweep_summary_lists_the_outcomes_shown(cli, tmp_path):
    spec = write_spec(tmp_path / "spec.toml", GOOD_SPEC.replace('seed = 7', 'seed = 7\nsummary = ["top1_share", "gini"]'))
    out = tmp_path / "s.h5"
    proc = cli.ok("sweep", spec, "--out", out)
    header = next(line for line in proc.stdout.splitlines() if line.startswith("rule"))
    assert header.split() == ["rule", "saving", "top1_share", "gini"], header
    assert "3 more outcome(s) in the file" in proc.stdout
    with h5py.File(out) as f:  # the file keeps every outcome
        assert {"gini", "mean", "max", "top1_share", "money_drift"} <= set(f)


def test_sweep_summary_with_an_unknown_outcome(cli, tmp_path):
    text = GOOD_SPEC.replace('seed = 7', 'seed = 7\nsummary = ["gini", "ginni"]')
    msg = _sweep_error(cli, tmp_path, text, "summary", "'ginni'", "did you mean 'gini'", "money_drift")
    assert f"{tmp_path / 'spec.toml'}:{_line_of(text, 'summary')}" in msg, msg


def test_sweep_fixed_value_out_of_range_reports_file_and_line(cli, tmp_path):
    text = """
    scenario = "boltzmann_wealth"
    replications = 2
    [fixed]
    agents = 300
    saving = 2.0
    [axes]
    rule = ["unit"]
    """
    line = _line_of(text, "saving = 2.0")
    msg = _sweep_error(cli, tmp_path, text, "saving", "out of range", "[0, 0.99]")
    assert f"{tmp_path / 'spec.toml'}:{line}" in msg, msg


def test_sweep_bad_axis_choice(cli, tmp_path):
    text = """
    scenario = "boltzmann_wealth"
    [fixed]
    agents = 300
    [axes]
    rule = ["unit", "foo"]
    """
    _sweep_error(cli, tmp_path, text, "rule", "foo", "random_split", "unit")


@pytest.mark.parametrize("args", [
    ["sweep", "SPEC"],                              # --out missing
    ["sweep", "SPEC", "--out", "OUT", "--threads", "-1"],
    ["frobnicate"],
    [],
])
def test_usage_errors_exit_nonzero(cli, tmp_path, args):
    spec = write_spec(tmp_path / "spec.toml", GOOD_SPEC)
    out = tmp_path / "out.h5"
    args = [str(spec) if a == "SPEC" else str(out) if a == "OUT" else a for a in args]
    proc = cli(*args)
    assert proc.returncode != 0
    for marker in CRASH_MARKERS:
        assert marker not in proc.stderr
    assert_no_outputs(out)


# --------------------------------------------------------------------------- run / info


@pytest.fixture(scope="module")
def small_sweep(cli, tmp_path_factory):
    d = tmp_path_factory.mktemp("small")
    spec = write_spec(d / "spec.toml", GOOD_SPEC)
    out = d / "small.h5"
    cli.ok("sweep", spec, "--out", out, "--threads", "2")
    return out


def test_info_reports_scenario_and_complete_runs(cli, small_sweep):
    proc = cli.ok("info", small_sweep)
    assert SCENARIO in proc.stdout
    assert "complete runs: 8 of 8" in proc.stdout, proc.stdout


def test_info_on_non_hdf5_file(cli, tmp_path):
    p = tmp_path / "x.h5"
    p.write_text("not hdf5")
    assert_single_error_line(cli("info", p), str(p))


SCALARS = ["gini", "mean", "max", "top1_share", "money_drift"]


@pytest.mark.parametrize("index", [(0, 1, 1), (1, 0, 0), (0, 0, 1)])
def test_run_with_seed_reproduces_sweep_run(cli, small_sweep, tmp_path, index):
    """`run --seed <seed from file> --set <point params>` gives the same scalars bit for bit."""
    i_rule, i_saving, rep = index
    with h5py.File(small_sweep, "r") as f:
        rule = f["rule"][i_rule]
        rule = rule.decode() if isinstance(rule, bytes) else str(rule)
        saving = float(f["saving"][i_saving])
        seed = int(f["seed"][i_rule, i_saving, rep])
        expected = {k: f[k][i_rule, i_saving, rep] for k in SCALARS}
        expected_series = f["gini_t"][i_rule, i_saving, rep, :]
    out = tmp_path / "one.h5"
    proc = cli.ok("run", SCENARIO, "--seed", seed, "--set", "agents=300", "--set", "rounds=50",
                  "--set", "record_every=10", "--set", f"rule={rule}", "--set", f"saving={saving!r}",
                  "--out", out)
    assert str(seed) in proc.stdout
    with h5py.File(out, "r") as g:
        assert int(np.asarray(g["seed"][()]).ravel()[0]) == seed
        for k in SCALARS:
            got = np.asarray(g[k][()]).ravel()[0]
            assert got.tobytes() == np.float64(expected[k]).tobytes(), f"{k}: run {got!r} vs sweep {expected[k]!r}"
        got_series = np.asarray(g["gini_t"][()]).reshape(-1)
        assert np.array_equal(got_series, expected_series, equal_nan=True)
    # the printed gini is the same number, rounded
    m = re.search(r"^gini\s+(\S+)", proc.stdout, re.M)
    assert m and abs(float(m.group(1)) - float(expected["gini"])) <= 5e-5


def test_resume_without_a_journal_is_refused(cli, tmp_path):
    spec = write_spec(tmp_path / "s.toml", 'scenario = "boltzmann_wealth"\n[fixed]\nagents = 100\nrounds = 5\n')
    out = tmp_path / "never.h5"
    r = cli("sweep", spec, "--out", out, "--resume")
    assert_single_error_line(r, "nothing to resume", "never started", "run without resuming")
    cli.ok("sweep", spec, "--out", out)
    r = cli("sweep", spec, "--out", out, "--resume")
    assert r.returncode == 2 and "the sweep finished" in r.stderr


def test_single_run_file_reproduces_itself(cli, tmp_path):
    out = tmp_path / "one.h5"
    first = cli.ok("run", "boltzmann_wealth", "--seed", "18446744073709551557", "--set", "agents=300",
                   "--set", "rule=unit", "--out", out).stdout
    with h5py.File(out, "r") as f:
        assert f.attrs["design"] == "single"
        seed = int(f.attrs["run_seed"])
        config = f.attrs["run_config"]
        assert "sweep_spec" not in f.attrs
    assert seed == 18446744073709551557
    assert 'rule = "unit"' in config and "agents = 300" in config
    cfg = tmp_path / "again.toml"
    cfg.write_text(config)
    again = cli.ok("run", "boltzmann_wealth", "--config", cfg, "--seed", str(seed)).stdout
    assert first.splitlines()[:8] == again.splitlines()[:8]
    info = cli.ok("info", out).stdout
    assert "18446744073709551557" in info  # unsigned seeds print as such


def test_sweep_file_lists_the_parameters_fixed_across_points(cli, tmp_path):
    spec = write_spec(tmp_path / "s.toml", 'scenario = "boltzmann_wealth"\n[fixed]\nagents = 150\nrounds = 5\n'
                                           '[axes]\nsaving = [0.0, 0.5]\n')
    out = tmp_path / "s.h5"
    cli.ok("sweep", spec, "--out", out)
    with h5py.File(out, "r") as f:
        fixed = f.attrs["fixed_parameters"]
    assert "agents = 150" in fixed and 'schedule = "sequential"' in fixed and "saving" not in fixed


def test_ctrl_c_during_a_single_run(cli, tmp_path):
    import signal
    import time
    p = cli.popen("run", "boltzmann_wealth", "--set", "agents=2000000", "--set", "rounds=400")
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130
    assert "interrupted" in err and not any(m in err for m in CRASH_MARKERS)


def test_unknown_command_suggests_the_nearest(cli):
    r = cli("swep", "x.toml")
    assert_single_error_line(r, "unknown command 'swep'", "did you mean 'sweep'?")
