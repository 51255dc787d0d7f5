#!/usr/bin/env python3
"""Independent float64 reference for the Backprop engine, written in JAX.

Builds small dense networks, runs them forward, takes every derivative with jax.grad
(nothing here is a hand-derived backprop formula), applies torch.optim's SGD, RMSprop and
Adam update rules, and writes the cases with every float in full precision (repr) to
Tests/BackpropTests/Fixtures/reference-cases.json.

Run from anywhere: python3 reference/generate.py [--out PATH] [--count N] [--seed S]
"""

import argparse
import functools
import json
import math
import os

import numpy as np

import jax
import jax.numpy as jnp

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

HIDDEN_ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky-relu", "linear"]

# (loss, output activation): every loss, every output activation the brief lists, plus
# softmax under a squared error (the engine's softmax Jacobian path, not the fused one) and
# a leaky-relu output.
LOSS_OUTPUTS = [
    ("half-squared-error", "sigmoid"),
    ("half-squared-error", "tanh"),
    ("half-squared-error", "linear"),
    ("mean-squared-error", "sigmoid"),
    ("mean-squared-error", "tanh"),
    ("mean-squared-error", "linear"),
    ("cross-entropy", "softmax"),
    ("binary-cross-entropy", "sigmoid"),
    ("half-squared-error", "softmax"),
    ("mean-squared-error", "leaky-relu"),
    ("cross-entropy", "softmax"),
    ("binary-cross-entropy", "sigmoid"),
]

OPTIMIZER_VARIANTS = [
    "sgd",
    "sgd+wd",
    "sgd+momentum",
    "sgd+momentum+dampening",
    "sgd+momentum+dampening+wd",
    "sgd+nesterov",
    "sgd+nesterov+wd",
    "rmsprop",
    "rmsprop+momentum",
    "rmsprop+momentum+wd",
    "rmsprop+wd",
    "adam",
    "adam+wd",
]

KINK_MARGIN = 0.01  # |z| of every relu / leaky-relu neuron stays at least this far from 0


# ----------------------------------------------------------------------------------------
# The model, in JAX
#
# `arch` is a hashable description of the network: ((activation, slope) per layer, loss,
# reduction). The functions are jitted with it static, so each case compiles once per shape.


def activate(name, slope, z):
    if name == "sigmoid":
        return jax.nn.sigmoid(z)
    if name == "tanh":
        return jnp.tanh(z)
    if name == "relu":
        return jnp.where(z > 0, z, 0.0)
    if name == "leaky-relu":
        return jnp.where(z > 0, z, slope * z)
    if name == "linear":
        return z
    if name == "softmax":
        return jax.nn.softmax(z, axis=1)
    raise ValueError(name)


def per_sample_error(loss, out_activation, z, a, t):
    """E_n for every sample n (a vector), from the output layer's z and a = f(z)."""
    k = a.shape[1]
    if loss == "half-squared-error":
        return jnp.sum(0.5 * (t - a) ** 2, axis=1)
    if loss == "mean-squared-error":
        return jnp.sum((t - a) ** 2, axis=1) / k
    if loss == "cross-entropy":
        # −Σ t ln a with a = softmax(z); ln softmax taken in its stable form.
        assert out_activation == "softmax"
        return -jnp.sum(t * jax.nn.log_softmax(z, axis=1), axis=1)
    if loss == "binary-cross-entropy":
        # −Σ [t ln a + (1 − t) ln(1 − a)] with a = σ(z); ln σ(z) and ln(1 − σ(z)) = ln σ(−z).
        assert out_activation == "sigmoid"
        return -jnp.sum(t * jax.nn.log_sigmoid(z) + (1 - t) * jax.nn.log_sigmoid(-z), axis=1)
    raise ValueError(loss)


def forward(arch, params, x, shifts=None):
    """z and a of every layer; `shifts[l]` is added to z_l (zero: it is there to differentiate by)."""
    layers, _, _ = arch
    zs, acts = [], []
    prev = x
    for l, ((name, slope), (w, b)) in enumerate(zip(layers, params)):
        z = prev @ w.T + b
        if shifts is not None:
            z = z + shifts[l]
        a = activate(name, slope, z)
        zs.append(z)
        acts.append(a)
        prev = a
    return zs, acts


def errors(arch, params, x, t, shifts=None):
    layers, loss, _ = arch
    zs, acts = forward(arch, params, x, shifts)
    return per_sample_error(loss, layers[-1][0], zs[-1], acts[-1], t)


