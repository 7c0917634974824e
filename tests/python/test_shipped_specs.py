"""Every sweep spec shipped under scenarios/ runs as its header says: the `# Run:` line
names the file itself, and the spec (with 2 replications, to keep this quick) runs to a
complete file with every point and replication in it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import marketsim as ms

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(ROOT.glob("scenarios/*/*.toml"))


def test_specs_are_found():
    assert len(SPECS) >= 10


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_spec_runs_as_its_header_says(cli, tmp_path, spec):
    text = spec.read_text()
    run_lines = re.findall(r"^# Run:\s+marketsim sweep (\S+) --out \S+\.h5$", text, flags=re.M)
    assert run_lines == [str(spec.relative_to(ROOT))], "the '# Run:' line must name this file"
    quick, n = re.subn(r"^replications\s*=\s*\d+", "replications = 2", text, flags=re.M)
    assert n == 1
    path = tmp_path / spec.name
    path.write_text(quick)
    out = tmp_path / "out.h5"
    cli.ok("sweep", path, "--out", out, "--threads", "2", timeout=120)
    runs = ms.load_runs(out)
    assert len(runs) > 0 and len(runs) % 2 == 0
    assert set(runs["replication"]) == {0, 1}
