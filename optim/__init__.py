"""``optim``: optimizers and learning-rate schedulers, mirroring ``torch.optim``.

>>> import autograd as ag, optim
>>> w = ag.zeros(3, requires_grad=True)  # or model.parameters()
>>> opt = optim.Adam([w], lr=1e-3)
>>> sched = optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)

Built on the public API of ``autograd`` only. Every optimizer updates the
parameters' arrays in place, outside the tape, with PyTorch's update rules.
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
