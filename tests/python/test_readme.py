"""The README's promises about the default job hold: the table it prints for
`scripts/run.sh` (the hq_bidding main job) is exactly what the main job prints today, and
the two commands it opens with exist."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(info string, body) of every fenced code block, in order."""
    blocks, info, body = [], None, []
    for line in text.splitlines():
        if line.startswith("```"):
            if info is None:
                info, body = line[3:].strip(), []
            else:
                blocks.append((info, "\n".join(body)))
                info = None
        elif info is not None:
            body.append(line)
    return blocks


def test_readme_opens_with_the_two_commands():
    info, first_block = fenced_blocks(README)[0]
    assert info == "bash"
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["bash scripts/run.sh", "bash scripts/test.sh"]
    for script in ("scripts/run.sh", "scripts/test.sh"):
        assert (ROOT / script).exists()


def test_readme_table_is_what_the_main_job_prints(cli, tmp_path):
    header = "coordination  subsidy"
    block = next(body for _, body in fenced_blocks(README) if body.startswith(header))
    proc = cli.ok("sweep", ROOT / "scenarios/hq_bidding/main.toml", "--out", tmp_path / "main.h5", timeout=120)
    printed = proc.stdout[proc.stdout.index(header):]
    for line in block.strip().splitlines():
        assert line.rstrip() in [p.rstrip() for p in printed.splitlines()], f"README line not printed: {line}"
