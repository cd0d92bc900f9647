#!/usr/bin/python3
"""Writes linear_cka_reference.json: linear CKA (Kornblith et al. 2019) of small random representations, computed
with PyTorch in float64 through the Gram-matrix (biased HSIC) form <HKH, HLH> / (||HKH|| ||HLH||), K = X X^T,
L = Y Y^T, H = I - 11^T / n. LinearCkaTest compares the Java feature-space form with these numbers.

Run with Debian's python3-torch:  /usr/bin/python3 linear_cka_reference.py > linear_cka_reference.json
"""
import json

import torch


def linear_cka(x, y):
    n = x.shape[0]
    h = torch.eye(n, dtype=torch.float64) - torch.ones(n, n, dtype=torch.float64) / n
    k = h @ (x @ x.T) @ h
    l = h @ (y @ y.T) @ h
    return float((k * l).sum() / (torch.linalg.norm(k) * torch.linalg.norm(l)))


def main():
    torch.manual_seed(20230523)
    cases = []
    for n, p, q, mixing in [(6, 3, 2, 0.0), (12, 5, 4, 0.5), (20, 10, 10, 0.9), (9, 2, 7, 0.0)]:
        x = torch.randn(n, p, dtype=torch.float64)
        noise = torch.randn(n, q, dtype=torch.float64)
        if mixing > 0:
            y = mixing * (x @ torch.randn(p, q, dtype=torch.float64)) + (1 - mixing) * noise
        else:
            y = noise
        cases.append({"x": x.tolist(), "y": y.tolist(), "cka": linear_cka(x, y)})
    print(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1))


if __name__ == "__main__":
    main()
