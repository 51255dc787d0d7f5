#!/usr/bin/env python3
"""Independent float64 reference for the engine's layer kinds, written in JAX.

Builds small random networks that each feature one kind of layer (conv1d, conv2d, maxpool,
avgpool, flatten, rnn; every network ends in a dense output layer), runs one batch forward
and takes every derivative with jax.grad: the gradients of the batch error, and ∂E_n/∂z and
∂E_n/∂a of every layer, taken with respect to zero "probe" arrays added to each layer's z and
a (nothing here is a hand-derived backprop formula). Then one SGD step. The forward pass uses
library operations: lax.conv_general_dilated (cross-correlation, as torch.nn.Conv1d/Conv2d),
lax.reduce_window (max and average pooling), jnp for dense layers and the rnn's loop.
Writes the cases, every float in full precision (repr), to
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
LOSS_OUTPUTS = [
    ("half-squared-error", "sigmoid"),
    ("half-squared-error", "linear"),
    ("half-squared-error", "tanh"),
    ("mean-squared-error", "linear"),
    ("mean-squared-error", "sigmoid"),
    ("cross-entropy", "softmax"),
    ("binary-cross-entropy", "sigmoid"),
]
KINK_MARGIN = 1e-3   # every relu / leaky-relu z stays at least this far from 0
TIE_MARGIN = 1e-9    # a max-pooling window's largest value beats its second by more than this
PROB_MARGIN = 1e-6   # binary-cross-entropy outputs stay this far from 0 and 1 (so ln(1 − a) is accurate)


# ----------------------------------------------------------------------------------------
# The model, one sample at a time. A layer is a dict as written to the JSON (without its
# parameters); its parameters are a list of shaped arrays.


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
        return jax.nn.softmax(z)
    raise ValueError(name)


def probed(value, probe):
    return value if probe is None else value + probe


def layer_forward(layer, params, x, pz, pa):
    """(z, a, out) of one layer: z is None for pools and flatten, a is what gets recorded,
    out is what the next layer reads (they differ only for an rnn returning its last h)."""
    kind = layer["type"]
    f = lambda z: activate(layer.get("activation"), layer.get("slope"), z)  # noqa: E731
    if kind in ("conv1d", "conv2d"):
        w, b = params
        conv = lax.conv_general_dilated(x[None], w, window_strides=tuple(layer["stride"]),
                                        padding=[(p, p) for p in layer["padding"]])[0]
        z = probed(conv + b.reshape((-1,) + (1,) * (w.ndim - 2)), pz)
        a = probed(f(z), pa)
        return z, a, a
    if kind in ("maxpool", "avgpool"):
        window, strides = (1,) + tuple(layer["size"]), (1,) + tuple(layer["stride"])
        if kind == "maxpool":
            pooled = lax.reduce_window(x, -jnp.inf, lax.max, window, strides, "VALID")
        else:
            pooled = lax.reduce_window(x, 0.0, lax.add, window, strides, "VALID") / math.prod(layer["size"])
        a = probed(pooled, pa)
        return None, a, a
    if kind == "flatten":
        a = probed(jnp.ravel(x), pa)
        return None, a, a
    if kind == "dense":
        w, b = params
        z = probed(w @ x + b, pz)
        a = probed(f(z), pa)
        return z, a, a
    if kind == "rnn":
        wx, wh, b = params
        h = jnp.zeros(layer["hidden"])
        zs, hs = [], []
        for t in range(x.shape[0]):
            z = probed(wx @ x[t] + wh @ h + b, None if pz is None else pz[t])
            h = probed(f(z), None if pa is None else pa[t])  # feeds the next step and the output
            zs.append(z)
            hs.append(h)
        z, a = jnp.stack(zs), jnp.stack(hs)
        return z, a, (a[-1] if layer["returns"] == "last" else a)
    raise ValueError(kind)


def sample_loss(loss, a, t):
    """E_n from the output layer's a (through its probe, so ∂E_n/∂a is seen there too)."""
    if loss == "half-squared-error":
        return jnp.sum(0.5 * (t - a) ** 2)
    if loss == "mean-squared-error":
        return jnp.mean((t - a) ** 2)
    if loss == "cross-entropy":
        return -jnp.sum(t * jnp.log(a))
    if loss == "binary-cross-entropy":
        return -jnp.mean(t * jnp.log(a) + (1 - t) * jnp.log(1 - a))
    raise ValueError(loss)


def sample_error(params, pzs, pas, case, x, t):
    """(E_n, (z per layer, a per layer, input per layer)) for one sample x."""
    layers = case["layers"]
    pzs = pzs if pzs is not None else [None] * len(layers)
    pas = pas if pas is not None else [None] * len(layers)
    zs, acts, ins = [], [], []
    for layer, p, pz, pa in zip(layers, params, pzs, pas):
        ins.append(x)
        z, a, x = layer_forward(layer, p, x, pz, pa)
        zs.append(z)
        acts.append(a)
    return sample_loss(case["loss"], jnp.ravel(x), t), (zs, acts, ins)


def batch_error(params, case, xs, ts):
    es = jnp.stack([sample_error(params, None, None, case, x, t)[0] for x, t in zip(xs, ts)])
    return jnp.mean(es) if case["reduction"] == "mean" else jnp.sum(es)


