from typing import Any, Mapping, Optional, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

def summarize(df: pd.DataFrame, by: Optional[str | Sequence[str]] = None,
              metrics: Optional[str | Sequence[str]] = None, level: float = 0.95) -> pd.DataFrame: ...
def benjamini_hochberg(p_values: Sequence[float], q: float = 0.05) -> np.ndarray: ...
def compare(df: pd.DataFrame, regime: Optional[Mapping[str, Any]], baseline: Optional[Mapping[str, Any]],
            metric: str, by: Optional[str | Sequence[str]] = None, level: float = 0.95, n_boot: int = 4000,
            seed: int = 0, where: Optional[Mapping[str, Any]] = None) -> pd.DataFrame: ...
def phase_diagram(df: pd.DataFrame, x: str, y: str, metric: str, regime: Optional[Mapping[str, Any]] = None,
                  baseline: Optional[Mapping[str, Any]] = None, fdr: Optional[float] = None, level: float = 0.95,
                  ax: Optional[Axes] = None, where: Optional[Mapping[str, Any]] = None) -> Figure: ...
