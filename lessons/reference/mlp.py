"""A small, independent float64 re-implementation of what the lessons compute, in numpy.

The lessons' `check` blocks take their expected numbers from the scripts beside this file
(`NN-name.py`), which build on the pieces here. Nothing here reads the Swift engine's output:
the network is written in matrix form (samples as rows, Z = A_prev W^T + b), the optimizers
from PyTorch's documented update rules, and the random number generator and data generator
from their published definitions, so that seeded data and drawn weights can be re-derived.

Run any script with `python3 lessons/reference/NN-name.py`.
"""

import math

import numpy as np

MASK = (1 << 64) - 1


# --- Random numbers: xoshiro256** seeded by SplitMix64 (Blackman and Vigna, 2018) -------------

class Xoshiro:
    def __init__(self, seed):
        x = seed & MASK
        state = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            state.append(z ^ (z >> 31))
        self.s = state

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK

    def next(self):
        s = self.s
        result = (self._rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self._rotl(s[3], 45)
        return result

    def unit(self):
        """Uniform in [0, 1): the top 53 bits times 2^-53."""
        return (self.next() >> 11) * 2.0 ** -53

    def uniform(self, low, high):
        return low + (high - low) * self.unit()

    def normal(self):
        """Box-Muller, keeping the cosine half of the pair."""
        u1 = 1 - self.unit()
        u2 = self.unit()
        return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)

    def below(self, bound):
        """Uniform integer in [0, bound), Lemire's multiply-and-reject."""
        m = self.next() * bound
        low = m & MASK
        if low < bound:
            threshold = ((1 << 64) - bound) % bound
            while low < threshold:
                m = self.next() * bound
                low = m & MASK
        return m >> 64

    def permutation(self, n):
        """Fisher-Yates from the top."""
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.below(i + 1)
            p[i], p[j] = p[j], p[i]
        return p


def draw_weights(rng, kind, neurons, inputs):
    """A neurons x inputs matrix drawn row by row."""
    w = np.zeros((neurons, inputs))
    for j in range(neurons):
        for i in range(inputs):
            if kind == "xavier":
                r = math.sqrt(6 / (inputs + neurons))
                w[j, i] = rng.uniform(-r, r)
            elif kind == "he":
                w[j, i] = math.sqrt(2 / inputs) * rng.normal()
            elif kind == "uniform":
                w[j, i] = rng.uniform(-1, 1)
            elif kind == "normal":
                w[j, i] = rng.normal()
            else:
                raise ValueError(kind)
    return w


def spiral(classes, points, noise, seed):
    """K interleaved arms (the CS231n construction): r = i/(n-1), theta = 4k + 4r + noise*N(0,1)."""
    rng = Xoshiro(seed)
    x = np.zeros((classes * points, 2))
    t = np.zeros((classes * points, classes))
    for k in range(classes):
        for i in range(points):
            n = k * points + i
            r = i / (points - 1)
            theta = 4 * k + 4 * r + noise * rng.normal()
            x[n] = [r * math.sin(theta), r * math.cos(theta)]
            t[n, k] = 1
    return x, t


# --- The network, in matrix form ------------------------------------------------------------

def act(name, z, slope=0.01):
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name == "leaky-relu":
        return np.where(z > 0, z, slope * z)
    if name == "linear":
        return z
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(name)


def dact(name, z, a, slope=0.01):
    if name == "sigmoid":
        return a * (1 - a)
    if name == "tanh":
        return 1 - a * a
    if name == "relu":
        return (z > 0).astype(float)
    if name == "leaky-relu":
        return np.where(z > 0, 1.0, slope)
    if name == "linear":
        return np.ones_like(z)
    raise ValueError(name)


