#!/usr/bin/env python3
"""Reference cases for the options added for PyTorch parity (issue 15), in JAX float64.

Reuses generate.py's networks, forward pass and jax.grad derivatives, and adds:
  losses      binary-cross-entropy averaged over the outputs (torch.nn.BCELoss), mean-squared-error
              summed over them (MSELoss(reduction='sum') per sample), Huber (torch.nn.HuberLoss,
              delta) and smooth L1 (torch.nn.SmoothL1Loss, beta), each averaged or summed;
  optimizers  AdamW (torch.optim.AdamW: p <- p*(1 - lr*wd), then Adam), Adam and AdamW with
              amsgrad (max_exp_avg_sq = max(max_exp_avg_sq, exp_avg_sq);
              denom = sqrt(max_exp_avg_sq)/sqrt(bias_correction2) + eps), RMSprop centered
              (grad_avg = alpha*grad_avg + (1-alpha)*g; avg = sqrt(square_avg - grad_avg^2) + eps),
written from the algorithms in the torch.optim documentation; every derivative by jax.grad.
Writes Tests/BackpropTests/Fixtures/parity-cases.json in the format of reference-cases.json,
with `network.loss_outputs` and `network.loss_width` (delta or beta) added.

Run: python3 reference/generate_parity.py [--out PATH] [--count N] [--seed S]
"""

import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate as g  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

# (loss, outputs, output activation). The loss string given to generate.py's model encodes the
# settings ("huber:0.7:mean"), so the jitted functions see them as part of the static arch.
LOSS_OUTPUTS = [
    ("binary-cross-entropy", "mean", "sigmoid"),
    ("mean-squared-error", "sum", "linear"),
    ("huber", "mean", "linear"),
    ("smooth-l1", "mean", "tanh"),
    ("binary-cross-entropy", "mean", "sigmoid"),
    ("huber", "sum", "sigmoid"),
    ("smooth-l1", "sum", "linear"),
    ("mean-squared-error", "sum", "sigmoid"),
    ("half-squared-error", "sum", "linear"),
]

OPTIMIZER_VARIANTS = [
    "adamw",
    "adamw+amsgrad",
    "adam+amsgrad",
    "adam+amsgrad+wd",
    "rmsprop+centered",
    "rmsprop+centered+momentum",
    "rmsprop+centered+momentum+wd",
    "adamw+default-decay",
    "sgd",
    "rmsprop+centered+wd",
    "adam",
]

original_per_sample_error = g.per_sample_error


def per_sample_error(loss, out_activation, z, a, t):
    if ":" not in loss:
        return original_per_sample_error(loss, out_activation, z, a, t)
    name, width, outputs = loss.split(":")
    width = float(width)
    k = a.shape[1]
    if name == "binary-cross-entropy":
        terms = -(t * jax.nn.log_sigmoid(z) + (1 - t) * jax.nn.log_sigmoid(-z))
    elif name == "mean-squared-error":
        terms = (t - a) ** 2
    elif name == "half-squared-error":
        terms = 0.5 * (t - a) ** 2
    elif name == "huber":
        x = jnp.abs(a - t)
        terms = jnp.where(x < width, 0.5 * x * x, width * (x - 0.5 * width))
    elif name == "smooth-l1":
        x = jnp.abs(a - t)
        terms = jnp.where(x < width, 0.5 * x * x / width, x - 0.5 * width)
    else:
        raise ValueError(name)
    total = jnp.sum(terms, axis=1)
    return total / k if outputs == "mean" else total


original_step = g.optimizer_step


