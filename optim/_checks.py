"""Hyper-parameter checks shared by the optimizers; each error names the optimizer, the value and the fix."""

__all__ = ["check_non_negative", "check_beta"]


def check_non_negative(optimizer, values, key, what):
    """Raise ValueError unless ``values[key] >= 0``; ``what`` describes the argument ("learning rate")."""
    value = values[key]
    if not value >= 0.0:  # written this way round so that NaN fails too
        raise ValueError(f"{optimizer}: invalid {what} {key}={value!r}; it must be >= 0")


def check_beta(optimizer, values, key, index):
    """Raise ValueError unless ``values[key][index]`` lies in [0, 1)."""
    betas = values[key]
    try:
        beta = betas[index]
    except (TypeError, IndexError):
        raise ValueError(f"{optimizer}: {key} must be a pair (beta1, beta2), but got {betas!r}") from None
    if not 0.0 <= beta < 1.0:
        raise ValueError(
            f"{optimizer}: invalid beta parameter at index {index}: {key}[{index}]={beta!r}; "
            "it must lie in [0, 1), e.g. betas=(0.9, 0.999)"
        )
