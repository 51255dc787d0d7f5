"""The spiral training benchmark in JAX (jit, CPU, float64): the same problem, weights and steps
as spiral-bench, the whole loop compiled as one `lax.fori_loop`.

usage: python spiral_jax.py PROBLEM.json STEPS REPEATS   → one JSON line on stdout
Threads: set XLA_FLAGS before starting (run.sh pins one thread for the single-core comparison).
"""
import json, sys, time
import jax
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")
import jax.numpy as jnp

problem = json.load(open(sys.argv[1]))
steps, repeats = int(sys.argv[2]), int(sys.argv[3])
X = jnp.array(problem["inputs"], dtype=jnp.float64); T = jnp.array(problem["targets"], dtype=jnp.float64)
lr = problem["learning_rate"]; n = X.shape[0]


def forward(W1, b1, W2, b2):
    z1 = X @ W1.T + b1; a1 = jnp.maximum(z1, 0)
    z2 = a1 @ W2.T + b2
    e = jnp.exp(z2 - z2.max(axis=1, keepdims=True)); a2 = e / e.sum(axis=1, keepdims=True)
    return z1, a1, a2


@jax.jit
def loss(params):
    a2 = forward(*params)[2]
    return -(T * jnp.log(a2)).sum() / n


def step(_, params):
    W1, b1, W2, b2 = params
    z1, a1, a2 = forward(W1, b1, W2, b2)
    d2 = (a2 - T) / n
    gW2 = d2.T @ a1; gb2 = d2.sum(axis=0)
    d1 = (d2 @ W2) * (z1 > 0)
    gW1 = d1.T @ X; gb1 = d1.sum(axis=0)
    return (W1 - lr * gW1, b1 - lr * gb1, W2 - lr * gW2, b2 - lr * gb2)


@jax.jit
def train(params):
    return jax.lax.fori_loop(0, steps, step, params)


initial = tuple(jnp.array(problem[k], dtype=jnp.float64) for k in ("W1", "b1", "W2", "b2"))
compile_start = time.perf_counter()
jax.block_until_ready(train(initial))  # compiles (and runs once)
compile_and_first = time.perf_counter() - compile_start
times = []
for _ in range(repeats):
    start = time.perf_counter()
    result = jax.block_until_ready(train(initial))
    times.append(time.perf_counter() - start)
print(json.dumps({
    "implementation": "jax", "steps": steps, "seconds": min(times), "median_seconds": sorted(times)[len(times) // 2], "final_loss": float(loss(result)),
    "first_run_seconds_with_compile": compile_and_first, "jax": jax.__version__,
}))
