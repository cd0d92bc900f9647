#!/usr/bin/python3
"""Builds the stratified Fashion-MNIST sample embedded in the examples module.

For each split (train and t10k) the script reads the IDX image and label files,
selects a fixed number of examples per class with a seeded pseudo-random choice,
keeps the selected examples in their original file order and writes them back
as gzipped IDX files (unsigned byte data, the original magic numbers and header
layout, maximum compression, gzip mtime 0 so the output bytes are reproducible).

The selection does not use Python's random module, whose algorithms may change
between Python versions: within each class the examples are ranked by
SHA-256("<seed>/<split>/<index>") and the first N in that order are taken.

Standard library only. Example:

    /usr/bin/python3 examples/scripts/make_fashion_mnist_sample.py
"""

import argparse
import gzip
import hashlib
import struct
import sys
from pathlib import Path

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
NUM_CLASSES = 10
DEFAULT_SEED = 20170825
DEFAULT_SOURCE = Path("/usr/share/datasets/fashion-mnist")
DEFAULT_OUTPUT = (Path(__file__).resolve().parent.parent
                  / "src/main/resources/org/tribuoadapt/examples/fashion-mnist-sample")
MAX_TOTAL_BYTES = 5 * 1024 * 1024


def read_idx(path, magic, num_dims):
    """Reads a gzipped unsigned byte IDX file, returning (dims, payload bytes)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    header_len = 4 * (num_dims + 1)
    if len(data) < header_len:
        sys.exit(f"{path}: too short for an IDX header ({len(data)} bytes)")
    found_magic, *dims = struct.unpack(f">{num_dims + 1}I", data[:header_len])
    if found_magic != magic:
        sys.exit(f"{path}: magic number 0x{found_magic:08X}, expected 0x{magic:08X}")
    expected = 1
    for d in dims:
        expected *= d
    payload = data[header_len:]
    if len(payload) != expected:
        sys.exit(f"{path}: expected {expected} bytes of data, found {len(payload)}")
    return dims, payload


def select(labels, per_class, seed, split):
    """Returns the sorted indices of per_class examples of each class."""
    by_class = {c: [] for c in range(NUM_CLASSES)}
    for index, label in enumerate(labels):
        if label >= NUM_CLASSES:
            sys.exit(f"{split}: label {label} at index {index}, expected 0-{NUM_CLASSES - 1}")
        by_class[label].append(index)
    chosen = []
    for c in range(NUM_CLASSES):
        candidates = by_class[c]
        if len(candidates) < per_class:
            sys.exit(f"{split}: class {c} has {len(candidates)} examples, fewer than the {per_class} requested")
        ranked = sorted(candidates,
                        key=lambda i: hashlib.sha256(f"{seed}/{split}/{i}".encode("ascii")).digest())
        chosen.extend(ranked[:per_class])
    return sorted(chosen)


def write_gzip(path, data):
    """Writes bytes gzipped at maximum compression with a zero mtime and no file name."""
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


def make_split(source, output, split, per_class, seed):
    """Samples one split and writes its image and label files, returning the paths written."""
    (count, rows, cols), pixels = read_idx(source / f"{split}-images-idx3-ubyte.gz", IMAGES_MAGIC, 3)
    (label_count,), labels = read_idx(source / f"{split}-labels-idx1-ubyte.gz", LABELS_MAGIC, 1)
    if count != label_count:
        sys.exit(f"{split}: {count} images but {label_count} labels")
    chosen = select(labels, per_class, seed, split)
    size = rows * cols
    sample_pixels = b"".join(pixels[i * size:(i + 1) * size] for i in chosen)
    sample_labels = bytes(labels[i] for i in chosen)
    images_path = output / f"{split}-images-idx3-ubyte.gz"
    labels_path = output / f"{split}-labels-idx1-ubyte.gz"
    write_gzip(images_path, struct.pack(">4I", IMAGES_MAGIC, len(chosen), rows, cols) + sample_pixels)
    write_gzip(labels_path, struct.pack(">2I", LABELS_MAGIC, len(chosen)) + sample_labels)
    print(f"{split}: {len(chosen)} of {count} examples, {per_class} per class, {rows}x{cols}")
    return [images_path, labels_path]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source-dir", type=Path, default=DEFAULT_SOURCE,
                        help=f"directory holding the full Fashion-MNIST IDX files (default {DEFAULT_SOURCE})")
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT,
                        help="directory to write the sample to (default: the examples module resources)")
    parser.add_argument("--train-per-class", type=int, default=800,
                        help="examples per class taken from the train split (default 800)")
    parser.add_argument("--test-per-class", type=int, default=200,
                        help="examples per class taken from the t10k split (default 200)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"selection seed (default {DEFAULT_SEED})")
    args = parser.parse_args()
    if args.train_per_class < 1 or args.test_per_class < 1:
        sys.exit("per-class counts must be positive")

    args.output_dir.mkdir(parents=True, exist_ok=True)
    written = make_split(args.source_dir, args.output_dir, "train", args.train_per_class, args.seed)
    written += make_split(args.source_dir, args.output_dir, "t10k", args.test_per_class, args.seed)

    total = 0
    for path in written:
        data = path.read_bytes()
        total += len(data)
        print(f"{hashlib.sha256(data).hexdigest()}  {len(data):>9}  {path.name}")
    print(f"total: {total} bytes ({total / (1024 * 1024):.2f} MiB)")
    if total > MAX_TOTAL_BYTES:
        sys.exit(f"the sample is {total} bytes, more than the {MAX_TOTAL_BYTES} byte budget")


if __name__ == "__main__":
    main()
