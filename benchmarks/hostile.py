#!/usr/bin/env python3
"""Writes hostile lessons into a folder: deep nesting, long graph chains, wide products, big files.

Used by benchmarks/hostile.sh; `hostile.py DIR` writes DIR/NAME.md for every case."""
import os
import sys

N = 100_000  # nesting depth of the nesting cases


def graph(expr):
    return "# Graph\n\n```graph g\nx = 0.5\ny = 1.5\nf = " + expr + "\n```\n"


def network(body):
    return "# Net\n\n```network\n" + body + "\n```\n"



def typed(shape, layers, inputs):
    """A network of typed layers with one sample of `inputs` numbers, run by a `step`."""
    return ("```network t\ninput-shape: " + shape + "\nlayers:\n" + layers + "  - type: flatten\n  - neurons: 1\nlearning-rate: 0.1\n```\n\n"
            + "```data\ninputs: [[" + ", ".join(["0.5"] * inputs) + "]]\ntargets: [[1]]\n```\n\n```step\n```\n")

CASES = {
    "nest-quotes": "> " * N + "deep\n",
    "nest-quotes-lines": "".join(">" * i + " q\n" for i in range(1, 1001)),
    "nest-lists": "- " * N + "deep\n",
    "nest-ordered": "1. " * N + "deep\n",
    "nest-emphasis": "*a " * N + "b" + "*" * N + "\n",
    "nest-strong": "**a " * N + "b" + "**" * N + "\n",
    "nest-links": "[" * N + "x" + "](http://a)" * N + "\n",
    "nest-images": "![" * N + "x" + "](http://a)" * N + "\n",
    "nest-math-braces": "$" + "{" * N + "x" + "}" * N + "$\n",
    "nest-math-frac": "$" + "\\frac{" * N + "1" + "}{2}" * N + "$\n",
    "nest-math-sqrt": "$" + "\\sqrt" * N + " x$\n",
    "nest-math-scripts": "$x" + "^{x" * N + "}" * N + "$\n",
    "nest-graph-parens": graph("(" * N + "x" + ")" * N),
    "nest-graph-calls": graph("exp(" * N + "x" + ")" * N),
    "nest-graph-power": graph("x^" * N + "2"),
    "nest-yaml-flow": network("inputs: " + "[" * N + "]" * N),
    "nest-yaml-maps": network("inputs: " + "{a: " * N + "1" + "}" * N),
    "nest-yaml-dashes": network("inputs:\n  " + "- " * N + "x"),
    "nest-front-matter": "---\ntitle: " + "[" * N + "]" * N + "\n---\n# T\n",
    "minus-1000": graph("- " * 1000 + "x"),
    "minus-2000": graph("- " * 2000 + "x"),
    "minus-10000": graph("- " * 10000 + "x"),
    "product-300": graph(" * ".join(["x", "y"] * 150)),
    "product-3000": graph(" * ".join(["x", "y"] * 1500)),
    "sum-3000": graph(" + ".join(["x", "y"] * 1500)),
    "chain-lines-3000": "```graph g\nx0 = 0.5\n" + "".join(f"x{i} = -x{i-1} * 1\n" for i in range(1, 3000)) + "```\n",
    "graphs-at-limit": "".join(graph(" * ".join(["x", "y"] * 200)) for _ in range(4)),
    "chain-lines-at-limit": "```graph g\nx0 = 0.5\n" + "".join(f"x{i} = -x{i-1} * 1\n" for i in range(1, 666)) + "```\n",
    "functions-at-limit": graph(" * ".join(["sigmoid(x)", "tanh(y)", "exp(x)", "sqrt(y)", "log(y)"] * 100)),
    "checks-pass-1mb": "```graph g\nx = 1\n```\n\n```check\n" + "x = 1\n" * 150000 + "```\n",
    "checks-half-mb": "```graph g\nx = 1\n```\n\n```check\n" + "x = 2\n" * 75000 + "```\n",
    "prose-1mb": "# Big\n\n" + ("Some *prose* with `code` and a [link](http://a) $x^2$.\n\n" * 18000),
    "graphs-1mb": "".join(graph(" * ".join(["x", "y"] * 200)) for _ in range(500)),
    "errors-1mb": "# E\n\n" + "A {{nope}} value.\n\n" * 50000,
    "checks-1mb": "```graph g\nx = 1\n```\n\n```check\n" + "x = 2\n" * 150000 + "```\n",
    "prose-4mb": "# Big\n\n" + ("Some *prose* with `code` and a [link](http://a) $x^2$.\n\n" * 70000),
    "prose-50mb": "# Big\n\n" + ("Some prose.\n\n" * 4_000_000) + "{{nope}}\n",
    # Typed layers: a wide convolution at the parse-time weight cap, a deep stack, a long sequence.
    "conv-huge-kernel": typed("[1, 200, 200]", "  - type: conv2d\n    channels: 256\n    kernel: 200\n", 40000),
    "conv-64x64-8ch": typed("[1, 64, 64]", "  - type: conv2d\n    channels: 8\n    kernel: 3\n    activation: relu\n  - type: maxpool\n    size: 2\n", 4096),
    "conv-deep-20": typed("[2, 16, 16]", "".join("  - type: conv2d\n    channels: 2\n    kernel: 3\n    padding: 1\n    activation: tanh\n" for _ in range(20)), 512),
    "rnn-1000-steps": typed("[1000, 1]", "  - type: rnn\n    hidden: 4\n    returns: sequence\n", 1000),
}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        sys.exit("usage: hostile.py OUT_DIR [CASE...]   (cases: " + " ".join(CASES) + ")")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    only = set(sys.argv[2:])
    for name, text in CASES.items():
        if only and name not in only:
            continue
        with open(os.path.join(out, name + ".md"), "w") as f:
            f.write(text)
