"""``Module``: the base class of every layer and model, with PyTorch's registration and state-dict rules."""

import itertools
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

import autograd as ag

from ..parameter import Parameter

__all__ = ["Module", "RemovableHandle"]


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it did not find and the keys it did not use."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class RemovableHandle:
    """Returned by the ``register_*_hook`` methods; ``remove()`` unregisters the hook (also a context manager)."""

    _ids = itertools.count()

    def __init__(self, hooks_dict):
        self._hooks = hooks_dict
        self.id = next(RemovableHandle._ids)

    def remove(self):
        """Unregister the hook; removing it twice is harmless."""
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False


def _addindent(text, spaces):
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


class Module:
    """Base class for all layers and models, as ``torch.nn.Module``.

    Subclasses set their parts as attributes in ``__init__`` (after calling
    ``super().__init__()``) and define ``forward``. A ``Parameter`` assigned
    to an attribute is registered as a parameter, a ``Module`` as a child;
    ``register_buffer`` adds a tensor that is part of the state but not
    trained (running statistics). Calling the module runs its forward
    pre-hooks, ``forward`` and forward hooks; every op recorded during
    ``forward`` is tagged with the module's naming scope (its attribute name
    in its parent, and its class), which the graph exporter draws as a
    cluster.

    >>> import nn
    >>> class MLP(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc1 = nn.Linear(4, 8)
    ...         self.fc2 = nn.Linear(8, 2)
    ...     def forward(self, x):
    ...         return self.fc2(nn.functional.relu(self.fc1(x)))
    >>> list(MLP().state_dict())
    ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
    """

    training: bool

    def __init__(self):
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()
        d["_scope_name"] = ""

    def forward(self, *args, **kwargs):
        """The computation of the module: every subclass defines it. Call the module (``m(x)``), not ``forward``."""
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    # ---- calling --------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if self._forward_pre_hooks:
            for hook, with_kwargs in list(self._forward_pre_hooks.values()):
                if with_kwargs:
                    result = hook(self, args, kwargs)
                    if result is not None:
                        if not (isinstance(result, tuple) and len(result) == 2):
                            raise RuntimeError(
                                f"forward pre-hook must return None or a tuple of (new_args, new_kwargs), but got {result}."
                            )
                        args, kwargs = result
                else:
                    result = hook(self, args)
                    if result is not None:
                        args = result if isinstance(result, tuple) else (result,)
        with ag.name_scope(self._scope_name, type(self).__name__):
            out = self.forward(*args, **kwargs)
        if self._forward_hooks:
            for hook, with_kwargs in list(self._forward_hooks.values()):
                result = hook(self, args, kwargs, out) if with_kwargs else hook(self, args, out)
                if result is not None:
                    out = result
        return out

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call ``hook(module, args)`` before ``forward``; a non-None return replaces the positional args.

        With ``with_kwargs=True`` the hook is ``hook(module, args, kwargs)`` and may return ``(args, kwargs)``.
        """
        return self._add_hook(self._forward_pre_hooks, hook, prepend, with_kwargs)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """Call ``hook(module, args, output)`` after ``forward``; a non-None return replaces the output.

        With ``with_kwargs=True`` the hook is ``hook(module, args, kwargs, output)``.
        """
        return self._add_hook(self._forward_hooks, hook, prepend, with_kwargs)

    @staticmethod
    def _add_hook(hooks, hook, prepend, with_kwargs):
        if not callable(hook):
            raise TypeError(f"hook must be callable, got {type(hook).__name__}")
        handle = RemovableHandle(hooks)
        hooks[handle.id] = (hook, with_kwargs)
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    # ---- registration -----------------------------------------------------------------------------
    def _check_init(self, what):
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {what} before Module.__init__() call; call super().__init__() first in "
                f"{type(self).__name__}.__init__"
            )

    def _check_name(self, name, kind, existing):
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
        if hasattr(self, name) and name not in existing:
            raise KeyError(f"attribute '{name}' already exists")

    def register_buffer(self, name, tensor, persistent=True):
        """Add a tensor that belongs to the module's state but is not a parameter (e.g. ``running_mean``).

        ``persistent=False`` keeps it out of ``state_dict()``. ``tensor`` may be None.
        """
        self._check_init("buffer")
        self._check_name(name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, ag.Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' (Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name, param):
        """Add a parameter (a ``Parameter`` or None) under ``name``."""
        self._check_init("parameter")
        self._check_name(name, "parameter", self._parameters)
        if param is not None:
            if not isinstance(param, Parameter):
                raise TypeError(
                    f"cannot assign '{type(param).__name__}' object to parameter '{name}' (nn.Parameter or None "
                    "required); wrap it: nn.Parameter(tensor)"
                )
            if param.grad_fn is not None:
                raise ValueError(
                    f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be created "
                    "explicitly; to express '{name}' as a function of another Tensor, compute the value in forward()."
                )
        self._parameters[name] = param

    def add_module(self, name, module):
        """Add a child module under ``name`` (attribute assignment does the same)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_init("module")
        self._check_name(name, "module", self._modules)
        self._modules[name] = module
        if module is not None and module._scope_name == "":
            module.__dict__["_scope_name"] = name

    register_module = add_module

    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            self._check_init("parameters")
            _remove_from(name, d, d["_buffers"], d["_modules"])
            d["_non_persistent_buffers_set"].discard(name)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' (nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            self._check_init("module")
            _remove_from(name, d, d["_parameters"], d["_buffers"])
            d["_non_persistent_buffers_set"].discard(name)
            d["_modules"][name] = value
            if value._scope_name == "":
                value.__dict__["_scope_name"] = name
        elif d.get("_modules") is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' (nn.Module or None expected)")
            d["_modules"][name] = None
        elif d.get("_buffers") is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, ag.Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)")
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            table = d.get(store)
            if table is not None and name in table:
                return table[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if name in d[store]:
                del d[store][name]
                d["_non_persistent_buffers_set"].discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        keys = list(super().__dir__()) + list(self._parameters) + list(self._buffers) + list(self._modules)
        return sorted(k for k in set(keys) if not k[0].isdigit())

    # ---- iteration over parts ------------------------------------------------------------------
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """Yield ``(dotted_name, module)`` for this module and all below it, depth first (root's name is '')."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self):
        """Yield this module and every module below it, each once, depth first."""
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        """Yield ``(name, module)`` for the direct children, each once."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self):
        """Yield the direct children, each once."""
        for _, m in self.named_children():
            yield m

    def _named_members(self, get_members, prefix, recurse, remove_duplicate):
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for mod_prefix, module in modules:
            for name, value in get_members(module):
                if value is None:
                    continue
                if remove_duplicate:
                    if id(value) in seen:
                        continue
                    seen.add(id(value))
                yield mod_prefix + ("." if mod_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """Yield ``(dotted_name, parameter)``, each shared parameter once, in registration order."""
        return self._named_members(lambda m: m._parameters.items(), prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        """Yield every parameter (of the children too, unless ``recurse=False``), each shared one once."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        """Yield ``(dotted_name, buffer)`` for every buffer, persistent or not."""
        return self._named_members(lambda m: m._buffers.items(), prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        """Yield every buffer (of the children too, unless ``recurse=False``)."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target):
        """The module at dotted path ``target`` ('' is this module)."""
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if not isinstance(mod, Module) or item not in mod._modules:
                raise AttributeError(f"{mod._get_name()} has no attribute `{item}` (looking up '{target}')")
            mod = mod._modules[item]
        return mod

    def get_parameter(self, target):
        """The parameter at dotted path ``target``, e.g. ``'fc1.weight'``."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if name not in mod._parameters:
            raise AttributeError(f"{mod._get_name()} has no parameter `{name}`")
        return mod._parameters[name]

    def get_buffer(self, target):
        """The buffer at dotted path ``target``, e.g. ``'bn.running_mean'``."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if name not in mod._buffers:
            raise AttributeError(f"{mod._get_name()} has no buffer `{name}`")
        return mod._buffers[name]

    # ---- modes and gradients --------------------------------------------------------------------
    def train(self, mode=True):
        """Set training mode here and below (dropout, batch norm behave accordingly). Returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self):
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Switch ``requires_grad`` of every parameter (freeze with False). Returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Clear the gradients of all parameters: set them to None (default) or fill them with zeros."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                if p.grad.grad_fn is not None:
                    p.grad = p.grad.detach()
                else:
                    p.grad.requires_grad = False
                with ag.no_grad():
                    p.grad.zero_()

    def apply(self, fn):
        """Call ``fn(m)`` on every child (recursively) and then on this module, e.g. to initialise weights."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- dtype ------------------------------------------------------------------------------------
    def _apply(self, fn):
        """Replace the array of every parameter, gradient and buffer by ``fn(array)``, keeping the objects."""
        for module in self.modules():
            for p in module._parameters.values():
                if p is None:
                    continue
                p.data = fn(p.data)
                if p.grad is not None:
                    p.grad.data = fn(p.grad.data)
            for b in module._buffers.values():
                if b is not None:
                    b.data = fn(b.data)
        return self

    def to(self, *args, **kwargs):
        """Cast the floating-point parameters and buffers to a floating dtype: ``to(ag.float64)``.

        Device arguments ('cpu') are accepted and ignored; integer buffers keep their dtype.
        """
        dtype = kwargs.get("dtype")
        for a in list(args) + [kwargs.get("device"), kwargs.get("tensor")]:
            if a is None or (isinstance(a, str) and a.split(":")[0] in ("cpu", "cuda", "mps", "meta")):
                continue
            dtype = a.dtype if isinstance(a, ag.Tensor) else a
        if dtype is None:
            return self
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"Module.to: expected a dtype such as autograd.float64, got {dtype!r}") from None
        if dtype.kind not in "fc":
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired dtype={dtype}")
        return self._apply(lambda a: a.astype(dtype) if a.dtype.kind in "fc" and a.dtype != dtype else a)

    def float(self):
        """Cast the floating-point parameters and buffers to float32. Returns self."""
        return self.to(ag.float32)

    def double(self):
        """Cast the floating-point parameters and buffers to float64. Returns self."""
        return self.to(ag.float64)

    def half(self):
        """Cast the floating-point parameters and buffers to float16. Returns self."""
        return self.to(ag.float16)

    def type(self, dst_type):
        """``to(dst_type)``: cast the floating-point parameters and buffers. Returns self."""
        return self.to(dst_type)

    def cpu(self):
        """Return self: there is only one device."""
        return self

    # ---- state dict ---------------------------------------------------------------------------------
    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        """An ``OrderedDict`` of every parameter and persistent buffer by dotted name.

        Per module: parameters, then buffers, each in registration order, then
        the children's entries: the same keys in the same order as PyTorch
        for the same architecture. Values are detached tensors sharing memory
        with the module (``keep_vars=True`` gives the objects themselves).
        """
        if args:  # PyTorch's old positional form state_dict(destination, prefix, keep_vars)
            destination = args[0]
            prefix = args[1] if len(args) > 1 else prefix
            keep_vars = args[2] if len(args) > 2 else keep_vars
        if destination is None:
            destination = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        return destination

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy parameters and buffers from ``state_dict`` into this module.

        Returns ``(missing_keys, unexpected_keys)``. Everything is checked
        before anything is copied: with ``strict=True`` a missing or an
        unexpected key is an error, and a shape mismatch is always one; the
        error lists every offending key (with both shapes) and the module is
        left unchanged. Values are cast to each parameter's dtype, as
        ``Tensor.copy_`` does. ``assign=True`` makes the parameters use the
        given arrays instead of copying into them.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict and missing:
            errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
        if strict and unexpected:
            errors.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". ")
        arrays = {}
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            if isinstance(value, ag.Tensor):
                arr = value.data
            elif isinstance(value, (np.ndarray, np.generic, int, float, bool, list)):
                arr = np.asarray(value)
            else:
                errors.append(
                    f'While copying the parameter named "{key}", expected a Tensor or numpy array from the '
                    f"checkpoint but received {type(value).__name__}"
                )
                continue
            if arr.shape != target.data.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {tuple(arr.shape)} from checkpoint, "
                    f"the shape in current model is {tuple(target.data.shape)}."
                )
                continue
            arrays[key] = arr
        if errors:
            if unexpected and missing and strict:
                errors.append(
                    "(The key names differ: was the checkpoint saved from a different architecture, or from a "
                    "model wrapped in another module?)"
                )
            raise RuntimeError(f"Error(s) in loading state_dict for {self._get_name()}:\n\t" + "\n\t".join(errors))
        with ag.no_grad():
            for key, arr in arrays.items():
                target = own[key]
                if assign:
                    target.data = arr
                else:
                    target.copy_(arr)
        return _IncompatibleKeys(missing, unexpected)

    def save(self, path):
        """Write ``state_dict()`` to ``path`` in the safetensors format (see :func:`nn.save`)."""
        from ..serialization import save

        save(self.state_dict(), path)

    def summary(self, input_size=None, dtype=None, **kwargs):
        """A table of the leaf layers' output shapes and parameter counts (see :func:`nn.summary`)."""
        from ..summary import summary

        return summary(self, input_size, dtype=dtype, **kwargs)

    # ---- repr ---------------------------------------------------------------------------------------
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        """The text inside this module's parentheses in ``repr``; layers override it."""
        return ""

    def _layer_repr(self):
        """``Name(extra_repr)`` on one line: how error messages name a layer."""
        return f"{self._get_name()}({self.extra_repr()})"

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2) for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"


def _remove_from(name, *dicts):
    for d in dicts:
        if name in d:
            del d[name]
