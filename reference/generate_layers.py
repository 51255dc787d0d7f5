#!/usr/bin/env python3
"""Independent float64 reference for the engine's layer kinds, written in JAX.

Builds small random networks that each feature one kind of layer (conv1d, conv2d, maxpool,
avgpool, flatten, rnn; all end in a dense output layer) and runs one batch forward with library
operations (lax.conv_general_dilated: cross-correlation as torch.nn.Conv1d/Conv2d;
lax.reduce_window: max and average pooling; jnp for dense layers and the rnn's loop). Every
derivative is jax.grad's (nothing here is a hand-derived backprop formula): the gradients of the
batch error, and ∂E_n/∂z, ∂E_n/∂a of every layer with respect to zero "probe" arrays added to
z and a. Then one SGD step. Writes the cases, every float in full precision (repr), to
Tests/BackpropTests/Fixtures/layer-cases.json.

Run from anywhere: python3 reference/generate_layers.py [--out PATH] [--count N] [--seed S]
  [--check N]  (central finite differences of the parameter gradients of the first N cases)
"""

import argparse
import json
import math
import os

import numpy as np

import jax
import jax.numpy as jnp
from jax import lax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

KINDS = ["conv1d", "conv2d", "maxpool", "avgpool", "flatten", "rnn"]
HIDDEN_ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky-relu", "linear"]
RNN_ACTIVATIONS = ["tanh", "tanh", "tanh", "relu", "sigmoid", "linear"]
LOSS_OUTPUTS = [  # (loss, output activation), taken in turn within each kind
    ("half-squared-error", "sigmoid"), ("half-squared-error", "linear"), ("half-squared-error", "tanh"),
    ("mean-squared-error", "linear"), ("mean-squared-error", "sigmoid"),
    ("cross-entropy", "softmax"), ("binary-cross-entropy", "sigmoid"),
]
KINK_MARGIN = 1e-3   # every relu / leaky-relu z stays at least this far from 0
TIE_MARGIN = 1e-9    # a max-pooling window's largest value beats its second by more than this
PROB_MARGIN = 1e-6   # binary-cross-entropy outputs stay this far from 0 and 1 (so ln(1 − a) is accurate)


# ----------------------------------------------------------------------------------------
# The model, one sample at a time. A layer is a dict as written to the JSON (without its
# parameters); its parameters are a list of shaped arrays.


ACTIVATIONS = {
    "sigmoid": lambda z, slope: jax.nn.sigmoid(z),
    "tanh": lambda z, slope: jnp.tanh(z),
    "relu": lambda z, slope: jnp.where(z > 0, z, 0.0),
    "leaky-relu": lambda z, slope: jnp.where(z > 0, z, slope * z),
    "linear": lambda z, slope: z,
    "softmax": lambda z, slope: jax.nn.softmax(z),  # on a vector: the output layer only
}

# E_n from the output layer's a (so through its probe: ∂E_n/∂a is seen there too) and targets t.
LOSSES = {
    "half-squared-error": lambda a, t: jnp.sum(0.5 * (t - a) ** 2),
    "mean-squared-error": lambda a, t: jnp.mean((t - a) ** 2),
    "cross-entropy": lambda a, t: -jnp.sum(t * jnp.log(a)),
    "binary-cross-entropy": lambda a, t: -jnp.mean(t * jnp.log(a) + (1 - t) * jnp.log(1 - a)),
}


def probed(value, probe):
    return value if probe is None else value + probe