def reduce(arch, e):
    return jnp.mean(e) if arch[2] == "mean" else jnp.sum(e)


def reduced_error(params, arch, x, t):
    return reduce(arch, errors(arch, params, x, t))


def summed_error_of_shifts(shifts, arch, params, x, t):
    return jnp.sum(errors(arch, params, x, t, shifts))


@functools.partial(jax.jit, static_argnums=0)
def evaluate(arch, params, x, t):
    """Forward pass, E_n, E, δ per layer (per sample, unreduced) and the gradients of E."""
    zs, acts = forward(arch, params, x)
    e = errors(arch, params, x, t)
    # δ_l = ∂(Σ_n E_n)/∂z_l: differentiate with respect to a zero shift added to each z_l.
    zero = [jnp.zeros_like(z) for z in zs]
    deltas = jax.grad(summed_error_of_shifts)(zero, arch, params, x, t)
    grads = jax.grad(reduced_error)(params, arch, x, t)
    return zs, acts, e, reduce(arch, e), deltas, grads


# ----------------------------------------------------------------------------------------
# torch.optim's update rules (SGD, RMSprop non-centered, Adam without amsgrad)


def optimizer_step(opt, p, g, state, step):
    """One update of tensor p with gradient g; returns (p, state). `step` is 1-based (traced)."""
    kind, lr, wd, h = opt
    h = dict(h)
    if wd != 0:
        g = g + wd * p
    if kind == "sgd":
        mu, damp = h["momentum"], h["dampening"]
        if mu != 0:
            # torch: the buffer is a copy of g on the first step, μ·buf + (1 − dampening)·g after.
            buf = jnp.where(step == 1, g, mu * state["buf"] + (1 - damp) * g)
            state = {**state, "buf": buf}
            g = g + mu * buf if h["nesterov"] else buf
        return p - lr * g, state
    if kind == "rmsprop":
        alpha, eps, mu = h["alpha"], h["epsilon"], h["momentum"]
        sq = alpha * state["square_avg"] + (1 - alpha) * g * g
        state = {**state, "square_avg": sq}
        avg = jnp.sqrt(sq) + eps
        if mu > 0:
            buf = mu * state["buf"] + g / avg
            state = {**state, "buf": buf}
            return p - lr * buf, state
        return p - lr * (g / avg), state
    if kind == "adam":
        b1, b2, eps = h["beta1"], h["beta2"], h["epsilon"]
        m = b1 * state["exp_avg"] + (1 - b1) * g
        v = b2 * state["exp_avg_sq"] + (1 - b2) * g * g
        state = {**state, "exp_avg": m, "exp_avg_sq": v}
        bias_correction1 = 1 - jnp.power(b1, step)
        bias_correction2 = 1 - jnp.power(b2, step)
        step_size = lr / bias_correction1
        denom = jnp.sqrt(v) / jnp.sqrt(bias_correction2) + eps
        return p - step_size * (m / denom), state
    raise ValueError(kind)


def fresh_state(p):
    z = jnp.zeros_like(p)
    return {"buf": z, "square_avg": z, "exp_avg": z, "exp_avg_sq": z}


@functools.partial(jax.jit, static_argnums=(0, 1))
def update(opt, updates_biases, params, grads, states, step):
    new_params, new_states = [], []
    for (w, b), (gw, gb), (sw, sb) in zip(params, grads, states):
        w, sw = optimizer_step(opt, w, gw, sw, step)
        if updates_biases:
            b, sb = optimizer_step(opt, b, gb, sb, step)
        new_params.append((w, b))
        new_states.append((sw, sb))
    return new_params, new_states


