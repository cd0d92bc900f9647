#!/usr/bin/env python3
"""Writes reference outputs and gradients computed by PyTorch for the core layer tests.

Run with Debian's python3-torch:  /usr/bin/python3 make_torch_references.py <output dir>
The networks mirror tribuo-adapt-core's specs layer for layer (same state_dict names), so the Java tests load the
weights, run the same input and compare outputs, BatchNorm running statistics and parameter gradients.
safetensors files are written by the small writer below (the safetensors package is not in Debian).
"""
import json, math, struct, sys
import torch, torch.nn as nn, torch.nn.functional as F


def save_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.qkv, self.proj = heads, nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)

    def forward(self, x):
        n, t, d = x.shape
        q, k, v = self.qkv(x).reshape(n, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        a = (q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)).softmax(-1)
        return self.proj((a @ v).transpose(1, 2).reshape(n, t, d))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp):
        super().__init__()
        self.norm1, self.attn, self.norm2 = nn.LayerNorm(dim), Attention(dim, heads), nn.LayerNorm(dim)
        self.mlp = nn.Sequential()
        self.mlp.add_module("fc1", nn.Linear(dim, mlp))
        self.mlp.add_module("act", nn.GELU())
        self.mlp.add_module("fc2", nn.Linear(mlp, dim))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PosEmbed(nn.Module):
    def __init__(self, t, d):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(1, t, d) * 0.02)


class ViT(nn.Module):
    """TransformerSpec.forImages(1, 8, 8, 4, dim=16, depth=2, heads=2, mlpDim=32) with 3 outputs."""
    def __init__(self):
        super().__init__()
        self.embed = nn.Conv2d(1, 16, 4, stride=4)
        self.pos_embed = PosEmbed(4, 16)
        self.blocks = nn.Sequential(Block(16, 2, 32), Block(16, 2, 32))
        self.norm, self.head = nn.LayerNorm(16), nn.Linear(16, 3)

    def forward(self, x):
        x = self.embed(x).flatten(2).transpose(1, 2) + self.pos_embed.weight
        return self.head(self.norm(self.blocks(x)).mean(1))


class CNN(nn.Module):
    """CNNSpec(1, 8, 8, channels {4, 8}, batchNorm, pool 2, hidden {16}) with 3 outputs."""
    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4)
        self.conv2, self.bn2 = nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8)
        self.fc1, self.head = nn.Linear(8 * 2 * 2, 16), nn.Linear(16, 3)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.head(F.relu(self.fc1(x.flatten(1))))


class WeightHead(nn.Module):
    def __init__(self, hidden, count, residual):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(count, hidden) * 0.3)
        self.bias = nn.Parameter(torch.randn(count) * 0.1)
        if residual:
            self.theta0 = nn.Parameter(torch.randn(count) * 0.3)

    def forward(self, h):
        delta = F.linear(h, self.weight, self.bias)
        return delta + self.theta0 if hasattr(self, "theta0") else delta


class Hypernet(nn.Module):
    """HypernetworkSpec: 5 features + 2 conditioning values, primary hidden {4}, hypernetwork hidden {6, 5}, 3 outputs;
    mip: cos/sin encoding and residual theta0, plain: raw values and no theta0."""
    def __init__(self, mip):
        super().__init__()
        self.features, self.mip, self.widths = 5, mip, [5, 4, 3]
        self.hyper = nn.Sequential()
        width = 4 if mip else 2
        for i, h in enumerate([6, 5]):
            self.hyper.add_module(f"fc{i + 1}", nn.Linear(width, h))
            self.hyper.add_module(f"act{i + 1}", nn.ReLU())
            width = h
        count = sum(o * i + o for i, o in zip(self.widths, self.widths[1:]))
        self.theta = WeightHead(width, count, mip)

    def forward(self, x):
        f, g = x[:, :self.features], x[:, self.features:]
        e = torch.cat([torch.cos(g * math.pi / 2), torch.sin(g * math.pi / 2)], 1) if self.mip else g
        t, offset = self.theta(self.hyper(e)), 0
        for l, (i, o) in enumerate(zip(self.widths, self.widths[1:])):
            w = t[:, offset:offset + o * i].reshape(-1, o, i)
            b = t[:, offset + o * i:offset + o * i + o]
            offset += o * i + o
            f = (w @ f.unsqueeze(-1)).squeeze(-1) + b
            f = F.relu(f) if l < len(self.widths) - 2 else f
        return f


def reference(model, name, out_dir, train, x=None):
    x = torch.rand(6, 1, 8, 8) if x is None else x
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    tensors = {"weights." + k: v.clone() for k, v in model.state_dict().items()}
    model.train(train)
    out = model(x)
    loss = F.cross_entropy(out, y)
    loss.backward()
    tensors["input"], tensors["labels"], tensors["output"], tensors["loss"] = x, y, out, loss.reshape(1)
    for k, p in model.named_parameters():
        tensors["grad." + k] = p.grad
    for k, v in model.state_dict().items():
        if "running" in k or "num_batches" in k:
            tensors["after." + k] = v
    save_safetensors(f"{out_dir}/{name}.safetensors", tensors)


if __name__ == "__main__":
    torch.manual_seed(20261127)
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "."
    reference(ViT(), "vit", out_dir, train=False)
    reference(CNN(), "cnn_bn_train", out_dir, train=True)
    reference(Hypernet(mip=True), "hypernet_mip", out_dir, train=True, x=torch.rand(6, 7))
    reference(Hypernet(mip=False), "hypernet_plain", out_dir, train=True, x=torch.rand(6, 7))
    print("torch", torch.__version__)
