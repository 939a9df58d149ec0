#!/usr/bin/python3
"""torch peer of TinyOpsBench's mul_add_tanh chain, op for op: shape-[4] float32, 1,000 ops cycling
y*c, y+b, tanh(y) (c = 0.999, b = 0.001), 1 thread. Columns as in tiny_ops_bench.py (median
microseconds per op over --runs repetitions): forward recording the graph, backward alone,
forward+backward (gradient w.r.t. the input, as GradOperation() in the Java benchmark), and forward
under no_grad.

Run: /usr/bin/python3 benchmarks/torch/tiny_chain_same.py [--runs 15]
"""
import argparse, statistics, time
import torch

ap = argparse.ArgumentParser()
ap.add_argument('--chain', type=int, default=1000)
ap.add_argument('--runs', type=int, default=15)
args = ap.parse_args()
torch.set_num_threads(1)
N = args.chain
x0 = torch.randn(4)
c = torch.full((4,), 0.999)
b = torch.full((4,), 0.001)


def chain(y):
    for i in range(N):
        k = i % 3
        if k == 0:
            y = y * c
        elif k == 1:
            y = y + b
        else:
            y = torch.tanh(y)
    return y


def fwd():
    x = x0.clone().requires_grad_(True)
    return x, chain(x)


def both():
    x, y = fwd()
    return torch.autograd.grad(y.sum(), x)[0]


def nograd():
    with torch.no_grad():
        chain(x0)


for _ in range(5):
    both(); nograd()
fr, br, tr, nr = [], [], [], []
for _ in range(args.runs):
    t0 = time.perf_counter(); x, y = fwd(); t1 = time.perf_counter()
    torch.autograd.grad(y.sum(), x); t2 = time.perf_counter()
    fr.append(t1 - t0); br.append(t2 - t1)
    t0 = time.perf_counter(); both(); tr.append(time.perf_counter() - t0)
    t0 = time.perf_counter(); nograd(); nr.append(time.perf_counter() - t0)
med = lambda r: statistics.median(r) / N * 1e6
print('torch', torch.__version__, 'chain', N, 'runs', args.runs)
print('chain,ops,fwd_us_per_op,bwd_us_per_op,fwd+bwd_us_per_op,nograd_fwd_us_per_op,fwd+bwd_min,fwd+bwd_max')
print('mul_add_tanh,%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f' % (N, med(fr), med(br), med(tr), med(nr),
      min(tr) / N * 1e6, max(tr) / N * 1e6))
