"""Containers: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList``."""

import operator
from collections import OrderedDict
from collections.abc import Mapping

from ..parameter import Parameter
from .module import Module

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList"]


def _index(idx, size, what):
    idx = operator.index(idx)
    if not -size <= idx < size:
        raise IndexError(f"index {idx} is out of range for {what} of length {size}")
    return idx % size


class _NumberedChildren:
    """``append``/``extend`` for containers whose children are named "0", "1", ... in order."""

    def append(self, module):
        """Add ``module`` at the end. Returns self."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        """Append each module of ``modules`` in turn. Returns self."""
        for m in modules:
            self.append(m)
        return self


class Sequential(_NumberedChildren, Module):
    """Modules applied one after another, as ``torch.nn.Sequential``.

    Children are named ``'0'``, ``'1'``, ... (or by the keys of an
    ``OrderedDict``). Indexing gives a child, slicing a new ``Sequential``
    that keeps the original names; ``len``, iteration and ``append`` work as
    on a list.

    Examples
    --------
    >>> import autograd as ag, nn
    >>> _ = ag.manual_seed(0)
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> list(model.state_dict())
    ['0.weight', '0.bias', '2.weight', '2.bias']
    >>> model(ag.ones(5, 4)).shape
    (5, 2)
    >>> model[0]
    Linear(in_features=4, out_features=8, bias=True)
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        keys = list(self._modules)
        return self._modules[keys[_index(idx, len(keys), "Sequential")]]

    def __setitem__(self, idx, module):
        keys = list(self._modules)
        setattr(self, keys[_index(idx, len(keys), "Sequential")], module)

    def __delitem__(self, idx):
        keys = list(self._modules)
        if isinstance(idx, slice):
            for key in keys[idx]:
                delattr(self, key)
        else:
            delattr(self, keys[_index(idx, len(keys), "Sequential")])
        self._renumber()

    def _renumber(self):
        """Keep the names '0', '1', ... contiguous after a deletion or an insertion, as PyTorch does."""
        items = list(self._modules.values())
        self._modules.clear()
        for i, module in enumerate(items):
            self._modules[str(i)] = module
            if module is not None and module._scope_name.isdigit():
                module.__dict__["_scope_name"] = str(i)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __add__(self, other):
        if not isinstance(other, Sequential):
            raise ValueError(f"add operator supports only objects of Sequential class, but {type(other)} is given.")
        return Sequential(*self, *other)

    def insert(self, index, module):
        """Insert ``module`` before position ``index``; later children are renumbered."""
        if not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        n = len(self._modules)
        if not -n <= index <= n:
            raise IndexError(f"Index out of range: {index}")
        if index < 0:
            index += n
        items = list(self._modules.values())
        items.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(items):
            self._modules[str(i)] = m
        if module._scope_name == "":
            module.__dict__["_scope_name"] = str(index)
        self._renumber()
        return self

    def pop(self, idx):
        """Remove the child at ``idx`` and return it; later children are renumbered."""
        module = self[idx]
        del self[idx]
        return module

    def forward(self, input):  # noqa: A002 - PyTorch's argument name
        """Feed ``input`` through each child in order and return the last output."""
        for module in self._modules.values():
            input = module(input)
        return input


class ModuleList(_NumberedChildren, Module):
    """A list of modules whose parameters are registered, as ``torch.nn.ModuleList``.

    >>> import nn
    >>> layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    >>> len(layers), list(layers.state_dict())[:2]
    (3, ['0.weight', '0.bias'])
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            out = ModuleList()
            for module in list(self._modules.values())[idx]:
                out._modules[str(len(out._modules))] = module
            return out
        return self._modules[str(_index(idx, len(self._modules), "ModuleList"))]

    def __setitem__(self, idx, module):
        setattr(self, str(_index(idx, len(self._modules), "ModuleList")), module)

    def __delitem__(self, idx):
        keys = list(self._modules)
        if isinstance(idx, slice):
            for key in keys[idx]:
                del self._modules[key]
        else:
            del self._modules[keys[_index(idx, len(keys), "ModuleList")]]
        Sequential._renumber(self)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        return ModuleList(list(self) + list(other))

    def insert(self, index, module):
        """Insert ``module`` before position ``index``; later entries are renumbered."""
        Sequential.insert(self, index, module)

    def pop(self, idx=-1):
        """Remove the entry at ``idx`` (the last by default) and return it."""
        module = self[idx]
        del self[idx]
        return module

    def forward(self, *args, **kwargs):
        """Not defined: a ``ModuleList`` is iterated by the parent module's ``forward``."""
        raise NotImplementedError("ModuleList has no forward(); iterate over it in the parent module's forward()")

    def __repr__(self):
        # PyTorch groups runs of identical layers: (0-2): 3 x Linear(...)
        if not self._modules:
            return "ModuleList()"
        reprs = [repr(m) for m in self._modules.values()]
        keys = list(self._modules)
        lines, start = [], 0
        for i in range(1, len(reprs) + 1):
            if i < len(reprs) and reprs[i] == reprs[start]:
                continue
            body = _indent(reprs[start])
            if i - start == 1:
                lines.append(f"({keys[start]}): {body}")
            else:
                lines.append(f"({keys[start]}-{keys[i - 1]}): {i - start} x {body}")
            start = i
        return "ModuleList(\n  " + "\n  ".join(lines) + "\n)"


def _indent(text):
    parts = text.split("\n")
    return parts[0] + "".join("\n  " + p for p in parts[1:])


class ModuleDict(Module):
    """An ordered dict of modules whose parameters are registered, as ``torch.nn.ModuleDict``."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def keys(self):
        """The names of the modules, in insertion order."""
        return self._modules.keys()

    def items(self):
        """``(name, module)`` pairs, in insertion order."""
        return self._modules.items()

    def values(self):
        """The modules, in insertion order."""
        return self._modules.values()

    def clear(self):
        """Remove every module."""
        self._modules.clear()

    def pop(self, key):
        """Remove the module named ``key`` and return it."""
        module = self._modules[key]
        del self[key]
        return module

    def update(self, modules):
        """Add or replace modules from a mapping or an iterable of ``(name, module)`` pairs."""
        items = modules.items() if isinstance(modules, Mapping) else modules
        for entry in items:
            key, module = entry
            self[key] = module

    def forward(self, *args, **kwargs):
        """Not defined: the parent module's ``forward`` picks the entries it needs."""
        raise NotImplementedError("ModuleDict has no forward(); pick its entries in the parent module's forward()")


class ParameterList(Module):
    """A list of parameters registered as ``'0'``, ``'1'``, ..., as ``torch.nn.ParameterList``."""

    def __init__(self, values=None):
        super().__init__()
        for v in values or ():
            self.append(v)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ParameterList(list(self._parameters.values())[idx])
        return self._parameters[str(_index(idx, len(self._parameters), "ParameterList"))]

    def __setitem__(self, idx, value):
        self.register_parameter(str(_index(idx, len(self._parameters), "ParameterList")), _as_parameter(value))

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def append(self, value):
        """Add ``value`` at the end, wrapped in a ``Parameter`` if it is not one. Returns self."""
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def extend(self, values):
        """Append each of ``values`` in turn. Returns self."""
        for v in values:
            self.append(v)
        return self

    def extra_repr(self):
        """One line per parameter with its dtype and size."""
        return "\n".join(
            f"({k}): Parameter containing: [{p.dtype} of size {'x'.join(map(str, p.shape))}]"
            for k, p in self._parameters.items()
        )


def _as_parameter(value):
    return value if isinstance(value, Parameter) else Parameter(value)
