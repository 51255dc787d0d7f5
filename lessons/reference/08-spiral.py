"""Expected values for lessons/08-spiral.md, in numpy.

The spiral is re-created from its seed with the same generator (mlp.spiral, mlp.Xoshiro), the
hidden layer's weights from the network's seed with He initialisation (output layer Xavier),
and both networks are trained full-batch with Adam as torch.optim.Adam defines it.
"""
import numpy as np

from mlp import Net, Optimizer, Xoshiro, draw_weights, show, spiral, train

X, T = spiral(classes=3, points=100, noise=0.2, seed=1)
labels = T.argmax(axis=1)
print("# data: first points of each arm")
for n in [0, 1, 99, 100, 200, 299]:
    print(f"  sample {n + 1}: ({X[n, 0]:.9f}, {X[n, 1]:.9f}) class {labels[n]}")


def accuracy(net):
    _, A = net.forward(X)
    return (A[-1].argmax(axis=1) == labels).mean()


print("# linear: 2 -> 3 softmax")
rng = Xoshiro(1)
W = draw_weights(rng, "xavier", 3, 2)
linear = Net([(W, np.zeros(3), "softmax")], loss="cross-entropy")
show("E before", linear.error(X, T))
L = train(linear, X, T, Optimizer("adam", lr=0.02), 300)
show("E.iteration[1]", L[0]); show("E after 300", linear.error(X, T))
print(f"  accuracy {accuracy(linear):.4f}")

for hidden, iterations in [(32, 1000)]:
    print(f"# hidden: 2 -> {hidden} relu -> 3 softmax, Adam 0.02, {iterations} updates")
    rng = Xoshiro(3)
    W1 = draw_weights(rng, "he", hidden, 2)
    W2 = draw_weights(rng, "xavier", 3, hidden)
    net = Net([(W1, np.zeros(hidden), "relu"), (W2, np.zeros(3), "softmax")], loss="cross-entropy")
    L = train(net, X, T, Optimizer("adam", lr=0.02), iterations)
    for k in [1, 10, 100, 500, 1000]:
        show(f"E.iteration[{k}]", L[k - 1])
    show("E", net.error(X, T))
    print(f"  accuracy {accuracy(net):.4f}")
    _, A = net.forward(X)
    for n in [1, 150, 300]:
        print(f"  sample {n}: " + ", ".join(f"o{k + 1}.a = {A[-1][n - 1, k]:.9f}" for k in range(3)))
    # Fresh points from another seed, never seen in training.
    Xt, Tt = spiral(classes=3, points=100, noise=0.2, seed=2)
    _, At = net.forward(Xt)
    show("E on the test spiral (seed 2)", net.error(Xt, Tt))
    print(f"  test accuracy {(At[-1].argmax(axis=1) == Tt.argmax(axis=1)).mean():.4f}")
