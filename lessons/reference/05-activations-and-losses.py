"""Expected values for lessons/05-activations-and-losses.md, in numpy.

1. A deep narrow chain (1 input, five hidden layers of one neuron, a linear output), all
   weights 1 and biases 0, input 1, target 0, with sigmoid, tanh and ReLU hidden layers:
   delta per layer, by the recursion delta_l = w_{l+1} delta_{l+1} f'(z_l).
2. A ReLU neuron with a negative net input, and the same with leaky ReLU.
3. A confidently wrong sigmoid output under half squared error and binary cross-entropy.
4. A softmax layer with cross-entropy on two labelled samples.
"""
import numpy as np

from mlp import Net, show

print("# 1. deep narrow chains")
for f in ["sigmoid", "tanh", "relu"]:
    layers = [([[1.0]], [0.0], f) for _ in range(5)] + [([[1.0]], [0.0], "linear")]
    net = Net(layers)
    Z, A, D, G, gW, gb = net.backward([[1.0]], [[0.0]])
    print(f"## {f}")
    for l in range(5):
        show(f"h{l + 1}.z", Z[l][0, 0]); show(f"h{l + 1}.a", A[l + 1][0, 0])
    show("o1.a", A[-1][0, 0])
    show("o1.delta", D[-1][0, 0])
    for l in range(4, -1, -1):
        show(f"h{l + 1}.delta", D[l][0, 0], 12)
    show("h1.w.i1.grad", gW[0][0, 0], 12)
    show("o1.w.h5.grad", gW[-1][0, 0], 12)
    print(f"   ratio h1.delta / o1.delta = {D[0][0, 0] / D[-1][0, 0]:.6g}")

print("# 2. a ReLU neuron below zero, and leaky ReLU")
for f in ["relu", "leaky-relu"]:
    net = Net([([[1.0]], [-1.0], f), ([[2.0]], [0.5], "linear")])
    Z, A, D, G, gW, gb = net.backward([[0.5]], [[1.0]])
    print(f"## {f}")
    show("h1.z", Z[0][0, 0]); show("h1.a", A[1][0, 0]); show("o1.a", A[2][0, 0])
    show("o1.delta", D[1][0, 0]); show("h1.delta", D[0][0, 0], 12)
    show("h1.w.i1.grad", gW[0][0, 0], 12); show("h1.b.grad", gb[0][0], 12)

print("# 3. a confidently wrong sigmoid output")
for loss in ["half-squared-error", "binary-cross-entropy"]:
    net = Net([([[-4.0]], [0.0], "sigmoid")], loss=loss)
    Z, A, D, G, gW, gb = net.backward([[1.0]], [[1.0]])
    print(f"## {loss}")
    show("o1.a", A[1][0, 0]); show("E", net.error([[1.0]], [[1.0]]))
    show("o1.a.grad", G[0][0, 0]); show("o1.delta", D[0][0, 0])
    show("o1.w.i1.grad", gW[0][0, 0])

print("# 4. softmax and cross-entropy")
W = [[0.2, -0.5], [0.4, 0.1], [-0.3, 0.6]]
net = Net([(W, [0.0, 0.1, -0.1], "softmax")], loss="cross-entropy")
X = [[1.0, 2.0], [2.0, -1.0]]
T = np.eye(3)[[2, 0]]
Z, A, D, G, gW, gb = net.backward(X, T)
for n in range(2):
    for k in range(3):
        show(f"o{k + 1}.z[{n + 1}]", Z[0][n, k]); show(f"o{k + 1}.a[{n + 1}]", A[1][n, k])
    for k in range(3):
        show(f"o{k + 1}.delta[{n + 1}]", D[0][n, k])
E = net.sample_errors(A[1], T)
show("E[1]", E[0]); show("E[2]", E[1]); show("E", E.mean())
show("-ln o3.a[1]", -np.log(A[1][0, 2]))
show("o1.w.i1.grad", gW[0][0, 0]); show("o3.w.i2.grad", gW[0][2, 1]); show("o3.b.grad", gb[0][2])