def batch_rows(iteration, batch_size, n):
    per_epoch = -(-n // batch_size)
    position = iteration % per_epoch
    return list(range(position * batch_size, min((position + 1) * batch_size, n)))


def simulate(spec, opt, x, t, batch_size, iterations):
    """Trains like Network.train with the simultaneous update order; returns what to record."""
    arch = (tuple((l["activation"], l["slope"]) for l in spec["layers"]), spec["loss"], spec["reduction"])
    opt_key = (opt["kind"], opt["learning_rate"], opt["weight_decay"],
               tuple(sorted((k, v) for k, v in opt.items() if k not in ("kind", "learning_rate", "weight_decay"))))
    params = [(jnp.asarray(l["weights"]), jnp.asarray(l["biases"])) for l in spec["layers"]]
    states = [(fresh_state(w), fresh_state(b)) for w, b in params]
    kink_z = []  # every z of a relu / leaky-relu layer met on the way
    first = None
    history = []
    for k in range(iterations):
        rows = batch_rows(k, batch_size, x.shape[0])
        xb, tb = x[np.array(rows)], t[np.array(rows)]
        zs, acts, e, total, deltas, grads = evaluate(arch, params, xb, tb)
        for layer, z in zip(spec["layers"], zs):
            if layer["activation"] in ("relu", "leaky-relu"):
                kink_z.append(np.asarray(z).ravel())
        if k == 0:
            first = {
                "rows": rows,
                "z": [np.asarray(z) for z in zs],
                "a": [np.asarray(a) for a in acts],
                "loss_total": float(total),
                "loss_per_sample": np.asarray(e),
                "delta": [np.asarray(d) for d in deltas],
                "weight_gradients": [np.asarray(gw) for gw, _ in grads],
                "bias_gradients": [np.asarray(gb) for _, gb in grads],
            }
        params, states = update(opt_key, spec["updates_biases"], params, grads, states, jnp.asarray(k + 1))
        history.append({
            "loss": float(total),
            "layers": [{"weights": np.asarray(w), "biases": np.asarray(b)} for w, b in params],
        })
    kink = float(np.min(np.abs(np.concatenate(kink_z)))) if kink_z else math.inf
    return first, history, kink


# ----------------------------------------------------------------------------------------
# Random cases


def make_optimizer(variant, rng):
    parts = variant.split("+")
    kind = parts[0]
    wd = float(rng.uniform(0.001, 0.1)) if "wd" in parts else 0.0
    if kind == "sgd":
        momentum = float(rng.uniform(0.5, 0.95)) if ("momentum" in parts or "nesterov" in parts) else 0.0
        return {
            "kind": "sgd",
            "learning_rate": float(rng.uniform(0.05, 0.8)),
            "momentum": momentum,
            "dampening": float(rng.uniform(0.1, 0.6)) if "dampening" in parts else 0.0,
            "nesterov": "nesterov" in parts,
            "weight_decay": wd,
        }
    if kind == "rmsprop":
        defaults = rng.rand() < 0.5
        return {
            "kind": "rmsprop",
            "learning_rate": float(rng.uniform(0.001, 0.05)),
            "alpha": 0.99 if defaults else float(rng.uniform(0.8, 0.99)),
            "epsilon": 1e-8 if defaults else float(10 ** rng.uniform(-8, -3)),
            "momentum": float(rng.uniform(0.5, 0.95)) if "momentum" in parts else 0.0,
            "weight_decay": wd,
        }
    if kind == "adam":
        defaults = rng.rand() < 0.5
        return {
            "kind": "adam",
            "learning_rate": float(rng.uniform(0.001, 0.05)),
            "beta1": 0.9 if defaults else float(rng.uniform(0.5, 0.95)),
            "beta2": 0.999 if defaults else float(rng.uniform(0.9, 0.9999)),
            "epsilon": 1e-8 if defaults else float(10 ** rng.uniform(-8, -3)),
            "weight_decay": wd,
        }
    raise ValueError(kind)


def make_targets(loss, out_activation, n, k, rng):
    if loss == "cross-entropy":
        if rng.rand() < 0.5:
            t = np.zeros((n, k))
            t[np.arange(n), rng.randint(0, k, size=n)] = 1.0
            return t
        return rng.dirichlet(np.ones(k), size=n)
    if loss == "binary-cross-entropy":
        t = rng.uniform(0, 1, size=(n, k))
        r = rng.rand(n, k)
        t[r < 0.3] = 0.0
        t[r > 0.7] = 1.0
        return t
    if out_activation in ("sigmoid", "softmax"):
        return rng.uniform(0, 1, size=(n, k))
    return rng.uniform(-1, 1, size=(n, k))


def draw_case(index, rng):
    loss, out_activation = LOSS_OUTPUTS[index % len(LOSS_OUTPUTS)]
    variant = OPTIMIZER_VARIANTS[index % len(OPTIMIZER_VARIANTS)]
    hidden_count = int(rng.randint(1, 4))
    widths = [int(rng.randint(1, 6)) for _ in range(hidden_count)]
    hidden = [HIDDEN_ACTIVATIONS[index % 5]] + [HIDDEN_ACTIVATIONS[rng.randint(0, 5)] for _ in range(hidden_count - 1)]
    rng.shuffle(hidden)
    input_count = int(rng.randint(1, 5))
    if out_activation == "softmax":
        output_count = int(rng.randint(2, 5))
    else:
        output_count = int(rng.randint(1, 4))
    samples = int(rng.randint(1, 7))
    if rng.rand() < 0.4:
        batch_size = samples
    else:
        batch_size = int(rng.randint(1, samples + 1))
    iterations = int(rng.randint(1, 5))
    reduction = "mean" if rng.rand() < 0.5 else "sum"
    updates_biases = bool(rng.rand() < 0.7)
    optimizer = make_optimizer(variant, rng)

    sizes = [input_count] + widths + [output_count]
    activations = hidden + [out_activation]
    layers = []
    for l, name in enumerate(activations):
        fan_in = sizes[l]
        scale = 1.5 / math.sqrt(fan_in)
        layers.append({
            "weights": rng.uniform(-scale, scale, size=(sizes[l + 1], fan_in)),
            "biases": rng.uniform(-0.5, 0.5, size=sizes[l + 1]),
            "activation": name,
            "slope": float(rng.choice([0.01, 0.1, 0.2, 0.3])) if name == "leaky-relu" else None,
        })
    x = rng.uniform(-1.5, 1.5, size=(samples, input_count))
    t = make_targets(loss, out_activation, samples, output_count, rng)
    spec = {"layers": layers, "loss": loss, "reduction": reduction, "updates_biases": updates_biases}
    return spec, optimizer, x, t, batch_size, iterations, variant


def tolist(v):
    return np.asarray(v, dtype=np.float64).tolist()


def build_case(index, rng):
    for attempt in range(1000):
        spec, opt, x, t, batch_size, iterations, variant = draw_case(index, rng)
        first, history, kink = simulate(spec, opt, jnp.asarray(x), jnp.asarray(t), batch_size, iterations)
        finite = all(math.isfinite(h["loss"]) for h in history)
        if kink >= KINK_MARGIN and finite:
            break
    else:
        raise RuntimeError(f"case {index}: could not keep relu away from its kink")
    hidden = "-".join(l["activation"] for l in spec["layers"][:-1])
    widths = "x".join(str(len(l["biases"])) for l in spec["layers"])
    name = (f"{index:03d} {spec['loss']}/{spec['layers'][-1]['activation']} hidden {hidden} "
            f"{x.shape[1]}x{widths} {spec['reduction']} {variant}"
            f"{'' if spec['updates_biases'] else ' frozen-biases'} N{x.shape[0]} B{batch_size} it{iterations}")
    return record(spec, opt, x, t, batch_size, iterations, first, history, name)


def record(spec, opt, x, t, batch_size, iterations, first, history, name):
    """One case as the Swift tests read it: the network, data and every expected value."""
    return {
        "name": name,
        "network": {
            "input_count": int(x.shape[1]),
            "layers": [
                {"weights": tolist(l["weights"]), "biases": tolist(l["biases"]),
                 "activation": l["activation"], "slope": l["slope"]}
                for l in spec["layers"]
            ],
            "loss": spec["loss"],
            "reduction": spec["reduction"],
            "updates_biases": spec["updates_biases"],
        },
        "optimizer": opt,
        "data": {"inputs": tolist(x), "targets": tolist(t)},
        "batch_size": batch_size,
        "iterations": iterations,
        "expected": {
            "first_batch": {
                "rows": first["rows"],
                "z": [tolist(z) for z in first["z"]],
                "a": [tolist(a) for a in first["a"]],
                "loss_total": first["loss_total"],
                "loss_per_sample": tolist(first["loss_per_sample"]),
                "delta": [tolist(d) for d in first["delta"]],
                "weight_gradients": [tolist(g) for g in first["weight_gradients"]],
                "bias_gradients": [tolist(g) for g in first["bias_gradients"]],
            },
            "iterations": [
                {"loss": h["loss"],
                 "layers": [{"weights": tolist(l["weights"]), "biases": tolist(l["biases"])} for l in h["layers"]]}
                for h in history
            ],
        },
    }


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(root, "Tests", "BackpropTests", "Fixtures", "reference-cases.json"))
    parser.add_argument("--count", type=int, default=240)
    parser.add_argument("--seed", type=int, default=20240611)
    args = parser.parse_args()

    rng = np.random.RandomState(args.seed)
    cases = [build_case(i, rng) for i in range(args.count)]
    document = {
        "generator": "reference/generate.py",
        "jax_version": jax.__version__,
        "seed": args.seed,
        "tolerance": "relative 1e-10, absolute floor 1e-13",
        "cases": cases,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        # json writes floats with repr: the shortest string that reads back to the same double.
        json.dump(document, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