def layer_forward(layer, params, x, pz, pa):
    """(z, a, out) of one layer: z is None for pools and flatten, a is what gets recorded,
    out is what the next layer reads (they differ only for an rnn returning its last h)."""
    kind = layer["type"]
    if kind in ("conv1d", "conv2d", "dense"):
        w, b = params
        if kind == "dense":
            z = w @ x + b
        else:
            conv = lax.conv_general_dilated(x[None], w, window_strides=tuple(layer["stride"]),
                                            padding=[(p, p) for p in layer["padding"]])[0]
            z = conv + b.reshape((-1,) + (1,) * (w.ndim - 2))  # one bias per output channel
        z = probed(z, pz)
        a = probed(ACTIVATIONS[layer["activation"]](z, layer.get("slope")), pa)
        return z, a, a
    if kind == "rnn":
        wx, wh, b = params
        h, zs, hs = jnp.zeros(layer["hidden"]), [], []
        for t in range(x.shape[0]):
            zs.append(probed(wx @ x[t] + wh @ h + b, None if pz is None else pz[t]))
            h = probed(ACTIVATIONS[layer["activation"]](zs[-1], None), None if pa is None else pa[t])
            hs.append(h)  # h_t with its probe feeds both the next step and the output
        z, a = jnp.stack(zs), jnp.stack(hs)
        return z, a, (a[-1] if layer["returns"] == "last" else a)
    window, strides = (1,) + tuple(layer.get("size", ())), (1,) + tuple(layer.get("stride", ()))
    if kind == "flatten":
        a = probed(jnp.ravel(x), pa)
    elif kind == "maxpool":
        a = probed(lax.reduce_window(x, -jnp.inf, lax.max, window, strides, "VALID"), pa)
    else:
        a = probed(lax.reduce_window(x, 0.0, lax.add, window, strides, "VALID") / math.prod(layer["size"]), pa)
    return None, a, a


def sample_error(params, pzs, pas, case, x, t):
    """(E_n, (z per layer, a per layer, input per layer)) for one sample x."""
    none = [None] * len(case["layers"])
    zs, acts, ins = [], [], []
    for layer, p, pz, pa in zip(case["layers"], params, pzs or none, pas or none):
        ins.append(x)
        z, a, x = layer_forward(layer, p, x, pz, pa)
        zs.append(z)
        acts.append(a)
    return LOSSES[case["loss"]](jnp.ravel(x), t), (zs, acts, ins)


def batch_error(params, case, xs, ts):
    es = jnp.stack([sample_error(params, None, None, case, x, t)[0] for x, t in zip(xs, ts)])
    return jnp.mean(es) if case["reduction"] == "mean" else jnp.sum(es)


def derivative(layer, z):
    """f'(z) element by element, by jax.grad of the scalar activation (None if not element-wise)."""
    name = layer.get("activation")
    if z is None or name == "softmax":
        return None
    f = lambda v: ACTIVATIONS[name](v, layer.get("slope"))  # noqa: E731
    return jax.vmap(jax.grad(f))(jnp.ravel(z)).reshape(z.shape)


def evaluate(case, params, xs, ts):
    """Per sample: E_n, z, a, inputs, ∂E_n/∂a and ∂E_n/∂z of every layer; then E and ∂E/∂p.
    Jitted whole (the case's structure fixed), which compiles far faster than op by op."""
    probe_grad = jax.value_and_grad(sample_error, argnums=(1, 2), has_aux=True)

    def run(params, xs, ts):
        samples = []
        for x, t in zip(xs, ts):
            _, (zs, acts, _) = sample_error(params, None, None, case, x, t)  # for the shapes
            pzs = [None if z is None else jnp.zeros_like(z) for z in zs]
            pas = [jnp.zeros_like(a) for a in acts]
            (e, (zs, acts, ins)), (deltas, a_grads) = probe_grad(params, pzs, pas, case, x, t)
            samples.append({"E": e, "z": zs, "a": acts, "in": ins, "delta": deltas, "a_grad": a_grads,
                            "fprime": [derivative(layer, z) for layer, z in zip(case["layers"], zs)]})
        total, grads = jax.value_and_grad(batch_error)(params, case, xs, ts)
        return samples, grads, total

    return jax.device_get(jax.jit(run)(params, xs, ts))


# ----------------------------------------------------------------------------------------
# Checks


