"""``Optimizer``: the base class every optimizer in ``optim`` builds on.

It holds what all optimizers share: the parameter groups (each a dict of
parameters plus its own hyper-parameters), the per-parameter ``state``, the
checkpoint format (``state_dict`` / ``load_state_dict``, laid out as
PyTorch's so a run resumes exactly), ``zero_grad`` and the ``step`` loop.
A subclass validates its hyper-parameters and updates one parameter at a time
in ``_update``, in place on the parameter's numpy array.
"""

import copy
from collections import defaultdict

import numpy as np

import autograd as ag

__all__ = ["Optimizer", "state_tensor"]


class Optimizer:
    """Base class of all optimizers.

    Parameters
    ----------
    params : iterable
        The tensors to optimize, or dicts that each define a parameter group:
        ``{"params": [tensors], "lr": 0.1, ...}``. Keys a group leaves out take
        their value from ``defaults``. Pairs ``(name, tensor)`` (as from
        ``named_parameters()``) are accepted too; the names are kept in the
        group's ``"param_names"``.
    defaults : dict
        The default hyper-parameters of every group.

    Attributes
    ----------
    param_groups : list of dict
        One dict per group: ``"params"`` (a list of tensors) and the group's
        hyper-parameters. Schedulers and users change e.g. ``group["lr"]`` here.
    state : dict
        Per-parameter state, keyed by the parameter tensor itself (momentum
        buffers, moment estimates, step counts).
    defaults : dict
        The hyper-parameters given to the constructor.

    Notes
    -----
    Subclasses implement ``_update(param, grad, group, state)`` (one parameter,
    in place, numpy arrays) and ``_check_hyperparameters(values)``. ``step``
    calls ``_update`` for every parameter whose ``.grad`` is not None.

    Unlike PyTorch, which only warns, a parameter listed twice in one group is
    an error: it would be updated twice per step.
    """

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.state = defaultdict(dict)
        self.param_groups = []
        self._scratch_buffers = {}
        self._check_hyperparameters(self.defaults)

        if isinstance(params, ag.Tensor):
            raise TypeError(
                f"{self._name}: params should be an iterable of Tensors or of dicts, but got a single Tensor; "
                "wrap it in a list: [tensor]"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(_SET_MESSAGE.format(name=self._name))
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError(f"{self._name} got an empty parameter list; pass at least one tensor to optimize")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ---- what subclasses provide ---------------------------------------------------------------
    def _check_hyperparameters(self, values):
        """Raise ValueError for an invalid hyper-parameter in ``values`` (the defaults or one group)."""

    def _update(self, param, grad, group, state):
        """Update ``param`` (a numpy array) in place from ``grad`` (a numpy array, not to be modified)."""
        raise NotImplementedError(f"{self._name} must implement _update(param, grad, group, state) or step()")

    def _init_state(self, param, group, state):
        """Fill the empty ``state`` of ``param`` before its first update."""

    # ---- groups ---------------------------------------------------------------------------------
    @property
    def _name(self):
        return type(self).__name__

    def add_param_group(self, param_group):
        """Add a group of parameters with its own hyper-parameters.

        Useful when fine-tuning: layers that were frozen can join training
        later with, say, a smaller learning rate.

        Parameters
        ----------
        param_group : dict
            ``{"params": tensor or iterable of tensors, **hyper_parameters}``;
            missing hyper-parameters take the optimizer's defaults.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"{self._name}: a param group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{self._name}: a param group dict needs a 'params' entry (the tensors to optimize)")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, ag.Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(_SET_MESSAGE.format(name=self._name))
        else:
            params = list(params)

        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError(
                    f"{self._name}: give every parameter of a group a name, or none: "
                    "mix (name, tensor) pairs and bare tensors in separate optimizers"
                )
            group["param_names"] = names
        group["params"] = params
        if len(params) == 0:
            raise ValueError(
                f"{self._name}: param group {len(self.param_groups)} has an empty parameter list; "
                "pass at least one tensor"
            )

        for index, p in enumerate(params):
            if not isinstance(p, ag.Tensor):
                raise TypeError(
                    f"{self._name} can only optimize Tensors, but parameter {index} of group "
                    f"{len(self.param_groups)} is a {type(p).__name__}"
                )
            if not (p.is_leaf or p.retains_grad):
                raise ValueError(
                    f"{self._name} can't optimize a non-leaf Tensor (parameter {index} of group "
                    f"{len(self.param_groups)}); optimize the leaf it was computed from, or detach() it "
                    "and set requires_grad=True"
                )

        for key, default in self.defaults.items():
            group.setdefault(key, default)
        self._check_hyperparameters(group)

        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            raise ValueError(
                f"{self._name}: param group {len(self.param_groups)} lists the same parameter more than once; "
                "list each parameter once"
            )
        for other_index, other in enumerate(self.param_groups):
            if ("param_names" in other) != ("param_names" in group):
                raise ValueError(
                    f"{self._name}: all param groups must be given with names or all without; "
                    f"cannot add a group {'with' if 'param_names' in group else 'without'} names"
                )
            if not {id(p) for p in other["params"]}.isdisjoint(ids):
                raise ValueError(
                    f"{self._name}: some parameters appear in more than one parameter group "
                    f"(group {other_index} and the new group {len(self.param_groups)}); "
                    "give each parameter to exactly one group"
                )
        self.param_groups.append(group)

    # ---- the training-loop calls ----------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized parameters.

        Parameters
        ----------
        set_to_none : bool
            Set ``.grad`` to None (the default, cheaper, and lets ``step`` skip
            parameters that got no gradient) instead of filling it with zeros.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad = False
                    p.grad.data.fill(0)

    def step(self, closure=None):
        """Update every parameter that has a gradient, once.

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model and returns the loss (zeroing gradients and
            calling ``backward()`` itself). It runs with grad mode on.

        Returns
        -------
        The closure's return value, or None without a closure.
        """
        loss = None
        if closure is not None:
            with ag.enable_grad():
                loss = closure()
        updated = []
        with ag.no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    if len(state) == 0:
                        self._init_state(p.data, group, state)
                    self._update(p.data, _grad_array(p, self._name), group, state)
                    updated.append(p)
        # the updates wrote into the arrays with numpy: tell the engine, so that a graph that saved
        # the old values refuses to backward, as after PyTorch's in-place updates
        ag.graph.increment_version(updated)
        return loss

    # ---- checkpoints ----------------------------------------------------------------------------
    def state_dict(self):
        """The optimizer's state as a dict, in PyTorch's layout.

        Returns
        -------
        dict
            ``{"state": {index: {key: value}}, "param_groups": [{..., "params": [index, ...]}]}``
            where parameters are replaced by their position across all groups
            (0, 1, 2, ... in group order). Arrays and tensors are copies, so
            the result does not change as training goes on.
        """
        index_of = {}
        groups = []
        for group in self.param_groups:
            packed = {key: copy.deepcopy(value) for key, value in group.items() if key != "params"}
            for p in group["params"]:
                index_of.setdefault(id(p), len(index_of))
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {}
        for p, values in self.state.items():
            key = index_of[id(p)] if isinstance(p, ag.Tensor) else p
            state[key] = {name: _copy_value(value) for name, value in values.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore the state saved by ``state_dict`` (of an optimizer over parameters of the same shapes).

        Parameters are matched by position: the i-th parameter of the saved
        groups gets the i-th parameter of this optimizer's groups. Hyper-
        parameters (``lr``, ...) are taken from the saved groups. State arrays
        are copied and cast to their parameter's dtype.
        """
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError(
                f"{self._name}.load_state_dict expects a dict with 'state' and 'param_groups' entries, "
                "as returned by state_dict()"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{self._name}.load_state_dict: the state dict has {len(saved_groups)} parameter groups but this "
                f"optimizer has {len(self.param_groups)}; build the optimizer with the same groups as the one saved"
            )
        for index, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"{self._name}.load_state_dict: parameter group {index} has {len(group['params'])} parameters "
                    f"but the saved group has {len(saved['params'])}; build the optimizer with the same groups as "
                    "the one saved"
                )

        param_of = {}
        for group, saved in zip(self.param_groups, saved_groups):
            for saved_index, p in zip(saved["params"], group["params"]):
                param_of[saved_index] = p

        state = defaultdict(dict)
        for key, values in state_dict["state"].items():
            if key in param_of:
                p = param_of[key]
                state[p] = {name: self._cast_state(p, name, value, key) for name, value in values.items()}
            else:
                state[key] = copy.deepcopy(values)

        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            new_group = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            new_group["params"] = group["params"]
            for key, default in self.defaults.items():  # a checkpoint from before an option existed
                new_group.setdefault(key, default)
            if "param_names" in group and "param_names" not in saved:
                new_group["param_names"] = group["param_names"]
            new_groups.append(new_group)

        self.state = state
        self.param_groups = new_groups

    def _cast_state(self, param, name, value, index):
        """A copy of one saved state value, as a Tensor of ``param``'s dtype when it is an array."""
        if isinstance(value, ag.Tensor):
            value = value.data
        if name == "step":  # a step count, kept as a Python number (PyTorch saves a float tensor)
            count = float(value)
            return int(count) if count.is_integer() else count
        if not isinstance(value, np.ndarray):
            return copy.deepcopy(value)
        if value.ndim != 0 and value.shape != param.shape:
            raise ValueError(
                f"{self._name}.load_state_dict: state '{name}' of parameter {index} has shape {value.shape} but "
                f"the parameter has shape {param.shape}; the saved optimizer was built for different parameters"
            )
        dtype = param.dtype if value.dtype.kind in "fc" else value.dtype
        return ag.Tensor(np.array(value, dtype=dtype, copy=True))

    # ---- helpers for subclasses -----------------------------------------------------------------
    def _scratch(self, like, slot=0):
        """A reusable work array shaped like ``like``: updates write temporaries here instead of allocating.

        One flat buffer per (dtype, slot), as large as the largest parameter
        seen, shared by all parameters as views of their shape (an MLP's
        784x512, 512x256 ... weights need 1.6 MB of scratch, not 2.1); its
        contents are garbage between calls.
        """
        key = (like.dtype.str, slot)
        buffer = self._scratch_buffers.get(key)
        if buffer is None or buffer.size < like.size:
            buffer = self._scratch_buffers[key] = np.empty(like.size, like.dtype)
        return buffer[: like.size].reshape(like.shape)

    def _effective_grad(self, param, grad, weight_decay, maximize):
        """``-grad`` if maximizing, plus ``weight_decay * param``; ``grad`` itself when neither applies.

        The result lives in scratch slot 0 when it is not ``grad``, so ``grad``
        (the user's ``.grad``) is never modified.
        """
        if weight_decay == 0 and not maximize:
            return grad
        out = self._scratch(param, 0)
        if weight_decay == 0:
            return np.negative(grad, out=out)
        np.multiply(param, weight_decay, out=out)
        if maximize:
            return np.subtract(out, grad, out=out)
        return np.add(out, grad, out=out)

    def __repr__(self):
        lines = [f"{self._name} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines) + "\n)"

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._scratch_buffers = {}


_SET_MESSAGE = (
    "{name}: parameters must be given in an ordered collection (a list), not a set, whose order changes "
    "between runs and would break state_dict(); pass list(...) of them"
)


def state_tensor(array):
    """Wrap a state array (owned by the optimizer, not copied) in a Tensor, as PyTorch's state holds tensors."""
    return ag.Tensor(array)


def _grad_array(param, name):
    """The numpy array of ``param.grad``, checked to match the parameter's shape."""
    grad = param.grad.data
    if grad.shape != param.data.shape:
        raise RuntimeError(
            f"{name}.step: a parameter of shape {param.data.shape} has a gradient of shape {grad.shape}; "
            "the gradient must have the parameter's shape"
        )
    return grad


def _copy_value(value):
    """A deep copy of one state value; tensors become new tensors with copied arrays."""
    if isinstance(value, ag.Tensor):
        return ag.Tensor(value.data.copy())
    if isinstance(value, np.ndarray):
        return value.copy()
    return copy.deepcopy(value)
