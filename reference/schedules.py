#!/usr/bin/env python3
"""Learning rates of torch.optim.lr_scheduler's StepLR, ExponentialLR, CosineAnnealingLR and
LinearLR, step by step, as their `get_lr()` computes them when `scheduler.step()` is called
(the recursive, "chainable" forms of the PyTorch source and documentation, not the closed
forms the engine uses, so the two are independent).

For every iteration k of a run with B updates per epoch, the scheduler has been stepped
e = k // B times (per epoch) or e = k times (per iteration) before the update of iteration k.
Writes Tests/BackpropTests/Fixtures/schedule-cases.json.

Run: python3 reference/schedules.py [--out PATH]
"""

import argparse
import json
import math
import os


def rates(kind, settings, base, steps):
    """The learning rate after 0, 1, …, steps − 1 calls of scheduler.step()."""
    lr = base
    out = []
    for e in range(steps):
        if kind == "step":
            if e > 0 and e % settings["step_size"] == 0:
                lr = lr * settings["gamma"]
        elif kind == "exponential":
            if e > 0:
                lr = lr * settings["gamma"]
        elif kind == "cosine":
            t_max, eta_min = settings["t_max"], settings["eta_min"]
            if e == 0:
                lr = base
            elif (e - 1 - t_max) % (2 * t_max) == 0:
                lr = lr + (base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
            else:
                lr = (1 + math.cos(math.pi * e / t_max)) / (1 + math.cos(math.pi * (e - 1) / t_max)) * (lr - eta_min) + eta_min
        elif kind == "linear":
            start, end, total = settings["start_factor"], settings["end_factor"], settings["total_iters"]
            if e == 0:
                lr = base * start
            elif e <= total:
                lr = lr * (1.0 + (end - start) / (total * start + (e - 1) * (end - start)))
        else:
            raise ValueError(kind)
        out.append(lr)
    return out


CASES = [
    ("step", {"step_size": 3, "gamma": 0.5}, 0.1, "epoch", 4, 30),
    ("step", {"step_size": 1, "gamma": 0.1}, 1.0, "iteration", 1, 12),
    ("step", {"step_size": 7, "gamma": 0.9}, 0.05, "iteration", 3, 40),
    ("exponential", {"gamma": 0.9}, 0.5, "epoch", 2, 40),
    ("exponential", {"gamma": 0.99}, 0.01, "iteration", 5, 200),
    ("cosine", {"t_max": 10, "eta_min": 0.0}, 0.1, "epoch", 3, 70),
    ("cosine", {"t_max": 25, "eta_min": 0.001}, 0.2, "iteration", 1, 120),
    ("cosine", {"t_max": 4, "eta_min": 0.01}, 0.5, "iteration", 2, 30),
    ("linear", {"start_factor": 1 / 3, "end_factor": 1.0, "total_iters": 5}, 0.3, "epoch", 2, 20),
    ("linear", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 20}, 0.01, "iteration", 4, 40),
    ("linear", {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 8}, 0.2, "iteration", 1, 15),
]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(root, "Tests", "BackpropTests", "Fixtures", "schedule-cases.json"))
    args = parser.parse_args()
    cases = []
    for kind, settings, base, per, per_epoch, iterations in CASES:
        steps = iterations if per == "iteration" else (iterations - 1) // per_epoch + 1
        by_step = rates(kind, settings, base, steps)
        per_iteration = [by_step[k if per == "iteration" else k // per_epoch] for k in range(iterations)]
        cases.append({"kind": kind, "settings": settings, "base": base, "per": per,
                      "iterations_per_epoch": per_epoch, "iterations": iterations, "rates": per_iteration})
    with open(args.out, "w") as f:
        json.dump({"generator": "reference/schedules.py", "tolerance": "relative 1e-10, absolute floor 1e-13", "cases": cases},
                  f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {args.out}")


if __name__ == "__main__":
    main()
