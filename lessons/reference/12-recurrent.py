"""Expected values for lessons/12-recurrent.md, with plain numpy.

The recurrent layer is unrolled by hand over its three steps, h_t = tanh(Wx x_t + Wh h_{t-1} + b)
from h_0 = 0, and backpropagation through time is written step by step from the chain rule.
Writes every value by the name the lesson uses to 12-recurrent.json beside this script, and
prints the checks.

Run: python3 lessons/reference/12-recurrent.py
"""
import json
import os

import numpy as np

from mlp import show

xs = np.array([[0.5], [-1.0], [0.8]])
Wx = np.array([[0.6], [-0.4]])
Wh = np.array([[0.3, -0.2], [0.5, 0.1]])
b = np.array([0.1, 0.0])
v = np.array([0.7, -0.5])
bo = 0.2
t = 0.3
eta = 0.1


def forward(Wx, Wh, b, v, bo):
    h = np.zeros(2)
    zs, hs = [], []
    for x in xs:
        z = Wx @ x + Wh @ h + b
        h = np.tanh(z)
        zs.append(z)
        hs.append(h)
    o = v @ hs[-1] + bo  # a linear output
    return np.array(zs), np.array(hs), o


zs, hs, o = forward(Wx, Wh, b, v, bo)
E = 0.5 * (t - o) ** 2
o_delta = o - t
h_grad = np.zeros((3, 2))
delta = np.zeros((3, 2))
for step in reversed(range(3)):
    g = v * o_delta if step == 2 else np.zeros(2)
    if step < 2:
        g = g + Wh.T @ delta[step + 1]
    h_grad[step] = g
    delta[step] = g * (1 - hs[step] ** 2)
gWx = sum(np.outer(delta[s], xs[s]) for s in range(3))
gWh = sum(np.outer(delta[s], hs[s - 1]) for s in range(1, 3))
gb = delta.sum(axis=0)
gv = o_delta * hs[-1]
gbo = o_delta

new = (Wx - eta * gWx, Wh - eta * gWh, b - eta * gb, v - eta * gv, bo - eta * gbo)
_, _, o_after = forward(*new)
E_after = 0.5 * (t - o_after) ** 2

values = {"E": E, "o1.E": E, "o1.z": o, "o1.a": o, "o1.delta": o_delta, "o1.a.grad": o_delta, "E.after": E_after,
          "bo.grad": gbo, "bo.after": new[4]}
for s in range(3):
    for k in range(2):
        n = f"[{s + 1},{k + 1}]"
        values["r1.z" + n], values["r1.h" + n] = zs[s, k], hs[s, k]
        values["r1.h.grad" + n], values["r1.delta" + n] = h_grad[s, k], delta[s, k]
for k in range(2):
    values[f"r1.wx[{k + 1},1].before"] = Wx[k, 0]
    values[f"r1.wx[{k + 1},1].grad"], values[f"r1.wx[{k + 1},1].after"] = gWx[k, 0], new[0][k, 0]
    values[f"r1.b[{k + 1}].grad"], values[f"r1.b[{k + 1}].after"] = gb[k], new[2][k]
    values[f"v{k + 1}.grad"], values[f"v{k + 1}.after"] = gv[k], new[3][k]
    for j in range(2):
        values[f"r1.wh[{k + 1},{j + 1}].grad"], values[f"r1.wh[{k + 1},{j + 1}].after"] = gWh[k, j], new[1][k, j]

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "12-recurrent.json"), "w") as out:
    json.dump({"lesson": "12-recurrent.md", "values": {k: float(val) for k, val in sorted(values.items())}}, out, indent=1)
    out.write("\n")

for name in ["r1.z[1,1]", "r1.h[1,1]", "r1.h[1,2]", "r1.h[2,1]", "r1.h[3,1]", "r1.h[3,2]", "o1.z", "E", "o1.delta",
             "r1.h.grad[3,1]", "r1.delta[3,1]", "r1.h.grad[2,1]", "r1.delta[2,1]", "r1.delta[1,2]",
             "r1.wx[1,1].grad", "r1.wh[1,2].grad", "r1.b[1].grad", "v1.grad", "r1.wh[1,1].after", "E.after"]:
    show(name, values[name], 9)
