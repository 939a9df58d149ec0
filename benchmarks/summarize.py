#!/usr/bin/python3
"""Summarises one run directory of benchmarks/run_all.sh: per JMH benchmark the median, min and max
over its measurement iterations (JMH's own score is the mean with a 99.9% interval, which one noisy
iteration on a shared machine drags far), converted to the unit the BENCHMARKS.md tables use.

Usage: python3 benchmarks/summarize.py benchmarks/results/run2 [more run dirs]
"""
import json, os, statistics, sys


def rows(path):
    if not os.path.exists(path):
        return []
    out = []
    for r in json.load(open(path)):
        raw = [x for fork in r['primaryMetric']['rawData'] for x in fork]
        name = r['benchmark'].split('.', 3)[-1]
        out.append((name, r.get('params', {}), raw, r['primaryMetric']['scoreUnit']))
    return out


def fmt(vals, conv, digits):
    v = sorted(conv(x) for x in vals)
    return ('%.*f [%.*f-%.*f]' % (digits, statistics.median(v), digits, v[0], digits, v[-1]))


for d in sys.argv[1:]:
    print('##', d)
    for name, p, raw, unit in rows(os.path.join(d, 'matmul.json')):
        n = int(p['n'])
        gf = lambda ms: 2.0 * n ** 3 / (ms * 1e-3) / 1e9
        print('%-22s %-12s n=%-5d GFLOP/s median [min-max] %s' % (name, p['backend'], n, fmt(raw, gf, 1)))
    for name, p, raw, unit in rows(os.path.join(d, 'matmul_env_unset.json')):
        n = int(p['n'])
        gf = lambda ms: 2.0 * n ** 3 / (ms * 1e-3) / 1e9
        print('%-22s %-12s n=%-5d GFLOP/s median [min-max] %s  (OPENBLAS_CORETYPE/L2_SIZE unset)' % (
            name, p['backend'], n, fmt(raw, gf, 1)))
    for name, p, raw, unit in rows(os.path.join(d, 'mlp.json')):
        print('%-22s %-12s samples/s %s   ms/step %s' % (name, p['backend'], fmt(raw, lambda s: s, 0),
              fmt(raw, lambda s: 256.0 / s * 1e3, 2)))
    for name, p, raw, unit in rows(os.path.join(d, 'tiny.json')):
        print('%-26s %-13s us/op %s' % (name, p.get('kind', '-'), fmt(raw, lambda s: s, 3)))
    for name, p, raw, unit in rows(os.path.join(d, 'elementwise.json')):
        print('%-26s us/call %s   ns/element %s' % (name, fmt(raw, lambda s: s, 0),
              fmt(raw, lambda s: s * 1e3 / (256 * 512), 2)))
    for f in ['torch_blas.txt', 'torch_gemm.txt', 'torch_train.txt', 'torch_tiny.txt', 'torch_tiny_same.txt', 'torch_gemm_env_unset.txt', 'timeline.txt']:
        fp = os.path.join(d, f)
        if os.path.exists(fp):
            print('--', f)
            print(open(fp).read().rstrip())
