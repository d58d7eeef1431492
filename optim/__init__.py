"""``optim``: optimizers, mirroring ``torch.optim``.

>>> import optim
>>> opt = optim.Adam(model.parameters(), lr=1e-3)

Built on the public API of ``autograd`` only. Every optimizer updates the
parameters' arrays in place, outside the tape, with PyTorch's update rules.
"""

from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]
