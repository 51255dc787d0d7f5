"""Expected values for lessons/06-optimizers.md, in numpy.

1. The worked example's first step with the correct rule (w - eta g) and with the plus-sign slip
   (w + eta g), and the error each gives.
2. One step of momentum, RMSprop and Adam on the worked example (update rules as in torch.optim).
3. The race: a 1-8-1 tanh network fitted to 0.5 + 0.4 sin(pi x) at 11 points, drawn with the lesson's seed
   (Xavier uniform, re-created by mlp.Xoshiro), trained 1,000 full-batch steps by each optimizer.
"""
import numpy as np

from mlp import Net, Optimizer, Xoshiro, draw_weights, show, train


def worked():
    return Net([([[0.15, 0.20], [0.25, 0.30]], 0.35, "sigmoid"), ([[0.40, 0.45], [0.50, 0.55]], 0.60, "sigmoid")])


X = [[0.05, 0.10]]
T = [[0.01, 0.99]]

print("# 1. the sign of the step")
net = worked()
_, _, _, _, gW, _ = net.backward(X, T)
down, up = worked(), worked()
for l in range(2):
    down.W[l] -= 0.5 * gW[l]
    up.W[l] += 0.5 * gW[l]
show("E before", net.error(X, T))
show("E after w - eta g", down.error(X, T))
show("E after w + eta g", up.error(X, T))
for l, names in [(0, ["w1", "w2", "w3", "w4"]), (1, ["w5", "w6", "w7", "w8"])]:
    for k, name in enumerate(names):
        print(f"{name}: minus {down.W[l].flat[k]:.9f}   plus {up.W[l].flat[k]:.9f}")

print("# 2. one step of each optimizer (biases fixed)")
for kind, kw in [("sgd", dict(lr=0.5)), ("sgd", dict(lr=0.5, momentum=0.9)),
                 ("rmsprop", dict(lr=0.01)), ("adam", dict(lr=0.01))]:
    net = worked()
    opt = Optimizer(kind, **kw)
    _, _, _, _, gW, _ = net.backward(X, T)
    opt.step(net.W, gW)
    print(f"## {kind} {kw}")
    show("w5", net.W[1][0, 0]); show("w1", net.W[0][0, 0]); show("E", net.error(X, T))
    if kind == "rmsprop":
        show("square average of w5", opt.state[1]["s"][0, 0], 12)
    if kind == "adam":
        show("first moment of w5", opt.state[1]["v"][0, 0], 12)
        show("second moment of w5", opt.state[1]["s"][0, 0], 15)

print("# 3. the race")
x = np.array([[-1.0], [-0.8], [-0.6], [-0.4], [-0.2], [0.0], [0.2], [0.4], [0.6], [0.8], [1.0]])  # as written in the lesson
t = np.round(0.5 + 0.4 * np.sin(np.pi * x), 10)  # the lesson writes the targets to 10 decimals
for xi, ti in zip(x[:, 0], t[:, 0]):
    print(f"  [{xi:.1f}] -> {ti:.10f}")
rng = Xoshiro(1)
W1 = draw_weights(rng, "xavier", 8, 1)
W2 = draw_weights(rng, "xavier", 1, 8)
for name, kind, kw in [("sgd", "sgd", dict(lr=0.1)), ("momentum", "sgd", dict(lr=0.1, momentum=0.9)),
                       ("rmsprop", "rmsprop", dict(lr=0.01)), ("adam", "adam", dict(lr=0.02))]:
    net = Net([(W1, np.zeros(8), "tanh"), (W2, [0.0], "linear")])
    losses = train(net, x, t, Optimizer(kind, **kw), 1000)
    print(f"## {name}")
    for k in [1, 2, 10, 100, 300, 500, 1000]:
        show(f"E.iteration[{k}]", losses[k - 1])
    if name == "rmsprop":
        # RMSprop's late path depends on the last bit of every sum: perturb the inputs by
        # a few units in the last place and see how far the final error moves.
        finals = []
        for eps in [k * 1e-15 for k in range(-20, 21) if k]:
            other = Net([(W1, np.zeros(8), "tanh"), (W2, [0.0], "linear")])
            train(other, x * (1 + eps), t, Optimizer(kind, **kw), 1000)
            finals.append(other.error(x, t))
        print(f"   final E over 40 perturbed runs: {min(finals):.7f} .. {max(finals):.7f}")
    show("E after 1000 updates", net.error(x, t))
