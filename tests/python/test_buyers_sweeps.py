"""The ready sweeps of buyer_coalition and contract_disclosure run from the CLI, and their
headline comparisons come out as the model pages say: the pact raises buyer surplus where
the cascade can reach the threshold and changes nothing on the sparsest network; pooling
raises club members' terms only under `group` disclosure."""
from __future__ import annotations

from pathlib import Path

import pytest

import marketsim as ms
from marketsim import analysis

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def buyers(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("buyers") / "buyer_coalition.h5"
    cli.ok("sweep", ROOT / "scenarios/buyer_coalition/sweep.toml", "--out", out, "--threads", "2", timeout=120)
    return ms.load_runs(out)


@pytest.fixture(scope="module")
def suppliers(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("suppliers") / "contract_disclosure.h5"
    cli.ok("sweep", ROOT / "scenarios/contract_disclosure/sweep.toml", "--out", out, "--threads", "2", timeout=120)
    return ms.load_runs(out)


def test_pact_versus_none(buyers):
    t = analysis.compare(buyers[buyers.disclosure == "private"], {"coordination": "pact"}, {"coordination": "none"},
                         "buyer_surplus", by=["threshold", "mean_degree"])
    sparse = t[t.mean_degree == 2]
    assert (sparse["diff"] == 0).all()  # the cascade never reaches the threshold: exactly `none`
    helped = t[(t.mean_degree == 4) & (t.threshold == 1000)]
    assert float(helped["ci_low"].iloc[0]) > 0


def test_pooling_only_under_group(suppliers):
    t = analysis.compare(suppliers[suppliers.belief_rule == "max_observed"], {"coordination": "coalition"},
                         {"coordination": "none"}, "share_club", by=["club_size", "disclosure"])
    assert (t[t.disclosure != "group"]["diff"] == 0).all()
    assert (t[t.disclosure == "group"]["ci_low"] > 0).all()
