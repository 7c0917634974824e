"""marketsim: agent-based market simulation — scenarios, sweeps, HDF5 results.

    import marketsim as ms
    ms.scenarios()                                   # registered scenario names
    ms.describe("boltzmann_wealth")                  # schema and outputs, as a DataFrame
    r = ms.run("boltzmann_wealth", seed=1, agents=5000)
    r.scalars["gini"], r.series["gini_t"]            # floats and numpy arrays
    df = ms.sweep("boltzmann_wealth", grid={"saving": [0.0, 0.5]}, replications=10, out="s.h5")
    ds = ms.load("s.h5")                             # xarray.Dataset with labelled dimensions

The compiled engine is the private module ``marketsim._core``; errors are raised as
:class:`marketsim.Error` (a ``ValueError``) with the same one-line message as the CLI.
"""
from ._core import Error, __version__
from .api import RunResult, describe, load, load_runs, run, scenarios, sweep
from . import analysis

__all__ = [
    "Error",
    "RunResult",
    "analysis",
    "describe",
    "load",
    "load_runs",
    "run",
    "scenarios",
    "sweep",
    "__version__",
]
