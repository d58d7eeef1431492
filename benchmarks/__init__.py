"""Side-by-side benchmarks: tapegrad, a hand-written numpy reference, and PyTorch when installed."""
