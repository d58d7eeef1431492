"""The library's one random source: a numpy Generator that ``manual_seed`` resets.

Every random factory (``rand``, ``randn``, ``randint``...), ``nn.init``,
dropout and the data loader's shuffling draw from here, so one call to
``manual_seed(n)`` makes a whole run reproducible.
"""

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed):
    """Seed every random source the library uses. Returns the generator."""
    global _generator
    _generator = np.random.default_rng(int(seed))
    return _generator


def seed():
    """Re-seed from fresh entropy and return the seed used."""
    s = int(np.random.SeedSequence().entropy % (2**63))
    manual_seed(s)
    return s


def _rng():
    return _generator


def get_rng_state():
    """The generator's state (a dict), for checkpoints."""
    return _generator.bit_generator.state


def set_rng_state(new_state):
    """Restore the library's generator to a state from :func:`get_rng_state`."""
    _generator.bit_generator.state = new_state


class Generator:
    """A separate random stream, as ``torch.Generator``: ``Generator().manual_seed(0)``."""

    def __init__(self):
        self.rng = np.random.default_rng()

    def manual_seed(self, s):
        """Reseed this stream with ``s``. Returns self."""
        self.rng = np.random.default_rng(int(s))
        return self

    def get_state(self):
        """This stream's state (a dict), for checkpoints."""
        return self.rng.bit_generator.state

    def set_state(self, st):
        """Restore this stream to a state from :meth:`get_state`."""
        self.rng.bit_generator.state = st
