"""Expected values for lessons/11-convolution.md, with plain numpy loops.

The forward pass slides the kernel by hand (no library convolution); the backward pass is
written from the chain rule cell by cell: the kernel gradient as a sum over input patches,
max-pool's gradient routed to each window's maximum, ReLU's gate. Writes every value by the
name the lesson uses to 11-convolution.json beside this script, and prints the checks.

Run: python3 lessons/reference/11-convolution.py
"""
import json
import os

import numpy as np

from mlp import show

x = np.array([[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 0, 2], [1, 0, 2, 3]], float)
K = np.array([[0.5, -0.5], [0.25, 0.5]])
bK = 0.1
v = np.array([0.4, -0.3, 0.2, 0.1])
bo = -0.2
t = 1.0
eta = 0.5
sig = lambda s: 1 / (1 + np.exp(-s))


def forward(K, bK, v, bo):
    z = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            z[i, j] = sum(K[r, s] * x[i + r, j + s] for r in range(2) for s in range(2)) + bK
    a = np.maximum(z, 0)
    p = np.zeros((2, 2))
    took = {}
    for i in range(2):
        for j in range(2):
            window = [(i + r, j + s) for r in range(2) for s in range(2)]
            best = max(window, key=lambda c: a[c])
            p[i, j] = a[best]
            took[(i, j)] = best
    f = p.reshape(-1)
    oz = v @ f + bo
    oa = sig(oz)
    return z, a, p, took, f, oz, oa


z, a, p, took, f, oz, oa = forward(K, bK, v, bo)
E = 0.5 * (t - oa) ** 2
o_grad = oa - t
o_delta = o_grad * oa * (1 - oa)
f_grad = v * o_delta
p_grad = f_grad.reshape(2, 2)
a_grad = np.zeros((3, 3))
for (i, j), c in took.items():
    a_grad[c] += p_grad[i, j]
delta = a_grad * (z > 0)
K_grad = np.array([[sum(delta[i, j] * x[i + r, j + s] for i in range(3) for j in range(3)) for s in range(2)] for r in range(2)])
bK_grad = delta.sum()
v_grad = o_delta * f
bo_grad = o_delta
x_grad = np.zeros((4, 4))
for i in range(3):
    for j in range(3):
        for r in range(2):
            for s in range(2):
                x_grad[i + r, j + s] += delta[i, j] * K[r, s]

K2, bK2, v2, bo2 = K - eta * K_grad, bK - eta * bK_grad, v - eta * v_grad, bo - eta * bo_grad
*_, oa_after = forward(K2, bK2, v2, bo2)
E_after = 0.5 * (t - oa_after) ** 2

values = {"E": E, "o1.z": oz, "o1.a": oa, "o1.a.grad": o_grad, "o1.delta": o_delta, "o1.E": E,
          "bK.grad": bK_grad, "bo.grad": bo_grad, "bK.after": bK2, "bo.after": bo2, "E.after": E_after}
for i in range(3):
    for j in range(3):
        n = f"[1,{i + 1},{j + 1}]"
        values["c1.z" + n], values["c1.a" + n] = z[i, j], a[i, j]
        values["c1.a.grad" + n], values["c1.delta" + n] = a_grad[i, j], delta[i, j]
for i in range(2):
    for j in range(2):
        n = f"[1,{i + 1},{j + 1}]"
        values["p1.a" + n], values["p1.a.grad" + n] = p[i, j], p_grad[i, j]
for r in range(2):
    for s in range(2):
        values[f"K[{r + 1},{s + 1}].grad"] = K_grad[r, s]
        values[f"K[{r + 1},{s + 1}].after"] = K2[r, s]
for k in range(4):
    values[f"v{k + 1}.grad"], values[f"v{k + 1}.after"] = v_grad[k], v2[k]

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "11-convolution.json"), "w") as out:
    json.dump({"lesson": "11-convolution.md", "values": {k: float(val) for k, val in sorted(values.items())}}, out, indent=1)
    out.write("\n")

for name in ["c1.z[1,1,1]", "c1.z[1,2,2]", "p1.a[1,1,1]", "p1.a[1,2,1]", "o1.z", "o1.a", "E", "o1.delta", "p1.a.grad[1,1,1]",
             "c1.a.grad[1,1,2]", "c1.delta[1,2,2]", "K[1,1].grad", "K[1,2].grad", "K[2,1].grad", "K[2,2].grad", "bK.grad",
             "v1.grad", "K[2,2].after", "v1.after", "E.after"]:
    show(name, values[name], 9)
print("input gradient:", x_grad.tolist())
