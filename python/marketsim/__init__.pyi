import os
from typing import Any, Mapping, Optional, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from . import analysis as analysis

__version__: str

class Error(ValueError): ...

class RunResult:
    scenario: str
    seed: int
    params: dict[str, Any]
    scalars: dict[str, float]
    series: dict[str, np.ndarray]
    vectors: dict[str, np.ndarray]
    rounds: np.ndarray
    def to_pandas(self) -> pd.DataFrame: ...

def scenarios() -> list[str]: ...
def describe(name: str) -> pd.DataFrame: ...
def run(name: str, seed: int = 0, rounds: Optional[int] = None, **params: Any) -> RunResult: ...
def sweep(
    name: Optional[str] = None,
    grid: Optional[Mapping[str, Sequence[Any]]] = None,
    fixed: Optional[Mapping[str, Any]] = None,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    out: Optional[str | os.PathLike[str]] = None,
    threads: Optional[int] = None,
    progress: bool = True,
    *,
    seeding: Optional[str] = None,
    sample: Optional[Mapping[str, Any]] = None,
    spec: Optional[str | os.PathLike[str]] = None,
    resume: bool = False,
) -> pd.DataFrame: ...
def load(path: str | os.PathLike[str]) -> xr.Dataset: ...
def load_runs(path: str | os.PathLike[str]) -> pd.DataFrame: ...
