"""Datasets and batching: ``Dataset``, ``TensorDataset``, ``Subset``, ``random_split``, ``DataLoader``.

Mirrors ``torch.utils.data``; the image datasets (``MNIST``, ``FashionMNIST``)
live in ``autograd.data.datasets`` as they do in ``torchvision.datasets``.
"""

from . import datasets
from .dataloader import DataLoader, default_collate
from .dataset import Dataset, Subset, TensorDataset, random_split
from .idx import DataFileError, read_idx

__all__ = [
    "Dataset",
    "TensorDataset",
    "Subset",
    "random_split",
    "DataLoader",
    "default_collate",
    "DataFileError",
    "read_idx",
    "datasets",
]
