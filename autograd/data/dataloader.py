"""``DataLoader``: batches of a map-style dataset as Tensors, and ``default_collate``.

Batches are fetched in one of two ways:

- **fast path** -- when the dataset defines ``get_batch(indices)`` (as
  ``TensorDataset``, ``MNIST`` and a ``Subset`` of those do) and no
  ``collate_fn`` is given, a batch is one fancy index into each array;
- **generic path** -- otherwise each sample is fetched with ``dataset[i]``
  and the list is merged by ``collate_fn`` (``default_collate`` by default).

Both give the same batches. Work happens in the calling thread: there are no
worker processes (PyTorch's ``num_workers``), which an in-memory dataset on
numpy does not need.
"""

import collections.abc
import numbers

import numpy as np

import autograd as ag

from ._random import check_source, make_rng, numpy_rng

__all__ = ["DataLoader", "default_collate"]


def _stack(arrays, what):
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise RuntimeError(
            f"default_collate: cannot stack {what} of different shapes {sorted(shapes)}; "
            "pass a collate_fn that pads or crops them to one shape"
        )
    return np.stack(arrays)


def default_collate(batch):
    """Merge a list of samples into a batch, as PyTorch's ``default_collate``.

    - Tensors and numpy arrays are stacked along a new first dimension (dtype kept);
    - Python ints become an int64 tensor, Python floats a float64 tensor,
      bools a bool tensor, numpy scalars a tensor of their dtype;
    - tuples and lists are collated field by field into a list (a namedtuple
      stays a namedtuple), dicts key by key;
    - strings and bytes are returned as a list.
    """
    if not batch:
        raise ValueError("default_collate: the batch is empty")
    elem = batch[0]
    if isinstance(elem, ag.Tensor):
        if any(t.requires_grad for t in batch):
            return ag.stack(list(batch))  # keeps the graph, as torch.stack would
        return ag.tensor(_stack([t.data for t in batch], "tensors"))
    if isinstance(elem, np.ndarray):
        return ag.tensor(_stack([np.asarray(a) for a in batch], "arrays"))
    if isinstance(elem, (np.number, np.bool_)):
        return ag.tensor(np.array(batch))
    if isinstance(elem, (bool, np.bool_)):
        return ag.tensor(np.array(batch, dtype=np.bool_))
    if isinstance(elem, numbers.Integral):
        return ag.tensor(np.array(batch, dtype=np.int64))
    if isinstance(elem, numbers.Real):
        return ag.tensor(np.array(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        sizes = {len(sample) for sample in batch}
        if len(sizes) > 1:
            raise RuntimeError(
                f"default_collate: each element in list of batch should be of equal size, got {sorted(sizes)}"
            )
        return [default_collate(list(field)) for field in zip(*batch)]
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem).__name__}"
    )


class DataLoader:
    """Iterate over a dataset in batches of Tensors.

    Parameters
    ----------
    dataset : Dataset
        Map-style: ``dataset[i]`` and ``len(dataset)``.
    batch_size : int
        Samples per batch (the last one may be smaller unless ``drop_last``).
    shuffle : bool
        Draw a new random order at the start of every epoch (every ``iter()``).
    drop_last : bool
        Leave out the last batch when it would be smaller than ``batch_size``.
    seed : int, optional
        Seed of the loader's own ``numpy.random.Generator``: the sequence of
        epoch orders is then the same on every run, and each epoch differs.
    generator : autograd.Generator or numpy.random.Generator, optional
        Draw the orders from this generator instead. With neither ``seed`` nor ``generator``,
        each epoch's order is seeded from the library's global random state,
        so ``autograd.manual_seed`` makes it reproducible.
    collate_fn : callable, optional
        Turns a list of samples into a batch; ``default_collate`` when not
        given. Giving one turns off the fast path: samples are then always
        fetched one by one.

    num_workers, pin_memory
        Accepted so PyTorch code ports unchanged, and ignored: batches are
        built in the calling thread, on the CPU.

    ``len(loader)`` is the number of batches per epoch.

    Examples
    --------
    >>> import autograd as ag
    >>> from autograd.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(ag.arange(10).float().reshape(5, 2), ag.arange(5))
    >>> loader = DataLoader(ds, batch_size=2, shuffle=True, seed=0)
    >>> len(loader)
    3
    >>> [tuple(y.shape) for x, y in loader]
    [(2,), (2,), (1,)]
    >>> sorted(int(v) for _, y in loader for v in y)  # every sample once per epoch
    [0, 1, 2, 3, 4]
    """

    def __init__(
        self,
        dataset,
        batch_size=1,
        shuffle=False,
        drop_last=False,
        seed=None,
        generator=None,
        collate_fn=None,
        *,
        num_workers=0,
        pin_memory=False,
    ):
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size!r}")
        if not hasattr(dataset, "__len__"):
            raise TypeError(
                f"DataLoader needs a dataset with __len__ and __getitem__; {type(dataset).__name__} has no __len__"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.seed = seed
        self.collate_fn = collate_fn
        check_source(seed, generator, "DataLoader")
        # a seeded generator is made once and persists across epochs, so each epoch draws a new order
        self.generator = np.random.default_rng(seed) if seed is not None else generator

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _epoch_order(self):
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        rng = numpy_rng(self.generator) if self.generator is not None else make_rng(None, None, "DataLoader")
        return rng.permutation(n)

    def __iter__(self):
        # the order is drawn here, when iteration starts, not lazily at the first batch
        order = self._epoch_order()
        stop = len(self) * self.batch_size if self.drop_last else len(order)
        return (
            self._fetch(order[start : min(start + self.batch_size, stop)]) for start in range(0, stop, self.batch_size)
        )

    def _fetch(self, indices):
        if self.collate_fn is None:
            get_batch = getattr(self.dataset, "get_batch", None)
            arrays = get_batch(indices) if get_batch is not None else None
            if arrays is not None:
                return [ag.tensor(np.asarray(a)) for a in arrays]
            return default_collate([self.dataset[int(i)] for i in indices])
        return self.collate_fn([self.dataset[int(i)] for i in indices])

    def __repr__(self):
        return (
            f"DataLoader(dataset={type(self.dataset).__name__} of {len(self.dataset)}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, batches={len(self)})"
        )