def max_is_unique(x, size, stride):
    """Whether every pooling window of the C×spatial array x has a single largest value."""
    axes = tuple(range(1, x.ndim))
    views = np.lib.stride_tricks.sliding_window_view(x, size, axis=axes)
    views = views[(slice(None),) + tuple(slice(None, None, s) for s in stride)]
    top = np.sort(views.reshape(-1, math.prod(size)), axis=1)
    return top.shape[1] == 1 or bool(np.all(top[:, -1] - top[:, -2] > TIE_MARGIN))


def acceptable(case, samples, total):
    """False when a relu sits near its kink, a max window is tied, or a value is not finite."""
    ok = math.isfinite(float(total))
    for s in samples:
        out = s["a"][-1]
        if case["loss"] == "binary-cross-entropy":
            ok = ok and PROB_MARGIN <= out.min() and out.max() <= 1 - PROB_MARGIN
        ok = ok and all(np.all(np.isfinite(v)) for v in s["a"] + s["a_grad"])
        for layer, z, x in zip(case["layers"], s["z"], s["in"]):
            if layer.get("activation") in ("relu", "leaky-relu"):
                ok = ok and np.min(np.abs(z)) >= KINK_MARGIN
            if layer["type"] == "maxpool":
                ok = ok and max_is_unique(x, layer["size"], layer["stride"])
    return ok


def finite_difference_error(case, params, xs, ts, grads, rng, entries=30, h=1e-5):
    """Worst relative error of jax.grad's ∂E/∂p against central differences, on a few entries."""
    spots = [(l, i, j) for l, ps in enumerate(params) for i, p in enumerate(ps) for j in range(p.size)]
    worst = 0.0
    for k in rng.permutation(len(spots))[:entries]:
        l, i, j = spots[k]
        def shifted(step):
            ps = [list(p) for p in params]
            ps[l][i] = ps[l][i].ravel().at[j].add(step).reshape(ps[l][i].shape)
            return float(batch_error(ps, case, xs, ts))
        fd = (shifted(h) - shifted(-h)) / (2 * h)
        g = float(np.ravel(grads[l][i])[j])
        worst = max(worst, abs(g - fd) / max(abs(g), abs(fd), 1e-4))
    return worst


# ----------------------------------------------------------------------------------------
# Random cases


def hidden_activation(rng):
    name = str(rng.choice(HIDDEN_ACTIVATIONS))
    if name != "leaky-relu":
        return {"activation": name}
    return {"activation": name, "slope": 0.01 if rng.random() < 0.5 else round(float(rng.uniform(0.05, 0.3)), 3)}


def small(rng, values, weights):
    """One of `values`, the small ones likelier (the file's size grows with the networks')."""
    return int(rng.choice(values, p=np.asarray(weights) / sum(weights)))


def spatial_input(rng, nd):
    """C×L or C×H×W, each extent 2 to 6."""
    if nd == 1:
        return (int(rng.integers(1, 4)), small(rng, [2, 3, 4, 5, 6], [35, 30, 18, 10, 7]))
    return (int(rng.integers(1, 3)), *(small(rng, [2, 3, 4, 5, 6], [35, 35, 18, 8, 4]) for _ in "hw"))


