"""Map-style datasets: ``Dataset``, ``TensorDataset``, ``Subset`` and ``random_split``.

As in PyTorch, a dataset is anything with ``__getitem__(i)`` and ``__len__()``.

A dataset whose samples are rows of in-memory arrays may also define
``get_batch(indices)``: it returns the samples at ``indices`` already stacked,
as a tuple of numpy arrays (one per field of a sample), or ``None`` when it
cannot. The ``DataLoader`` uses it to build a whole batch with one fancy
index per array instead of one ``__getitem__`` call per sample. Its result
must equal what stacking the individual samples would give.
"""

import math
import numbers
import warnings

import numpy as np

import autograd as ag

from ._random import make_rng

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split"]


class Dataset:
    """Base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def get_batch(self, indices):
        """The samples at ``indices`` stacked into a tuple of arrays, or ``None`` (no fast path)."""
        return None


class TensorDataset(Dataset):
    """Samples are the rows of the given tensors: ``dataset[i] == tuple(t[i] for t in tensors)``.

    Parameters
    ----------
    *tensors : Tensor or numpy.ndarray
        All with the same size in the first dimension. Numpy arrays are
        wrapped as Tensors, keeping their dtype.

    Examples
    --------
    >>> import autograd as ag
    >>> from autograd.data import TensorDataset
    >>> ds = TensorDataset(ag.arange(6).reshape(3, 2), ag.tensor([0, 1, 0]))
    >>> len(ds)
    3
    >>> ds[1]
    (tensor([2, 3]), tensor(1))
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        tensors = tuple(t if isinstance(t, ag.Tensor) else ag.tensor(np.asarray(t)) for t in tensors)
        for i, t in enumerate(tensors):
            if t.data.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-dimensional; every tensor needs a first dimension")
        sizes = [t.data.shape[0] for t in tensors]
        if any(s != sizes[0] for s in sizes):
            raise ValueError(f"Size mismatch between tensors: first dimensions are {sizes}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].data.shape[0]

    def get_batch(self, indices):
        """The rows at ``indices`` of each tensor's array, or None when one requires grad (to keep the graph)."""
        if any(t.requires_grad for t in self.tensors):
            return None  # item by item, so the batch stays attached to the graph
        return tuple(t.data[indices] for t in self.tensors)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices
        self._index_array = None

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self):
        return len(self.indices)

    def get_batch(self, indices):
        """The wrapped dataset's ``get_batch`` at the mapped indices, or None when it has no fast path."""
        inner = getattr(self.dataset, "get_batch", None)
        if inner is None:
            return None
        if self._index_array is None:
            self._index_array = np.asarray(self.indices, dtype=np.int64)
        return inner(self._index_array[indices])


def _lengths_from_fractions(fractions, n):
    """PyTorch's rule: floor(n * f) each, then the remainder one by one to the first subsets."""
    for i, f in enumerate(fractions):
        if f < 0 or f > 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
    lengths = [math.floor(n * f) for f in fractions]
    for i in range(n - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.", stacklevel=3)
    return lengths


def random_split(dataset, lengths, generator=None, seed=None):
    """Split ``dataset`` at random into non-overlapping ``Subset`` s of the given lengths.

    Parameters
    ----------
    dataset : Dataset
    lengths : sequence of int or of float
        Sizes of the subsets, summing to ``len(dataset)``; or fractions summing
        to 1, turned into sizes as PyTorch does (``floor(n * f)`` each, the
        remainder handed out one by one from the first subset on).
    generator : autograd.Generator or numpy.random.Generator, optional
        Source of the permutation.
    seed : int, optional
        Seed for a fresh generator (instead of ``generator``). With neither,
        the permutation comes from the library's global seed
        (``autograd.manual_seed``).
    """
    n = len(dataset)
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths is empty")
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1 and not all(isinstance(x, numbers.Integral) for x in lengths):
        lengths = _lengths_from_fractions(lengths, n)
    for i, length in enumerate(lengths):
        if not isinstance(length, numbers.Integral) or length < 0:
            raise ValueError(f"random_split: length at index {i} is {length!r}; lengths must be non-negative ints")
    if sum(lengths) != n:
        raise ValueError(
            f"Sum of input lengths does not equal the length of the input dataset! ({sum(lengths)} vs {n})"
        )
    order = make_rng(seed, generator, "random_split").permutation(n)
    subsets, offset = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, order[offset : offset + length].tolist()))
        offset += length
    return subsets
