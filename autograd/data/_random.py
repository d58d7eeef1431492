"""Where the data utilities get their randomness.

Shuffling and splitting draw from a ``numpy.random.Generator``: the caller's
own (``generator=``, a numpy Generator or an ``autograd.Generator``), a fresh
one from ``seed=``, or, with neither, one seeded by a draw from the library's
global random state, so ``autograd.manual_seed(n)`` makes them reproducible
just as ``torch.manual_seed`` does in PyTorch.
"""

import numbers

import numpy as np

import autograd as ag


def global_seed():
    """A seed drawn from the library's global random state (advances it by one draw)."""
    return int(ag.randint(0, 2**62, (1,)).data[0])


def check_source(seed, generator, who):
    """Validate the ``seed=`` / ``generator=`` pair of arguments of ``who``."""
    if seed is not None and generator is not None:
        raise ValueError(f"{who}: pass seed= or generator=, not both")
    if generator is not None and not isinstance(generator, (np.random.Generator, ag.Generator)):
        raise TypeError(
            f"{who}: generator must be an autograd.Generator or a numpy.random.Generator "
            f"(e.g. numpy.random.default_rng(0)), got {type(generator).__name__}"
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"{who}: seed must be an int, got {type(seed).__name__}")


def numpy_rng(generator):
    """The numpy Generator behind ``generator``, looked up now (``Generator.manual_seed`` replaces it)."""
    return generator.rng if isinstance(generator, ag.Generator) else generator


def make_rng(seed, generator, who):
    """The numpy Generator to draw from, given the ``seed=`` and ``generator=`` arguments of ``who``."""
    check_source(seed, generator, who)
    if generator is not None:
        return numpy_rng(generator)
    if seed is not None:
        return np.random.default_rng(seed)
    return np.random.default_rng(global_seed())