def optimizer_step(opt, p, grad, state, step):
    kind, lr, wd, h = opt
    h = dict(h)
    if kind == "rmsprop" and h.get("centered"):
        if wd != 0:
            grad = grad + wd * p
        alpha, eps, mu = h["alpha"], h["epsilon"], h["momentum"]
        sq = alpha * state["square_avg"] + (1 - alpha) * grad * grad
        gavg = alpha * state["grad_avg"] + (1 - alpha) * grad
        state = {**state, "square_avg": sq, "grad_avg": gavg}
        avg = jnp.sqrt(sq - gavg * gavg) + eps
        if mu > 0:
            buf = mu * state["buf"] + grad / avg
            state = {**state, "buf": buf}
            return p - lr * buf, state
        return p - lr * (grad / avg), state
    if kind in ("adam", "adamw") and (kind == "adamw" or h.get("amsgrad")):
        b1, b2, eps = h["beta1"], h["beta2"], h["epsilon"]
        if kind == "adamw":
            p = p * (1 - lr * wd)  # decoupled: torch's param.mul_(1 - lr * weight_decay)
        elif wd != 0:
            grad = grad + wd * p
        m = b1 * state["exp_avg"] + (1 - b1) * grad
        v = b2 * state["exp_avg_sq"] + (1 - b2) * grad * grad
        state = {**state, "exp_avg": m, "exp_avg_sq": v}
        bias_correction1 = 1 - jnp.power(b1, step)
        bias_correction2 = 1 - jnp.power(b2, step)
        step_size = lr / bias_correction1
        second = v
        if h.get("amsgrad"):
            second = jnp.maximum(state["max_exp_avg_sq"], v)
            state = {**state, "max_exp_avg_sq": second}
        denom = jnp.sqrt(second) / jnp.sqrt(bias_correction2) + eps
        return p - step_size * (m / denom), state
    return original_step(opt, p, grad, state, step)


def fresh_state(p):
    z = jnp.zeros_like(p)
    return {"buf": z, "square_avg": z, "exp_avg": z, "exp_avg_sq": z, "grad_avg": z, "max_exp_avg_sq": z}


g.per_sample_error = per_sample_error
g.optimizer_step = optimizer_step
g.fresh_state = fresh_state


def make_optimizer(variant, rng):
    parts = variant.split("+")
    kind = parts[0]
    if kind in ("sgd",) or (kind in ("rmsprop", "adam") and not ({"centered", "amsgrad"} & set(parts))):
        return g.make_optimizer(variant, rng)
    wd = float(rng.uniform(0.001, 0.1)) if "wd" in parts else 0.0
    if kind == "rmsprop":
        o = g.make_optimizer("+".join(p for p in parts if p != "centered"), rng)
        o["centered"] = True
        return o
    defaults = rng.rand() < 0.5
    return {
        "kind": kind,
        "learning_rate": float(rng.uniform(0.001, 0.05)),
        # A small β₂ lets v fall between steps, so AMSGrad's max differs from v.
        "beta1": 0.9 if defaults else float(rng.uniform(0.5, 0.95)),
        "beta2": 0.999 if defaults else float(rng.uniform(0.3, 0.9)),
        "epsilon": 1e-8 if defaults else float(10 ** rng.uniform(-8, -3)),
        "weight_decay": 0.01 if "default-decay" in parts else (float(rng.uniform(0.01, 0.5)) if kind == "adamw" else wd),
        "amsgrad": "amsgrad" in parts,
    }