class Net:
    """layers: list of (W, b, activation) with W shaped neurons x inputs."""

    def __init__(self, layers, loss="half-squared-error", reduction="mean"):
        self.W = [np.array(w, dtype=float) for w, _, _ in layers]
        self.b = [np.array(b, dtype=float) * np.ones(np.array(w).shape[0]) for w, b, _ in layers]
        self.f = [f for _, _, f in layers]
        self.loss = loss
        self.reduction = reduction

    def copy(self):
        n = Net([(w.copy(), b.copy(), f) for w, b, f in zip(self.W, self.b, self.f)], self.loss, self.reduction)
        return n

    def forward(self, X):
        A = [np.atleast_2d(np.array(X, dtype=float))]
        Z = []
        for W, b, f in zip(self.W, self.b, self.f):
            z = A[-1] @ W.T + b          # samples as rows: Z = A_prev W^T + b
            Z.append(z)
            A.append(act(f, z))
        return Z, A

    def sample_errors(self, out, T):
        T = np.atleast_2d(np.array(T, dtype=float))
        K = out.shape[1]
        if self.loss == "half-squared-error":
            return (0.5 * (T - out) ** 2).sum(axis=1)
        if self.loss == "mean-squared-error":
            return ((T - out) ** 2).sum(axis=1) / K
        if self.loss == "cross-entropy":
            return -(np.where(T > 0, T * np.log(np.where(T > 0, out, 1)), 0)).sum(axis=1)
        if self.loss == "binary-cross-entropy":
            return -(T * np.log(out) + (1 - T) * np.log(1 - out)).sum(axis=1)
        raise ValueError(self.loss)

    def error(self, X, T):
        _, A = self.forward(X)
        e = self.sample_errors(A[-1], T)
        return e.mean() if self.reduction == "mean" else e.sum()

    def backward(self, X, T):
        """Returns (Z, A, deltas, dE/da per layer, weight gradients, bias gradients)."""
        T = np.atleast_2d(np.array(T, dtype=float))
        Z, A = self.forward(X)
        N, K = T.shape
        out = A[-1]
        L = len(self.W)
        if self.loss == "half-squared-error":
            g = out - T
        elif self.loss == "mean-squared-error":
            g = 2 * (out - T) / K
        elif self.loss == "cross-entropy":
            g = np.where(T > 0, -T / out, 0.0)
        else:
            g = (out - T) / (out * (1 - out))
        deltas = [None] * L
        grads_a = [None] * L
        grads_a[-1] = g
        if (self.loss, self.f[-1]) in (("cross-entropy", "softmax"), ("binary-cross-entropy", "sigmoid")):
            deltas[-1] = out - T
        elif self.f[-1] == "softmax":
            deltas[-1] = out * (g - (g * out).sum(axis=1, keepdims=True))
        else:
            deltas[-1] = g * dact(self.f[-1], Z[-1], out)
        for l in range(L - 2, -1, -1):
            grads_a[l] = deltas[l + 1] @ self.W[l + 1]          # (W^{l+1})^T delta, per row
            deltas[l] = grads_a[l] * dact(self.f[l], Z[l], A[l + 1])
        s = 1 / N if self.reduction == "mean" else 1
        gW = [s * deltas[l].T @ A[l] for l in range(L)]        # (1/N) Delta^T A_prev
        gb = [s * deltas[l].sum(axis=0) for l in range(L)]
        return Z, A, deltas, grads_a, gW, gb


# --- Optimizers, as torch.optim documents them -----------------------------------------------

class Optimizer:
    def __init__(self, kind="sgd", lr=0.1, momentum=0.0, alpha=0.99, beta1=0.9, beta2=0.999, eps=1e-8):
        self.kind, self.lr, self.mu, self.alpha = kind, lr, momentum, alpha
        self.b1, self.b2, self.eps = beta1, beta2, eps
        self.t = 0
        self.state = {}

    def step(self, params, grads, update_biases=True):
        self.t += 1
        for key, (p, g) in enumerate(zip(params, grads)):
            st = self.state.setdefault(key, {"v": np.zeros_like(p), "s": np.zeros_like(p)})
            if self.kind == "sgd":
                if self.mu:
                    st["v"] = g.copy() if self.t == 1 else self.mu * st["v"] + g
                    g = st["v"]
                p -= self.lr * g
            elif self.kind == "rmsprop":
                st["s"] = self.alpha * st["s"] + (1 - self.alpha) * g * g
                p -= self.lr * g / (np.sqrt(st["s"]) + self.eps)
            elif self.kind == "adam":
                st["v"] = self.b1 * st["v"] + (1 - self.b1) * g
                st["s"] = self.b2 * st["s"] + (1 - self.b2) * g * g
                mhat = st["v"] / (1 - self.b1 ** self.t)
                vhat = st["s"] / (1 - self.b2 ** self.t)
                p -= self.lr * mhat / (np.sqrt(vhat) + self.eps)
            else:
                raise ValueError(self.kind)


def train(net, X, T, opt, iterations, batch=None, shuffle=None, update_biases=True):
    """Returns the error of every iteration, computed before its update."""
    X = np.atleast_2d(np.array(X, dtype=float))
    T = np.atleast_2d(np.array(T, dtype=float))
    N = len(X)
    B = min(batch or N, N)
    per_epoch = -(-N // B)
    rng = Xoshiro(shuffle) if shuffle is not None else None
    order = list(range(N))
    losses = []
    for k in range(iterations):
        pos = k % per_epoch
        if pos == 0 and rng is not None:
            order = rng.permutation(N)
        idx = order[pos * B:min((pos + 1) * B, N)]
        xb, tb = X[idx], T[idx]
        losses.append(net.error(xb, tb))
        _, _, _, _, gW, gb = net.backward(xb, tb)
        params = net.W + (net.b if update_biases else [])
        grads = gW + (gb if update_biases else [])
        opt.step(params, grads)
    return losses


def show(name, value, digits=9):
    print(f"{name} = {value:.{digits}f}")
