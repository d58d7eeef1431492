"""``summary``: a table of a model's layers, output shapes and parameter counts, like torchinfo or Keras."""

import numpy as np

import autograd as ag

__all__ = ["summary", "ModelSummary"]


class ModelSummary:
    """The result of :func:`summary`: ``rows`` of ``(name, class, output shape, params)`` and the totals.

    ``str()`` (and the REPL's display) is the table.
    """

    def __init__(self, model_name, input_size, rows, total_params, trainable_params):
        self.model_name = model_name
        self.input_size = input_size
        self.rows = rows
        self.total_params = total_params
        self.trainable_params = trainable_params
        self.non_trainable_params = total_params - trainable_params

    def __str__(self):
        header = ("Layer (type)", "Output Shape", "Param #")
        body = [(f"{name} ({cls})", shape, f"{params:,}") for name, cls, shape, params in self.rows]
        widths = [max(len(r[i]) for r in [header] + body) + 4 for i in range(3)]
        width = sum(widths)

        def line(cells):
            return cells[0].ljust(widths[0]) + cells[1].ljust(widths[1]) + cells[2].rjust(widths[2] - 4)

        out = [f'Model: "{self.model_name}"', "=" * width, line(header), "=" * width]
        out += [line(r) for r in body]
        out += [
            "=" * width,
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.non_trainable_params:,}",
            "=" * width,
        ]
        if self.input_size is not None:
            out.insert(1, f"Input size: {self.input_size}")
        return "\n".join(out)

    __repr__ = __str__


def _shape_str(out):
    if isinstance(out, ag.Tensor):
        return str(list(out.shape))
    if isinstance(out, (tuple, list)):
        return ", ".join(_shape_str(o) for o in out)
    return type(out).__name__


def summary(model, input_size=None, dtype=None, input_data=None, batch_dim=None):
    """Run one forward pass under ``no_grad`` and tabulate each leaf layer that ran.

    ``input_size`` is the full input shape including the batch dim, e.g.
    ``(32, 1, 28, 28)`` (or a list of shapes for several inputs); inputs are
    random values of ``dtype`` (float32 by default; zeros for integer dtypes)
    drawn from a private generator, so the library's random stream is not
    disturbed. Alternatively pass ``input_data`` (a tensor or a tuple).
    The model runs in eval mode (no batch-norm statistics are updated) and
    its mode is restored afterwards. Totals count every parameter once,
    split into trainable (``requires_grad``) and non-trainable.

    Examples
    --------
    >>> import nn
    >>> s = nn.summary(nn.Sequential(nn.Linear(4, 3), nn.ReLU()), (2, 4))
    >>> s.total_params
    15
    >>> print(s)
    Model: "Sequential"
    Input size: (2, 4)
    ===========================================
    Layer (type)    Output Shape    Param #
    ===========================================
    0 (Linear)      [2, 3]               15
    1 (ReLU)        [2, 3]                0
    ===========================================
    Total params: 15
    Trainable params: 15
    Non-trainable params: 0
    ===========================================
    """
    if input_data is None:
        if input_size is None:
            raise ValueError("summary: pass input_size (with the batch dim), e.g. (32, 784), or input_data")
        dtype = np.dtype(dtype or ag.float32)
        sizes = [input_size] if all(isinstance(s, int) for s in input_size) else list(input_size)
        gen = ag.Generator().manual_seed(0)
        inputs = tuple(
            ag.rand(*s, dtype=dtype, generator=gen) if dtype.kind == "f" else ag.zeros(*s, dtype=dtype) for s in sizes
        )
    else:
        inputs = input_data if isinstance(input_data, tuple) else (input_data,)
        input_size = [tuple(x.shape) for x in inputs] if len(inputs) > 1 else tuple(inputs[0].shape)

    rows = []
    handles = []
    named = list(model.named_modules())
    for name, module in named:
        if next(module.children(), None) is not None and module is not model:
            continue
        if module is model and next(module.children(), None) is not None:
            continue

        def hook(mod, args, out, name=name):
            params = sum(p.numel() for p in mod.parameters())
            rows.append((name or type(mod).__name__, type(mod).__name__, _shape_str(out), params))

        handles.append(module.register_forward_hook(hook))

    modes = {m: m.training for _, m in named}
    model.eval()
    try:
        with ag.no_grad():
            model(*inputs)
    finally:
        for h in handles:
            h.remove()
        for m, mode in modes.items():
            m.__dict__["training"] = mode

    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    return ModelSummary(type(model).__name__, input_size, rows, total, trainable)
