"""Every notebook in notebooks/ runs from top to bottom without an error.

Run with:
    /usr/bin/python3 -m pytest -q tests/python/test_notebooks.py

Each ``notebooks/*.ipynb`` (found relative to this file, not the working directory) is
executed with nbclient in a fresh ``python3`` kernel whose working directory is a
temporary folder. A new notebook is picked up automatically.

The ``python3`` kernel: on Debian 12 the package python3-ipykernel ships the kernel spec
/usr/share/jupyter/kernels/python3/kernel.json (argv ``/usr/bin/python3 -m
ipykernel_launcher``). If no spec named ``python3`` is installed, jupyter_client falls
back to ipykernel's built-in spec, which launches the interpreter running this test
(``sys.executable``); so python3-ipykernel, python3-nbclient and python3-nbformat
(installed by scripts/setup.sh) are all that is needed.

The kernel is a subprocess, so it gets ``import marketsim`` from PYTHONPATH: the folder
holding the package this test imported is prepended, so the notebooks run even when no
.pth file points at build/python.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

import marketsim

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL = "python3"
CELL_TIMEOUT = 600  # seconds per cell
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes in IPython tracebacks

# The folder that holds the marketsim package, e.g. <repo>/build/python.
MARKETSIM_PARENT = str(Path(marketsim.__file__).resolve().parent.parent)


def _require_kernel() -> None:
    try:
        KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        pytest.fail(f"no Jupyter kernel named '{KERNEL}': install ipykernel (Debian: apt-get install "
                    f"python3-ipykernel, which provides /usr/share/jupyter/kernels/python3)", pytrace=False)


def _failing_cell(nb) -> str:
    """'cell N' for the first code cell with an error output (N counts all cells from 1)."""
    for i, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return f"cell {i}"
    return "a cell"


@pytest.fixture
def kernel_env(monkeypatch):
    """The kernel inherits this process's environment: make marketsim importable there."""
    parts = [MARKETSIM_PARENT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(dict.fromkeys(parts)))
    # Quiet the debugpy warning about frozen modules that ipykernel's kernel prints at start-up.
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def test_notebooks_are_found():
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path, kernel_env):
    _require_kernel()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name=KERNEL,
                            resources={"metadata": {"path": str(tmp_path)}})
    failure = None
    try:
        client.execute()
    except CellExecutionError as e:
        failure = f"{_failing_cell(nb)} raised an exception:\n{e}"
    except CellTimeoutError as e:
        failure = f"a cell ran longer than {CELL_TIMEOUT} s:\n{e}"
    except DeadKernelError as e:
        failure = f"the kernel died: {e}"
    if failure is not None:  # outside the except blocks, so the report is not shown twice
        pytest.fail(f"{path.name}: {_ANSI.sub('', failure)}", pytrace=False)
