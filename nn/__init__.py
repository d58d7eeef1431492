"""``nn``: layers, losses, initialisers and checkpoints on top of the engine, as ``torch.nn``.

``import nn`` where you would ``import torch.nn as nn``; ``nn.functional``
holds the stateless functions, ``nn.init`` the initialisers, ``nn.utils``
gradient clipping. Checkpoints are safetensors files (``nn.save`` /
``nn.load``, ``Module.save``), and ``nn.summary`` prints a layer table.
"""

from . import functional, init, utils
from .modules import (
    ELU,
    GELU,
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    BCELoss,
    BCEWithLogitsLoss,
    Bilinear,
    Conv1d,
    Conv2d,
    CrossEntropyLoss,
    Dropout,
    Dropout2d,
    Embedding,
    Flatten,
    Hardtanh,
    HuberLoss,
    Identity,
    L1Loss,
    LayerNorm,
    LeakyReLU,
    Linear,
    LogSigmoid,
    LogSoftmax,
    MaxPool1d,
    MaxPool2d,
    Mish,
    Module,
    ModuleDict,
    ModuleList,
    MSELoss,
    NLLLoss,
    ParameterList,
    ReLU,
    ReLU6,
    RemovableHandle,
    Sequential,
    Sigmoid,
    SiLU,
    SmoothL1Loss,
    Softmax,
    Softplus,
    Tanh,
    Unflatten,
)
from .parameter import Parameter
from .serialization import SerializationError, load, save
from .summary import ModelSummary, summary
