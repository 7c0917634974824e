"""Every registered scenario has its model page, docs/models/<name>.md, and the page names
every parameter and every output of the scenario's schema, in code style (`name`) or as
the first cell of a table row, so the page cannot fall behind the code. A series `<x>_t` counts as named when the page names `x`
and states the `<name>_t` convention (the metrics written through analysis::RoundMetrics)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import marketsim as ms

ROOT = Path(__file__).resolve().parents[2]
ENGINE_PARAMETERS = {"rounds", "record_every"}  # documented once, in docs/cli.md


def named(text: str, name: str) -> bool:
    return f"`{name}`" in text or re.search(rf"^\|\s*{re.escape(name)}\s*\|", text, flags=re.M) is not None


@pytest.mark.parametrize("scenario", ms.scenarios())
def test_model_page_names_every_parameter_and_output(scenario):
    page = ROOT / "docs" / "models" / f"{scenario}.md"
    assert page.exists(), f"{scenario} has no model page {page.relative_to(ROOT)}"
    text = page.read_text()
    convention = "`<name>_t`" in text
    missing = []
    for kind, name in ms.describe(scenario)[["kind", "name"]].itertuples(index=False):
        if name in ENGINE_PARAMETERS or named(text, name):
            continue
        stem = re.sub(r"_t$", "", name)
        if kind == "series" and convention and named(text, stem):
            continue
        missing.append(f"{kind} {name}")
    assert not missing, f"{page.relative_to(ROOT)} does not name: {', '.join(missing)}"


def test_every_test_a_page_cites_exists():
    """Model pages say which test checks each result; each cited name (`CamelCaseName`)
    must be a GoogleTest test (or suite) in tests/*.cpp."""
    source = "".join(p.read_text() for p in (ROOT / "tests").glob("*.cpp"))
    cases = re.findall(r"TEST(?:_F|_P)?\(\s*(\w+)\s*,\s*(\w+)\s*\)", source)
    tests = {name for _, name in cases} | {suite for suite, _ in cases}
    pages = sorted((ROOT / "docs" / "models").glob("*.md")) + [ROOT / "docs" / "mechanisms.md"]
    missing = {}
    for page in pages:
        cited = set(re.findall(r"`([A-Z][a-z]+(?:[A-Z][a-z0-9]*){2,})`", page.read_text()))
        if cited - tests:
            missing[page.name] = sorted(cited - tests)
    assert len(tests) > 100
    assert not missing, f"pages cite tests that do not exist: {missing}"
