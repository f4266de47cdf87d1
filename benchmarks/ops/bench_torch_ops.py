#!/usr/bin/env python3
"""PyTorch's forward and backward milliseconds for the ops `labmake bench ops` times, same names,
same shapes, same method: median of --reps timed runs after two warm-up runs."""
import argparse, json, time
import torch
import torch.nn.functional as F


def cases(n, fmt):
    def t(*shape, grad=False):
        x = torch.rand(*shape) * 2 - 1
        if fmt == "cl" and len(shape) == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        return x.requires_grad_(grad)

    def conv(name, c, o, hw, stride, kernel=3):
        x, w = t(n, c, hw, hw, grad=True), t(o, c, kernel, kernel, grad=True)
        pad = kernel // 2
        y = F.conv2d(x, w, stride=stride, padding=pad)
        g = t(*y.shape)

        def forward():
            with torch.no_grad():
                F.conv2d(x, w, stride=stride, padding=pad)

        def backward():
            # Both gradients of the convolution, as labmake's backward computes them.
            torch.autograd.grad(F.conv2d(x, w, stride=stride, padding=pad), (x, w), g)

        # The backward time excludes the forward it has to rerun.
        return name, forward, backward, True

    def bn_relu(name, c, hw):
        x = t(n, c, hw, hw, grad=True)
        scale, shift = torch.ones(c, requires_grad=True), torch.zeros(c, requires_grad=True)
        w = t(n, c, hw, hw)

        def forward():
            with torch.no_grad():
                F.relu(F.batch_norm(x, None, None, scale, shift, training=True))

        def backward():
            (F.relu(F.batch_norm(x, None, None, scale, shift, training=True)) * w).sum().backward()

        return name, forward, backward, True

    out = [
        conv("resnet20.conv16", 16, 16, 32, 1), conv("resnet20.conv32", 32, 32, 16, 1),
        conv("resnet20.conv64", 64, 64, 8, 1), conv("resnet20.conv16to32.s2", 16, 32, 32, 2),
        conv("resnet20.conv32to64.s2", 32, 64, 16, 2), bn_relu("resnet20.bn_relu16", 16, 32),
        conv("resnet18.conv64", 64, 64, 32, 1), conv("resnet18.conv128", 128, 128, 16, 1),
        conv("resnet18.conv256", 256, 256, 8, 1), conv("resnet18.conv512", 512, 512, 4, 1),
        conv("resnet18.shortcut128.1x1.s2", 64, 128, 32, 2, kernel=1), bn_relu("resnet18.bn_relu64", 64, 32),
    ]
    f, wl = t(n, 512, grad=True), t(512, 10, grad=True)
    labels = torch.arange(n) % 10

    def lin_fwd():
        with torch.no_grad():
            F.cross_entropy(f @ wl, labels)

    def lin_bwd():
        F.cross_entropy(f @ wl, labels).backward()

    out.append(("resnet18.linear_ce", lin_fwd, lin_bwd, True))
    p = t(n, 64, 8, 8, grad=True)

    def gap_fwd():
        with torch.no_grad():
            p.mean(dim=(2, 3))

    def gap_bwd():
        p.mean(dim=(2, 3)).sum().backward()

    out.append(("resnet20.global_avg_pool", gap_fwd, gap_bwd, True))
    return out


def median(body, reps):
    for _ in range(2):
        body()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        body()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return round((times[len(times) // 2] + times[(len(times) - 1) // 2]) / 2, 3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--format", choices=["nchw", "cl"], default="nchw")
    ap.add_argument("--filter", default=None)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    rows = []
    for name, fwd, bwd, _ in cases(args.batch, args.format):
        if args.filter and args.filter not in name:
            continue
        forward = median(fwd, args.reps)
        # backward() reruns the forward; report the difference, as labmake's backward excludes it.
        total = median(bwd, args.reps)
        rows.append({"name": name, "forward_ms": forward, "backward_ms": round(max(total - forward, 0), 3)})
    print(json.dumps({"batch": args.batch, "threads": torch.get_num_threads(), "format": args.format,
                      "torch": torch.__version__, "ops": rows}))


if __name__ == "__main__":
    main()
