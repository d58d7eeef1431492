"""Memory reuse for numpy-allocated arrays.

A training step allocates the same large arrays (activations, gradients,
convolution columns) again and again. With glibc's default settings, blocks
above its mmap threshold are returned to the operating system when freed and
every new one is page-faulted in again; for a small CNN step that costs about
a fifth of the time. PyTorch avoids the same cost with its own caching
allocator. ``retain_freed_memory()`` gets the equivalent for numpy by asking
malloc to keep freed memory for reuse. It changes a process-wide setting, so
the library never calls it on import: programs opt in (``tapegrad-train``
does), and the benchmarks apply it to every implementation alike.
"""

import ctypes
import ctypes.util
import sys

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3


def retain_freed_memory(enable=True):
    """Keep freed blocks in the process for reuse (glibc's ``mallopt``); returns True when applied.

    With ``enable=True`` blocks of up to 1 GiB come from the heap and freed
    memory is not trimmed back to the OS, so the resident size stays at its
    peak instead of shrinking between steps. ``enable=False`` restores glibc's
    defaults. Elsewhere than glibc-based Linux this does nothing and returns False.

    >>> import autograd
    >>> autograd.memory.retain_freed_memory(False) in (True, False)
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    if enable:
        ok = mallopt(_M_MMAP_THRESHOLD, 1 << 30) and mallopt(_M_TRIM_THRESHOLD, 1 << 30)
        ok = ok and mallopt(_M_TOP_PAD, 64 << 20)
    else:  # glibc's defaults: 128 KiB thresholds (the dynamic adjustment is not restored) and no top pad
        ok = mallopt(_M_MMAP_THRESHOLD, 128 * 1024) and mallopt(_M_TRIM_THRESHOLD, 128 * 1024)
        ok = ok and mallopt(_M_TOP_PAD, 0)
    return bool(ok)
