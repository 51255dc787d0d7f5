"""Expected values for lessons/09-gradient-checking.md, in numpy.

Central and forward differences of the worked example's error, computed here independently of the
tool; what two typical bugs would do to a gradient check; and a ReLU neuron sitting exactly on
its kink.
"""
import numpy as np

from mlp import Net, show


def worked():
    return Net([([[0.15, 0.20], [0.25, 0.30]], 0.35, "sigmoid"), ([[0.40, 0.45], [0.50, 0.55]], 0.60, "sigmoid")])


X = [[0.05, 0.10]]
T = [[0.01, 0.99]]
names = [(0, 0, 0, "w1"), (0, 0, 1, "w2"), (0, 1, 0, "w3"), (0, 1, 1, "w4"),
         (1, 0, 0, "w5"), (1, 0, 1, "w6"), (1, 1, 0, "w7"), (1, 1, 1, "w8")]


def numeric(net, l, j, i, h, central=True):
    plus, minus = net.copy(), net.copy()
    plus.W[l][j, i] += h
    minus.W[l][j, i] -= 0 if not central else h
    if central:
        return (plus.error(X, T) - minus.error(X, T)) / (2 * h)
    return (plus.error(X, T) - net.error(X, T)) / h


def rel(a, n):
    return abs(a - n) / max(abs(a), abs(n))


net = worked()
_, A, D, _, gW, gb = net.backward(X, T)
print("# analytic gradients beside central differences, h = 1e-6")
for l, j, i, name in names:
    a, n = gW[l][j, i], numeric(net, l, j, i, 1e-6)
    print(f"{name}.grad: analytic {a:.12f}  numeric {n:.12f}  relative error {rel(a, n):.1e}")

print("# forward versus central difference for w5, by step size")
a5 = gW[1][0, 0]
for h in [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8, 1e-10, 1e-12]:
    f, c = numeric(net, 1, 0, 0, h, central=False), numeric(net, 1, 0, 0, h)
    print(f"h = {h:.0e}: forward rel. error {rel(a5, f):.1e}   central rel. error {rel(a5, c):.1e}")

print("# bug 1: the output delta without the sigmoid's slope, delta = a - t")
wrong = (A[2] - np.array(T)).T @ A[1]
for j, i, name in [(0, 0, "w5"), (1, 1, "w8")]:
    n = numeric(net, 1, j, i, 1e-5)
    print(f"{name}: wrong analytic {wrong[j, i]:.9f}  numeric {n:.9f}  relative error {rel(wrong[j, i], n):.3f}")

print("# bug 2: hidden deltas from the already-updated output weights (eta = 0.5)")
W2new = net.W[1] - 0.5 * gW[1]
d1 = (D[1] @ W2new) * A[1] * (1 - A[1])
g1 = d1.T @ np.array(X)
for j, i, name in [(0, 0, "w1"), (0, 1, "w2"), (1, 0, "w3"), (1, 1, "w4")]:
    n = numeric(net, 0, j, i, 1e-5)
    print(f"{name}: sequential {g1[j, i]:.9f}  numeric {n:.9f}  relative error {rel(g1[j, i], n):.4f}")

print("# a ReLU neuron exactly on its kink")
kink = Net([([[0.5, -0.5], [0.3, 0.2]], [0.0, 0.1], "relu"), ([[0.8, 0.6]], [0.0], "linear")])
Xk, Tk = [[1.0, 1.0]], [[1.0]]
Z, A, D, _, gW, gb = kink.backward(Xk, Tk)
show("h1.z", Z[0][0, 0]); show("o1.a", A[2][0, 0]); show("E", kink.error(Xk, Tk))
show("h1.w.x1.grad (analytic, slope 0 at the kink)", gW[0][0, 0])
for h in [1e-5, 1e-3]:
    p, m = kink.copy(), kink.copy()
    p.W[0][0, 0] += h; m.W[0][0, 0] -= h
    n = (p.error(Xk, Tk) - m.error(Xk, Tk)) / (2 * h)
    print(f"  numeric with h = {h:.0e}: {n:.9f}   (one-sided slopes: 0 and {0.8 * (A[2][0, 0] - 1):.9f})")
show("h2.w.x1.grad", gW[0][1, 0])
