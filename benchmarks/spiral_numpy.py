"""The spiral training benchmark in numpy: the same problem, weights and steps as spiral-bench.

usage: python spiral_numpy.py PROBLEM.json STEPS REPEATS   → one JSON line on stdout
"""
import json, sys, time
import numpy as np

problem = json.load(open(sys.argv[1]))
steps, repeats = int(sys.argv[2]), int(sys.argv[3])
X = np.array(problem["inputs"]); T = np.array(problem["targets"])
lr = problem["learning_rate"]; n = X.shape[0]


def loss(W1, b1, W2, b2):
    a1 = np.maximum(X @ W1.T + b1, 0)
    z2 = a1 @ W2.T + b2
    e = np.exp(z2 - z2.max(axis=1, keepdims=True)); a2 = e / e.sum(axis=1, keepdims=True)
    return -(T * np.log(a2)).sum() / n


def train(W1, b1, W2, b2):
    for _ in range(steps):
        z1 = X @ W1.T + b1; a1 = np.maximum(z1, 0)
        z2 = a1 @ W2.T + b2
        e = np.exp(z2 - z2.max(axis=1, keepdims=True)); a2 = e / e.sum(axis=1, keepdims=True)
        d2 = (a2 - T) / n                      # softmax + cross-entropy, mean over samples
        gW2 = d2.T @ a1; gb2 = d2.sum(axis=0)
        d1 = (d2 @ W2) * (z1 > 0)              # ReLU′ = 0 at 0, as the engine takes it
        gW1 = d1.T @ X; gb1 = d1.sum(axis=0)
        W1 = W1 - lr * gW1; b1 = b1 - lr * gb1; W2 = W2 - lr * gW2; b2 = b2 - lr * gb2
    return W1, b1, W2, b2


times = []
for _ in range(repeats):
    params = [np.array(problem[k]) for k in ("W1", "b1", "W2", "b2")]
    start = time.perf_counter()
    params = train(*params)
    times.append(time.perf_counter() - start)

info = {}
try:
    from threadpoolctl import threadpool_info
    info = next((p for p in threadpool_info() if p.get("user_api") == "blas"), {})
except ImportError:
    pass
print(json.dumps({
    "implementation": "numpy", "steps": steps, "seconds": min(times), "median_seconds": sorted(times)[len(times) // 2], "final_loss": float(loss(*params)),
    "blas": f"{info.get('internal_api', '?')} {info.get('version', '?')} {info.get('architecture', '?')} kernel, {info.get('num_threads', '?')} thread(s)",
    "numpy": np.__version__,
}))
