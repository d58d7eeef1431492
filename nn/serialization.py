"""Checkpoints in the safetensors format: ``save`` (atomic) and ``load``.

A safetensors file is an 8-byte little-endian header length, a JSON header
(name -> dtype, shape, byte range; plus string metadata) and the raw bytes.
Loading never runs code, and the files are interchangeable with PyTorch's
``safetensors.torch.save_file`` / ``load_file``. The key order of the
state dict is kept in the metadata, so ``load`` returns the entries in the
order they were saved.
"""

import json
import os
import tempfile
from collections import OrderedDict

import numpy as np
import safetensors.numpy

import autograd as ag

__all__ = ["save", "load", "SerializationError"]

_ORDER_KEY = "tapegrad.key_order"


class SerializationError(ValueError):
    """A checkpoint file that is not valid safetensors (corrupt, truncated, or another format)."""


def _arrays(state_dict):
    from .modules.module import Module

    if isinstance(state_dict, Module):
        state_dict = state_dict.state_dict()
    if not hasattr(state_dict, "items"):
        raise TypeError(f"save: expected a state dict (a mapping of names to tensors) or a Module, got {type(state_dict).__name__}")
    arrays = OrderedDict()
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"save: state dict keys must be strings, got {key!r}")
        arr = value.data if isinstance(value, ag.Tensor) else np.asarray(value)
        if arr.dtype == object:
            raise TypeError(f"save: entry {key!r} is not a tensor or array (got {type(value).__name__})")
        # not np.ascontiguousarray: it turns a 0-d array (num_batches_tracked) into shape (1,)
        arrays[key] = arr if arr.flags.c_contiguous else arr.copy(order="C")
    return arrays


def save(state_dict, path, metadata=None):
    """Write ``state_dict`` (or a Module's) to ``path`` in the safetensors format, atomically.

    The bytes go to a temporary file in the same directory, which is flushed,
    fsync'ed and then renamed over ``path``: a crash or an exception leaves
    either the old file or the new one, never a partial file, and no
    temporary file behind. ``metadata`` is an optional dict of strings.

    Parameters
    ----------
    state_dict : mapping of str to Tensor, or Module
        What to write; a module is saved as its ``state_dict()``.
    path : str or os.PathLike
        The file to write (conventionally ``*.safetensors``).
    metadata : dict, optional
        Extra string entries for the file's header.

    Examples
    --------
    >>> import os, tempfile
    >>> import autograd as ag, nn
    >>> _ = ag.manual_seed(0)
    >>> model = nn.Linear(3, 2)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = os.path.join(d, "linear.safetensors")
    ...     nn.save(model.state_dict(), path)
    ...     state = nn.load(path)
    >>> list(state)
    ['weight', 'bias']
    >>> bool((state["weight"] == model.weight).all())
    True
    """
    arrays = _arrays(state_dict)
    meta = {str(k): str(v) for k, v in (metadata or {}).items()}
    meta[_ORDER_KEY] = json.dumps(list(arrays))
    data = safetensors.numpy.save(dict(arrays), metadata=meta)
    _atomic_write(os.fspath(path), data)


def _atomic_write(path, data):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(directory)


def _file_mode(path):
    """Keep an existing file's permissions; a new file gets 0o666 minus the umask, as ``open`` would give it."""
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(directory):
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load(path):
    """Read a safetensors file into an ``OrderedDict`` of Tensors (in saved order when known).

    A file that is not safetensors, or is truncated or corrupt, raises
    ``SerializationError`` (a ``ValueError``) naming the file.

    Examples
    --------
    >>> import os, tempfile
    >>> import autograd as ag, nn
    >>> _ = ag.manual_seed(0)
    >>> trained, fresh = nn.Linear(3, 2), nn.Linear(3, 2)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     trained.save(os.path.join(d, "linear.safetensors"))
    ...     fresh.load_state_dict(nn.load(os.path.join(d, "linear.safetensors")))
    <All keys matched successfully>
    >>> bool((fresh.weight == trained.weight).all())
    True
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read()
    header = _check_header(data, path)
    try:
        arrays = safetensors.numpy.load(data)
    except Exception as e:  # the library raises its own SafetensorError
        raise SerializationError(f"{path}: not a valid safetensors file ({e})") from None
    order = list(arrays)
    meta = header.get("__metadata__") or {}
    if _ORDER_KEY in meta:
        try:
            saved = json.loads(meta[_ORDER_KEY])
        except ValueError:
            saved = None
        if isinstance(saved, list) and sorted(saved) == sorted(order):
            order = saved
    out = OrderedDict()
    for key in order:
        arr = arrays[key]
        if not arr.flags.writeable:
            arr = arr.copy()
        out[key] = ag.from_numpy(arr)
    return out


def _check_header(data, path):
    """Validate the framing before handing the bytes to safetensors, for messages that say what is wrong."""
    size = len(data)
    if size < 8:
        raise SerializationError(
            f"{path}: not a safetensors file: {size} bytes is shorter than the 8-byte header length (empty or truncated)"
        )
    n = int.from_bytes(data[:8], "little")
    if n > size - 8:
        raise SerializationError(
            f"{path}: not a safetensors file, or truncated: the header claims {n} bytes but the file has only "
            f"{size - 8} after the length field"
        )
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SerializationError(f"{path}: not a safetensors file: the header is not valid JSON") from None
    if not isinstance(header, dict):
        raise SerializationError(f"{path}: not a safetensors file: the header is not a JSON object")
    end = 0
    for key, entry in header.items():
        if key == "__metadata__":
            continue
        try:
            end = max(end, int(entry["data_offsets"][1]))
        except (TypeError, KeyError, IndexError, ValueError):
            raise SerializationError(f"{path}: corrupt safetensors header: entry {key!r} has no valid data_offsets") from None
    if 8 + n + end > size:
        raise SerializationError(
            f"{path}: truncated safetensors file: the tensors need {end} bytes of data but only {size - 8 - n} are present"
        )
    return header
