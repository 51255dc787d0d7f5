"""Independent numpy values for lessons/10-practice-sheet.md at its default numbers."""
import numpy as np

x = np.array([0.6, 0.2]); t = np.array([0.9])
W1 = np.array([[0.3, -0.2], [0.4, 0.1]]); b1 = np.array([0.1, -0.1])
W2 = np.array([[0.5, -0.3]]); b2 = np.array([0.2])
eta = 1.0
sig = lambda z: 1 / (1 + np.exp(-z))

z1 = W1 @ x + b1; a1 = sig(z1)
z2 = W2 @ a1 + b2; a2 = sig(z2)
E = 0.5 * np.sum((t - a2) ** 2)
d2 = (a2 - t) * a2 * (1 - a2)
d1 = (W2.T @ d2) * a1 * (1 - a1)
gW2 = np.outer(d2, a1); gW1 = np.outer(d1, x)
W2n = W2 - eta * gW2; W1n = W1 - eta * gW1; b2n = b2 - eta * d2; b1n = b1 - eta * d1
a2n = sig(W2n @ sig(W1n @ x + b1n) + b2n)
En = 0.5 * np.sum((t - a2n) ** 2)
for name, v in [("h1.z", z1[0]), ("h1.a", a1[0]), ("h2.a", a1[1]), ("o1.z", z2[0]), ("o1.a", a2[0]), ("E", E),
                ("o1.delta", d2[0]), ("h1.delta", d1[0]), ("w5.grad", gW2[0, 0]), ("w1.grad", gW1[0, 0]),
                ("w5 after", W2n[0, 0]), ("E after", En)]:
    print(f"{name} = {v:.9f}")