def conv_layer(rng, shape):
    """A conv layer (1d or 2d by the input's rank) with a non-empty output; (layer, params, out shape)."""
    nd = len(shape) - 1
    while True:
        k, s, p = rng.integers(1, 4, nd), rng.integers(1, 3, nd), rng.integers(0, 2, nd)
        if nd == 2 and rng.random() < 0.5:
            k[1], s[1], p[1] = k[0], s[0], p[0]
        out = [(n + 2 * pp - kk) // ss + 1 for n, kk, ss, pp in zip(shape[1:], k, s, p)]
        if min(out) >= 1:
            break
    o = small(rng, [1, 2, 3], [35, 40, 25])
    layer = {"type": f"conv{nd}d", "out_channels": o, "kernel": k.tolist(), "stride": s.tolist(),
             "padding": p.tolist(), **hidden_activation(rng)}
    params = [rng.uniform(-1, 1, (o, shape[0], *k.tolist())), rng.uniform(-1, 1, o)]
    return layer, params, (o, *out)


def pool_layer(rng, kind, shape):
    nd = len(shape) - 1
    while True:
        size = rng.integers(1, 4, nd)
        if nd == 2 and rng.random() < 0.5:
            size[1] = size[0]
        stride = size.copy() if rng.random() < 0.5 else rng.integers(1, 4, nd)
        if all(n >= k for n, k in zip(shape[1:], size)):
            break
    out = [(n - k) // s + 1 for n, k, s in zip(shape[1:], size, stride)]
    return {"type": kind, "size": size.tolist(), "stride": stride.tolist()}, [], (shape[0], *out)


def rnn_layer(rng, shape, returns):
    steps, features = shape
    hidden = int(rng.integers(1, 4))
    layer = {"type": "rnn", "hidden": hidden, "activation": str(rng.choice(RNN_ACTIVATIONS)), "returns": returns}
    params = [rng.uniform(-1, 1, (hidden, features)), rng.uniform(-1, 1, (hidden, hidden)), rng.uniform(-1, 1, hidden)]
    return layer, params, ((hidden,) if returns == "last" else (steps, hidden))


def dense_layer(rng, inputs, neurons, activation):
    layer = {"type": "dense", "neurons": neurons, **activation}
    return layer, [rng.uniform(-1, 1, (neurons, inputs)), rng.uniform(-1, 1, neurons)], (neurons,)


def draw_network(kind, rng):
    """The input shape and (layer, params) list of one network featuring `kind`, up to its flatten."""
    built = []

    def add(made):
        built.append(made[:2])
        return made[2]

    if kind in ("conv1d", "conv2d"):
        shape = input_shape = spatial_input(rng, int(kind[4]))
        shape = add(conv_layer(rng, shape))
        if rng.random() < 0.3:
            shape = add(conv_layer(rng, shape))
    elif kind in ("maxpool", "avgpool"):
        shape = input_shape = spatial_input(rng, int(rng.integers(1, 3)))
        if rng.random() < 0.7:
            shape = add(conv_layer(rng, shape))
        shape = add(pool_layer(rng, kind, shape))
    elif kind == "flatten":
        shape = input_shape = spatial_input(rng, int(rng.integers(1, 3)))
        if rng.random() < 0.5:
            shape = add(conv_layer(rng, shape))
    else:
        shape = input_shape = (int(rng.integers(1, 5)), int(rng.integers(1, 4)))
        if rng.random() < 0.3:
            shape = add(rnn_layer(rng, shape, "sequence"))
        shape = add(rnn_layer(rng, shape, "last" if rng.random() < 0.6 else "sequence"))
    if len(shape) > 1:
        shape = add(({"type": "flatten"}, [], (math.prod(shape),)))
    return input_shape, built, shape[0]


def make_targets(loss, out_activation, n, k, rng):
    if loss == "cross-entropy":  # one-hot, or a probability vector
        return np.eye(k)[rng.integers(0, k, n)] if rng.random() < 0.5 else rng.dirichlet(np.ones(k), n)
    if loss == "binary-cross-entropy":
        t = rng.uniform(0, 1, (n, k))
        r = rng.random((n, k))
        t[r < 0.2], t[r > 0.8] = 0.0, 1.0  # some targets exactly 0 or 1
        return t
    return rng.uniform(0 if out_activation == "sigmoid" else -1, 1, (n, k))


def draw_case(index, kind, rng):
    loss, out_activation = LOSS_OUTPUTS[(index // len(KINDS)) % len(LOSS_OUTPUTS)]
    input_shape, built, width = draw_network(kind, rng)
    if rng.random() < 0.25:
        hidden = int(rng.integers(1, 4))
        built.append(dense_layer(rng, width, hidden, hidden_activation(rng))[:2])
        width = hidden
    outputs = small(rng, [2, 3, 4] if out_activation == "softmax" else [1, 2, 3], [40, 35, 25])
    built.append(dense_layer(rng, width, outputs, {"activation": out_activation})[:2])
    n = small(rng, [1, 2, 3], [40, 35, 25])
    case = {
        "id": f"{kind}-{index}", "kind": kind, "input_shape": list(input_shape),
        "layers": [layer for layer, _ in built],
        "loss": loss, "reduction": "mean" if rng.random() < 0.5 else "sum",
        "learning_rate": round(float(rng.uniform(0.01, 0.5)), 4),
    }
    params = [[jnp.asarray(p) for p in ps] for _, ps in built]
    xs = jnp.asarray(rng.uniform(-2, 2, (n, *input_shape)))
    ts = jnp.asarray(make_targets(loss, out_activation, n, outputs, rng))
    return case, params, xs, ts


def flat(v):
    return np.ravel(np.asarray(v, dtype=np.float64)).tolist()


def build_case(index, seed, check, rng_check):
    kind = KINDS[index % len(KINDS)]
    rng = np.random.default_rng([seed, index])
    for _ in range(2000):
        case, params, xs, ts = draw_case(index, kind, rng)
        samples, grads, total = evaluate(case, params, xs, ts)
        if acceptable(case, samples, total):
            break
    else:
        raise RuntimeError(f"{kind}-{index}: no acceptable draw")
    for s in samples:  # the probes agree with each other: δ = ∂E_n/∂a · f'(z), element-wise layers
        for fprime, da, d in zip(s["fprime"], s["a_grad"], s["delta"]):
            assert fprime is None or np.allclose(d, da * fprime, rtol=1e-12, atol=1e-15), case["id"]
    fd = finite_difference_error(case, params, xs, ts, grads, rng_check) if check else None
    lr = case["learning_rate"]
    per_layer = [{key: None if samples[0]["z"][l] is None and key in ("z", "delta")
                  else [flat(s[key][l]) for s in samples] for key in ("z", "a", "a_grad", "delta")}
                 for l in range(len(case["layers"]))]
    layers = [{**layer, "parameters": [flat(p) for p in ps]} if ps else layer
              for layer, ps in zip(case["layers"], params)]
    return {**case, "layers": layers, "inputs": [flat(x) for x in xs], "targets": [flat(t) for t in ts],
            "expected": {
                "layers": per_layer, "E": float(total), "per_sample": [float(s["E"]) for s in samples],
                "gradients": [[flat(g) for g in gs] for gs in grads],
                "after": [[flat(p - lr * g) for p, g in zip(ps, gs)] for ps, gs in zip(params, grads)],
            }}, fd


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(root, "Tests", "BackpropTests", "Fixtures", "layer-cases.json"))
    parser.add_argument("--count", type=int, default=660, help="cases in all, the kinds taken in turn")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", type=int, default=24, help="finite-difference check of the first N cases")
    args = parser.parse_args()

    rng_check = np.random.default_rng(0)
    cases, worst = [], {}
    for i in range(args.count):
        record, fd = build_case(i, args.seed, i < args.check, rng_check)
        cases.append(record)
        worst[record["kind"]] = max(worst.get(record["kind"], 0.0), fd or 0.0)
    document = {"generator": "reference/generate_layers.py", "seed": args.seed, "cases": cases}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        # json writes floats with repr: the shortest string that reads back to the same double.
        json.dump(document, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    counts = {k: sum(c["kind"] == k for c in cases) for k in KINDS}
    print(f"wrote {len(cases)} cases to {args.out} ({os.path.getsize(args.out)} bytes): {counts}")
    if args.check:
        print("worst finite-difference relative error by kind:", {k: f"{v:.2e}" for k, v in worst.items()})


if __name__ == "__main__":
    main()
