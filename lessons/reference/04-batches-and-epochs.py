"""Expected values for lessons/04-batches-and-epochs.md.

The same 2-3-1 sigmoid network trained on lessons/data/04-study.csv four ways: one sample per
update, four per update, all twelve per update for 200 epochs, and all twelve for as many updates
as the one-sample run made. Shuffling re-creates the lesson's seeded order (see mlp.Xoshiro).
"""
import os

import numpy as np

from mlp import Net, Optimizer, show, train

here = os.path.dirname(os.path.abspath(__file__))
d = np.loadtxt(os.path.join(here, "..", "data", "04-study.csv"), delimiter=",", skiprows=1)
X, T = d[:, :2], d[:, 2:]
N = len(X)

W1 = [[0.3, -0.2], [-0.4, 0.5], [0.6, 0.1]]
W2 = [[0.5, -0.3, 0.4]]


def fresh():
    return Net([(W1, [0, 0, 0], "sigmoid"), (W2, [0], "sigmoid")])


net = fresh()
_, A = net.forward(X)
per_sample = net.sample_errors(A[-1], T)
show("E before training (all 12)", per_sample.mean())
show("E[1] before training", per_sample[0])
from mlp import Xoshiro
first = Xoshiro(4).permutation(N)
print("# order of the first shuffled epoch (1-based):", [i + 1 for i in first])
show(f"E[{first[0] + 1}] before training (the first sample drawn)", per_sample[first[0]])
show("mean error of the first batch of four", per_sample[first[:4]].mean())

for name, batch, shuffle, iterations in [("online", 1, 4, 2400), ("minibatch", 4, 4, 600),
                                         ("fullbatch", None, None, 200), ("patient", None, None, 2400)]:
    net = fresh()
    losses = train(net, X, T, Optimizer("sgd", 2.0), iterations, batch, shuffle)
    _, A = net.forward(X)
    right = int(((A[-1] > 0.5) == (T > 0.5)).sum())
    print(f"# {name}: {iterations} iterations, {-(-N // (batch or N))} per epoch, {right} of {N} right")
    for k in [1, 2, 4, 12, 13]:
        if k <= iterations:
            show(f"E.iteration[{k}]", losses[k - 1])
    show("E (all 12 samples, after training)", net.error(X, T))
    show("o1.a[1]", A[-1][0, 0])