def draw_case(index, rng):
    loss, outputs, out_activation = LOSS_OUTPUTS[index % len(LOSS_OUTPUTS)]
    variant = OPTIMIZER_VARIANTS[index % len(OPTIMIZER_VARIANTS)]
    width = 1.0 if rng.rand() < 0.4 else float(rng.uniform(0.1, 1.5))
    if loss not in ("huber", "smooth-l1"):
        width = 1.0
    hidden_count = int(rng.randint(1, 3))
    widths = [int(rng.randint(1, 6)) for _ in range(hidden_count)]
    hidden = [g.HIDDEN_ACTIVATIONS[int(rng.randint(0, 5))] for _ in range(hidden_count)]
    input_count = int(rng.randint(1, 5))
    output_count = int(rng.randint(1, 5))
    samples = int(rng.randint(1, 7))
    batch_size = samples if rng.rand() < 0.4 else int(rng.randint(1, samples + 1))
    iterations = int(rng.randint(1, 8))
    reduction = "mean" if rng.rand() < 0.5 else "sum"
    updates_biases = bool(rng.rand() < 0.8)
    optimizer = make_optimizer(variant, rng)
    sizes = [input_count] + widths + [output_count]
    activations = hidden + [out_activation]
    layers = []
    for l, name in enumerate(activations):
        scale = 1.5 / math.sqrt(sizes[l])
        layers.append({
            "weights": rng.uniform(-scale, scale, size=(sizes[l + 1], sizes[l])),
            "biases": rng.uniform(-0.5, 0.5, size=sizes[l + 1]),
            "activation": name,
            "slope": float(rng.choice([0.01, 0.1, 0.2, 0.3])) if name == "leaky-relu" else None,
        })
    x = rng.uniform(-1.5, 1.5, size=(samples, input_count))
    # Huber and smooth L1: targets up to 2 away, so both pieces (inside and outside δ) occur.
    t = g.make_targets(loss, out_activation, samples, output_count, rng)
    if loss in ("huber", "smooth-l1"):
        t = t * 2.0
    spec = {"layers": layers, "loss": f"{loss}:{width!r}:{outputs}", "reduction": reduction, "updates_biases": updates_biases}
    return spec, optimizer, x, t, batch_size, iterations, variant


def build_case(index, rng):
    for _ in range(1000):
        spec, opt, x, t, batch_size, iterations, variant = draw_case(index, rng)
        first, history, kink = g.simulate(spec, opt, jnp.asarray(x), jnp.asarray(t), batch_size, iterations)
        if kink >= g.KINK_MARGIN and all(math.isfinite(h["loss"]) for h in history) and far_from_huber_kink(spec, x, t, history):
            break
    else:
        raise RuntimeError(f"case {index}: no draw met the margins")
    loss, width, outputs = spec["loss"].split(":")
    hidden = "-".join(l["activation"] for l in spec["layers"][:-1])
    sizes = "x".join(str(len(l["biases"])) for l in spec["layers"])
    name = (f"p{index:03d} {loss}({outputs}{'' if loss not in ('huber', 'smooth-l1') else ' ' + width})/{spec['layers'][-1]['activation']} "
            f"hidden {hidden} {x.shape[1]}x{sizes} {spec['reduction']} {variant}"
            f"{'' if spec['updates_biases'] else ' frozen-biases'} N{x.shape[0]} B{batch_size} it{iterations}")


    case = g.record(spec, opt, x, t, batch_size, iterations, first, history, name)
    case["network"]["loss"] = loss
    case["network"]["loss_outputs"] = outputs
    case["network"]["loss_width"] = float(width)
    return case


def far_from_huber_kink(spec, x, t, history):
    """|a − t| stays 1e-6 away from δ (where Huber's second derivative jumps) in the first pass."""
    loss, width, _ = spec["loss"].split(":")
    if loss not in ("huber", "smooth-l1"):
        return True
    arch = (tuple((l["activation"], l["slope"]) for l in spec["layers"]), spec["loss"], spec["reduction"])
    params = [(jnp.asarray(l["weights"]), jnp.asarray(l["biases"])) for l in spec["layers"]]
    _, acts = g.forward(arch, params, jnp.asarray(x))
    gap = np.abs(np.abs(np.asarray(acts[-1]) - t) - float(width))
    return float(np.min(gap)) > 1e-6


# Training under a learning-rate schedule: torch.optim.lr_scheduler's rates (schedules.py, the
# recursive get_lr() forms), each update made with that iteration's rate.
SCHEDULES = [
    ("step", {"step_size": 2, "gamma": 0.5}, "iteration"),
    ("exponential", {"gamma": 0.8}, "epoch"),
    ("cosine", {"t_max": 5, "eta_min": 0.001}, "iteration"),
    ("linear", {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 4}, "iteration"),
    ("step", {"step_size": 1, "gamma": 0.7}, "epoch"),
    ("cosine", {"t_max": 3, "eta_min": 0.0}, "epoch"),
]


