"""The notebooks in notebooks/ run top to bottom on a fresh kernel of this interpreter, without an error.

Each notebook is executed in a temporary copy of the folder (the committed
files, with their outputs, are never rewritten), on a kernel started from
``sys.executable`` through a kernelspec written for the test: whatever
kernels the user has installed elsewhere, the notebooks run against the
tapegrad installed here.
"""

import shutil
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

from ipykernel.kernelspec import write_kernel_spec  # noqa: E402
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
KERNEL = "tapegrad-tests"
CELL_TIMEOUT = 600  # seconds per cell; a whole notebook takes about a minute


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory):
    """A kernelspec directory whose one kernel runs ``sys.executable -m ipykernel_launcher``."""
    kernels = tmp_path_factory.mktemp("kernels")
    write_kernel_spec(kernels / KERNEL, overrides={"display_name": f"tapegrad tests ({sys.executable})"})
    return KernelSpecManager(kernel_dirs=[str(kernels)])


@pytest.fixture(scope="module")
def mnist_available():
    from autograd.data.datasets import MNIST, DatasetNotFoundError

    try:
        MNIST(str(NOTEBOOKS / "data"), train=False)
    except DatasetNotFoundError as e:
        pytest.skip(f"the notebooks read MNIST, which is not installed here: {e}")


def test_there_are_notebooks():
    assert len(NAMES) >= 4, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_carries_its_outputs(name):
    """Committed executed: every code cell ran, in order, and none shows an error."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), "re-execute and save the notebook"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{name} was saved with an error output: {errors[0].get('ename')}: {errors[0].get('evalue')}"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_on_a_fresh_kernel(name, kernel_specs, mnist_available, tmp_path):
    work = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "data", "runs"))
    nb = nbformat.read(work / name, as_version=4)
    # one more cell, in the copy only: which interpreter the kernel ran
    nb.cells.append(nbformat.v4.new_code_cell("import sys\nprint(sys.executable)"))

    km = AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=kernel_specs)
    client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT, resources={"metadata": {"path": str(work)}})
    client.execute(cleanup_kc=True)  # raises CellExecutionError, naming the cell, on any error

    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream").strip()
    assert Path(printed) == Path(sys.executable)
