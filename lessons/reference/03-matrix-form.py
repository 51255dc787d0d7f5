"""Expected values for lessons/03-matrix-form.md, computed with whole matrices in numpy.

Column-vector form for the single example (z = W x + b, delta = (a - t) * s'(z),
dE/dW = delta a_prev^T), then samples-as-rows form for the batch (Z = X W^T + b,
dE/dW = (1/N) Delta^T A_prev). The two forms are written out separately on purpose.
"""
import numpy as np

from mlp import show

sig = lambda z: 1 / (1 + np.exp(-z))

W1 = np.array([[0.15, 0.20], [0.25, 0.30]]); b1 = np.array([[0.35], [0.35]])
W2 = np.array([[0.40, 0.45], [0.50, 0.55]]); b2 = np.array([[0.60], [0.60]])

# --- one example, column vectors ---
x = np.array([[0.05], [0.10]]); t = np.array([[0.01], [0.99]])
z1 = W1 @ x + b1; a1 = sig(z1)
z2 = W2 @ a1 + b2; a2 = sig(z2)
E = 0.5 * ((t - a2) ** 2).sum()
d2 = (a2 - t) * a2 * (1 - a2)                 # (2x1)
d1 = (W2.T @ d2) * a1 * (1 - a1)              # (2x2)^T (2x1) -> (2x1)
gW2 = d2 @ a1.T                               # (2x1)(1x2) -> (2x2)
gW1 = d1 @ x.T
print("# one example")
for name, v in [("h1.z", z1[0, 0]), ("h2.z", z1[1, 0]), ("h1.a", a1[0, 0]), ("h2.a", a1[1, 0]),
                ("o1.z", z2[0, 0]), ("o1.a", a2[0, 0]), ("o2.a", a2[1, 0]), ("E", E),
                ("o1.delta", d2[0, 0]), ("o2.delta", d2[1, 0]), ("h1.delta", d1[0, 0]), ("h2.delta", d1[1, 0]),
                ("h1.a.grad", (W2.T @ d2)[0, 0]),
                ("w5.grad", gW2[0, 0]), ("w6.grad", gW2[0, 1]), ("w7.grad", gW2[1, 0]), ("w8.grad", gW2[1, 1]),
                ("w1.grad", gW1[0, 0]), ("w2.grad", gW1[0, 1]), ("w3.grad", gW1[1, 0]), ("w4.grad", gW1[1, 1]),
                ("h1.b.grad", d1[0, 0]), ("o1.b.grad", d2[0, 0])]:
    show(name, v, 12)

eta = 0.5
W1n = W1 - eta * gW1; W2n = W2 - eta * gW2
a2n = sig(W2n @ sig(W1n @ x + b1) + b2)
show("w5 after", W2n[0, 0], 12); show("w1 after", W1n[0, 0], 12)
show("E after", 0.5 * ((t - a2n) ** 2).sum(), 12)

# --- a batch of three, samples as rows ---
X = np.array([[0.05, 0.10], [0.50, 0.20], [0.90, 0.70]])
T = np.array([[0.01, 0.99], [0.99, 0.01], [0.50, 0.50]])
N = len(X)
Z1 = X @ W1.T + b1.T; A1 = sig(Z1)
Z2 = A1 @ W2.T + b2.T; A2 = sig(Z2)
En = 0.5 * ((T - A2) ** 2).sum(axis=1)
D2 = (A2 - T) * A2 * (1 - A2)                 # (3x2)
D1 = (D2 @ W2) * A1 * (1 - A1)                # (3x2)(2x2) -> (3x2)
GW2 = D2.T @ A1 / N                           # (2x3)(3x2) -> (2x2)
GW1 = D1.T @ X / N
Gb2 = D2.mean(axis=0); Gb1 = D1.mean(axis=0)
print("# batch of three")
for name, v in [("E", En.mean()), ("E[1]", En[0]), ("E[2]", En[1]), ("E[3]", En[2]),
                ("o1.a[2]", A2[1, 0]), ("o1.delta[2]", D2[1, 0]), ("h1.delta[3]", D1[2, 0]),
                ("w5.grad", GW2[0, 0]), ("w8.grad", GW2[1, 1]), ("w1.grad", GW1[0, 0]), ("w4.grad", GW1[1, 1]),
                ("o1.b.grad", Gb2[0]), ("h2.b.grad", Gb1[1])]:
    show(name, v, 12)

# The same gradient as the mean of three single-example gradients, one column vector at a time.
acc = np.zeros((2, 2))
for n in range(N):
    xn = X[n:n + 1].T; tn = T[n:n + 1].T
    a1n = sig(W1 @ xn + b1); a2n = sig(W2 @ a1n + b2)
    acc += ((a2n - tn) * a2n * (1 - a2n)) @ a1n.T
show("w5.grad as a mean of per-sample gradients", acc[0, 0] / N, 12)
