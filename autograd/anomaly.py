"""``detect_anomaly()``: make a NaN or inf in backward an error that says where the op came from."""

from .grad_mode import state


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Inside this context, every op records the stack of the line that created it, and a
    backward rule that returns NaN or inf raises a ``RuntimeError`` naming the op and that line.

    Costs a stack capture per op: use it to debug, not to train.
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = state.anomaly
        state.anomaly = self.check_nan
        return self

    def __exit__(self, *exc):
        state.anomaly = self._prev
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


def set_detect_anomaly(mode):
    """Switch anomaly detection on or off for the rest of the program (not a context manager)."""
    state.anomaly = bool(mode)


def is_anomaly_enabled():
    """True while anomaly detection is on."""
    return state.anomaly
