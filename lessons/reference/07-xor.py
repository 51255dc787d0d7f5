"""Expected values for lessons/07-xor.md, in numpy.

XOR's four points, a network without a hidden layer (whose best possible error is ln 2, with
every output 1/2), a 2-2-1 network that learns XOR, and the same shape from another start that
gets stuck where two outputs sit at 1/2 (error ln(2)/2). Binary cross-entropy, plain gradient
descent, learning rate 1, 2,000 full-batch updates, all biases learned.
"""
import math

import numpy as np

from mlp import Net, Optimizer, show, train

X = [[0, 0], [0, 1], [1, 0], [1, 1]]
T = [[0], [1], [1], [0]]

print("# no hidden layer")
flat = Net([([[0.3, -0.2]], [0.1], "sigmoid")], loss="binary-cross-entropy")
L = train(flat, X, T, Optimizer("sgd", 1.0), 2000)
_, A = flat.forward(X)
show("E.iteration[1]", L[0]); show("E", flat.error(X, T)); show("ln 2", math.log(2))
print("outputs", np.round(A[-1].ravel(), 9), "weights", flat.W[0], flat.b[0])

for name, W1 in [("hidden", [[0.5, -0.4], [0.3, 0.6]]), ("unlucky", [[0.2, 0.8], [0.7, -0.3]])]:
    print(f"# {name}")
    net = Net([(W1, [0.1, -0.1], "tanh"), ([[0.5, -0.5]], [0.0], "sigmoid")], loss="binary-cross-entropy")
    L = train(net, X, T, Optimizer("sgd", 1.0), 2000)
    Z, A = net.forward(X)
    show("E.iteration[1]", L[0]); show("E", net.error(X, T)); show("ln(2)/2", math.log(2) / 2)
    for n in range(4):
        show(f"o1.a[{n + 1}]", A[2][n, 0])
    for n in range(4):
        print(f"  sample {n + 1}: h1.a = {A[1][n, 0]:.9f}, h2.a = {A[1][n, 1]:.9f}")
    print("  W1", net.W[0].round(6).tolist(), "b1", net.b[0].round(6).tolist())
    print("  W2", net.W[1].round(6).tolist(), "b2", net.b[1].round(6).tolist())