def derivative(layer, z):
    """f'(z) element by element, by jax.grad of the scalar activation (None if not element-wise)."""
    name, slope = layer.get("activation"), layer.get("slope")
    if z is None or name == "softmax":
        return None
    return jax.vmap(jax.grad(lambda v: activate(name, slope, v)))(jnp.ravel(z)).reshape(z.shape)


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
            fprimes = [derivative(layer, z) for layer, z in zip(case["layers"], zs)]
            samples.append({"E": e, "z": zs, "a": acts, "in": ins, "delta": deltas, "a_grad": a_grads,
                            "fprime": fprimes})
        total, grads = jax.value_and_grad(batch_error)(params, case, xs, ts)
        return samples, grads, total

    return jax.device_get(jax.jit(run)(params, xs, ts))


# ----------------------------------------------------------------------------------------
# Checks


def pool_windows(x, size, stride):
    """Every window of a C×spatial array, flattened."""
    outs = [(n - k) // s + 1 for n, k, s in zip(x.shape[1:], size, stride)]
    for c in range(x.shape[0]):
        for pos in np.ndindex(*outs):
            yield x[(c,) + tuple(slice(i * s, i * s + k) for i, k, s in zip(pos, size, stride))].ravel()


def acceptable(case, samples, total):
    """False when a relu sits near its kink, a max window is tied, or a value is not finite."""
    if not math.isfinite(float(total)):
        return False
    for s in samples:
        for layer, z, a, x in zip(case["layers"], s["z"], s["a"], s["in"]):
            if layer.get("activation") in ("relu", "leaky-relu") and np.min(np.abs(z)) < KINK_MARGIN:
                return False
            if layer["type"] == "maxpool":
                for w in pool_windows(np.asarray(x), layer["size"], layer["stride"]):
                    top = np.sort(w)
                    if top.size > 1 and top[-1] - top[-2] <= TIE_MARGIN:
                        return False
        out = np.asarray(s["a"][-1])
        if case["loss"] == "binary-cross-entropy" and (out.min() < PROB_MARGIN or out.max() > 1 - PROB_MARGIN):
            return False
        if not all(np.all(np.isfinite(np.asarray(v))) for key in ("a", "a_grad") for v in s[key]):
            return False
    return True


def check_chain_rule(case, samples):
    """The probes agree with each other: δ = ∂E_n/∂a · f'(z) for every element-wise layer."""
    for s in samples:
        for layer, fprime, da, d in zip(case["layers"], s["fprime"], s["a_grad"], s["delta"]):
            if fprime is None:
                continue
            assert np.allclose(d, da * fprime, rtol=1e-12, atol=1e-15), (case["id"], layer)


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


def small(rng, values, weights):
    """One of `values`, the small ones likelier (the file's size grows with the networks')."""
    return int(rng.choice(values, p=np.asarray(weights) / sum(weights)))


def extent(rng, nd):
    """A spatial input size, 2 to 6."""
    return small(rng, [2, 3, 4, 5, 6], [35, 30, 18, 10, 7] if nd == 1 else [35, 35, 18, 8, 4])


def spatial_input(rng, nd):
    """C×L or C×H×W."""
    if nd == 1:
        return (int(rng.integers(1, 4)), extent(rng, 1))
    return (int(rng.integers(1, 3)), extent(rng, 2), extent(rng, 2))


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
    if loss == "cross-entropy":
        if rng.random() < 0.5:
            return np.eye(k)[rng.integers(0, k, n)]
        return rng.dirichlet(np.ones(k), n)
    if loss == "binary-cross-entropy":
        t = rng.uniform(0, 1, (n, k))
        r = rng.random((n, k))
        t[r < 0.2], t[r > 0.8] = 0.0, 1.0  # some targets exactly 0 or 1
        return t
    if out_activation == "sigmoid":
        return rng.uniform(0, 1, (n, k))
    return rng.uniform(-1, 1, (n, k))


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
    check_chain_rule(case, samples)
    fd = finite_difference_error(case, params, xs, ts, grads, rng_check) if check else None
    lr = case["learning_rate"]
    per_layer = []
    for l in range(len(case["layers"])):
        has_z = samples[0]["z"][l] is not None
        per_layer.append({
            "z": [flat(s["z"][l]) for s in samples] if has_z else None,
            "a": [flat(s["a"][l]) for s in samples],
            "a_grad": [flat(s["a_grad"][l]) for s in samples],
            "delta": [flat(s["delta"][l]) for s in samples] if has_z else None,
        })
    layers = [{**layer, "parameters": [flat(p) for p in ps]} if ps else layer
              for layer, ps in zip(case["layers"], params)]
    record = {
        **case, "layers": layers,
        "inputs": [flat(x) for x in xs], "targets": [flat(t) for t in ts],
        "expected": {
            "layers": per_layer,
            "E": float(total),
            "per_sample": [float(s["E"]) for s in samples],
            "gradients": [[flat(g) for g in gs] for gs in grads],
            "after": [[flat(p - lr * g) for p, g in zip(ps, gs)] for ps, gs in zip(params, grads)],
        },
    }
    return record, fd


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
        if fd is not None:
            worst[record["kind"]] = max(worst.get(record["kind"], 0.0), fd)
    document = {"generator": "reference/generate_layers.py", "seed": args.seed, "cases": cases}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        # json writes floats with repr: the shortest string that reads back to the same double.
        json.dump(document, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    counts = {k: sum(c["kind"] == k for c in cases) for k in KINDS}
    print(f"wrote {len(cases)} cases to {args.out} ({os.path.getsize(args.out)} bytes): {counts}")
    if worst:
        print("worst finite-difference relative error by kind:", {k: f"{v:.2e}" for k, v in worst.items()})


if __name__ == "__main__":
    main()