def simulate_scheduled(spec, opt, x, t, batch_size, iterations, schedule):
    import schedules
    kind, settings, per = schedule
    per_epoch = -(-x.shape[0] // batch_size)
    steps = iterations if per == "iteration" else (iterations - 1) // per_epoch + 1
    by_step = schedules.rates(kind, settings, opt["learning_rate"], steps)
    arch = (tuple((l["activation"], l["slope"]) for l in spec["layers"]), spec["loss"], spec["reduction"])
    params = [(jnp.asarray(l["weights"]), jnp.asarray(l["biases"])) for l in spec["layers"]]
    states = [(fresh_state(w), fresh_state(b)) for w, b in params]
    first, history = None, []
    for k in range(iterations):
        rate = by_step[k if per == "iteration" else k // per_epoch]
        opt_key = (opt["kind"], rate, opt["weight_decay"],
                   tuple(sorted((a, v) for a, v in opt.items() if a not in ("kind", "learning_rate", "weight_decay"))))
        rows = g.batch_rows(k, batch_size, x.shape[0])
        xb, tb = x[np.array(rows)], t[np.array(rows)]
        zs, acts, e, total, deltas, grads = g.evaluate(arch, params, xb, tb)
        if k == 0:
            first = {"rows": rows, "z": [np.asarray(z) for z in zs], "a": [np.asarray(a) for a in acts],
                     "loss_total": float(total), "loss_per_sample": np.asarray(e), "delta": [np.asarray(d) for d in deltas],
                     "weight_gradients": [np.asarray(gw) for gw, _ in grads], "bias_gradients": [np.asarray(gb) for _, gb in grads]}
        params, states = g.update(opt_key, spec["updates_biases"], params, grads, states, jnp.asarray(k + 1))
        history.append({"loss": float(total), "layers": [{"weights": np.asarray(w), "biases": np.asarray(b)} for w, b in params]})
    return first, history


def build_scheduled_case(index, rng):
    kind, settings, per = SCHEDULES[index % len(SCHEDULES)]
    for _ in range(1000):
        spec, opt, x, t, batch_size, iterations, variant = draw_case(index, rng)
        # No relu: its kink margin is checked by generate.simulate only.
        if any(l["activation"] in ("relu", "leaky-relu") for l in spec["layers"]):
            continue
        iterations = int(rng.randint(4, 10))
        first, history = simulate_scheduled(spec, opt, jnp.asarray(x), jnp.asarray(t), batch_size, iterations, (kind, settings, per))
        if all(math.isfinite(h["loss"]) for h in history) and far_from_huber_kink(spec, x, t, history):
            break
    else:
        raise RuntimeError(f"scheduled case {index}: no draw met the margins")
    loss, width, outputs = spec["loss"].split(":")
    name = (f"s{index:03d} {kind} per {per} {loss}({outputs})/{spec['layers'][-1]['activation']} {variant} "
            f"N{x.shape[0]} B{batch_size} it{iterations}")
    case = g.record(spec, opt, x, t, batch_size, iterations, first, history, name)
    case["network"]["loss"] = loss
    case["network"]["loss_outputs"] = outputs
    case["network"]["loss_width"] = float(width)
    case["schedule"] = {"kind": kind, "settings": settings, "per": per}
    return case


def main():
    import json
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(root, "Tests", "BackpropTests", "Fixtures", "parity-cases.json"))
    parser.add_argument("--count", type=int, default=99)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--scheduled", type=int, default=18)
    args = parser.parse_args()
    rng = np.random.RandomState(args.seed)
    cases = [build_case(i, rng) for i in range(args.count)]
    # A stream of its own, so the cases above stay as they were.
    schedule_rng = np.random.RandomState(args.seed + 1)
    cases += [build_scheduled_case(i, schedule_rng) for i in range(args.scheduled)]
    document = {
        "generator": "reference/generate_parity.py",
        "jax_version": jax.__version__,
        "seed": args.seed,
        "tolerance": "relative 1e-10, absolute floor 1e-13",
        "cases": cases,
    }
    with open(args.out, "w") as f:
        json.dump(document, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
