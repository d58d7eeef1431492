"""Fit a line with the engine alone: forward, loss, backward, update, and watch the loss fall."""

import numpy as np

import autograd as ag


def main(steps=200, lr=0.1):
    ag.manual_seed(0)
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.uniform(-1, 1, size=(256, 3)).astype(np.float32))
    true_w = ag.tensor([[2.0], [-3.0], [0.5]])
    y = x @ true_w + 1.0
    w = ag.zeros(3, 1, requires_grad=True)
    b = ag.zeros(1, requires_grad=True)
    for step in range(steps + 1):
        loss = ((x @ w + b - y) ** 2).mean()
        w.grad = b.grad = None
        loss.backward()
        with ag.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        if step % 40 == 0:
            print(f"step {step:4d}  loss {loss.item():.6f}")
    print("learned w", np.round(w.data.ravel(), 3), "b", np.round(b.data, 3))


if __name__ == "__main__":
    main()
