#!/usr/bin/env python3
"""Writes the fixtures of tests/core/test_io_readers.cpp (the torch-free
readers of core/io/) into this folder.

Run it with a Python that has torch (Debian's torch 1.13 is enough):

    /usr/bin/python3 tests/data/io/make_fixtures.py

Every tensor holds small known values, and expected.json records, per file
and tensor, its dtype, shape, the contiguous little-endian bytes (hex) and the
values as floats, so the C++ test compares exactly. The hostile files
(malicious_*, truncated_*) are built by hand from bytes; nothing here ever
unpickles them.
"""
import collections
import io
import json
import os
import struct
import zipfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
expected = {}


def path(name):
    return os.path.join(HERE, name)


def tensor_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


DTYPE_NAMES = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}


def record(name, tensors, fmt, skipped=()):
    """Remembers what the reader must find in fixture `name`."""
    entry = {"format": fmt, "skipped": list(skipped), "tensors": []}
    for key, t in tensors.items():
        entry["tensors"].append({
            "name": key,
            "dtype": DTYPE_NAMES[t.dtype],
            "shape": list(t.shape),
            "hex": tensor_bytes(t).hex(),
            "values": [float(v) for v in t.detach().reshape(-1).double().tolist()],
        })
    expected[name] = entry


def save(name, obj, tensors, fmt, skipped=(), **kw):
    torch.save(obj, path(name), **kw)
    record(name, tensors, fmt, skipped)


def ramp(shape, dtype=torch.float32, scale=0.25, shift=-1.0):
    n = 1
    for s in shape:
        n *= s
    return (torch.arange(n, dtype=torch.float64) * scale + shift).reshape(shape).to(dtype)


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(5, 3)
        self.proj = torch.nn.Linear(3, 2)
        self.norm = torch.nn.LayerNorm(2)
        self.register_buffer("steps", torch.tensor([1, 2, 3], dtype=torch.int64))


# 1. zip format, plain dict, float32 (also a 0-d tensor and an empty one).
d = {"a": ramp((2, 3)), "b": torch.tensor([1.5, -2.25, 3e-8]), "scalar": torch.tensor(7.0),
     "empty": torch.zeros(0, 4)}
save("zip_fp32_dict.pth", d, d, "zip")

# 2. zip format, an nn.Module's state_dict (an OrderedDict with _metadata) in half precision.
m = Tiny()
with torch.no_grad():
    for i, p in enumerate(m.parameters()):
        p.copy_(ramp(tuple(p.shape), scale=0.125, shift=-0.5 + i))
sd = m.half().state_dict()
assert isinstance(sd, collections.OrderedDict)
save("zip_fp16_module.pth", sd, sd, "zip")

# 3. bfloat16 (values exact in bf16), saved to a file object: the archive prefix is "archive/".
d = {"w": ramp((3, 2), torch.bfloat16, scale=0.5), "big": torch.tensor([1e30, -3.0e-30], dtype=torch.bfloat16)}
buf = io.BytesIO()
torch.save(d, buf)
with open(path("zip_bf16_archive.pth"), "wb") as f:
    f.write(buf.getvalue())
record("zip_bf16_archive.pth", d, "zip")

# 4. views: a transposed (non-contiguous) tensor, a slice with a storage offset, and two
# tensors sharing one storage.
base = ramp((4, 5))
d = collections.OrderedDict()
d["base"] = base
d["row2"] = base[2]
d["transposed"] = base.t()
d["window"] = base[1:3, 2:5]
d["strided"] = base[:, ::2]
save("zip_views.pth", d, d, "zip")

# 5. legacy (pre-1.6) format, with a view, int64 and bool tensors and a non-tensor entry.
base = ramp((3, 4), torch.float32, scale=1.0)
d = collections.OrderedDict()
d["x"] = base
d["x_t"] = base.t()
d["ids"] = torch.tensor([[-3, 0], [7, 2**40]], dtype=torch.int64)
d["mask"] = torch.tensor([True, False, True])
d["count"] = 42
save("legacy_fp32.pth", d, {k: v for k, v in d.items() if torch.is_tensor(v)}, "legacy",
     skipped=["count (int)"], _use_new_zipfile_serialization=False)

# 6. a training checkpoint: {"model": state_dict, "epoch": ...} (the reader picks "model").
inner = collections.OrderedDict([("layer.weight", ramp((2, 2), torch.float16)),
                                 ("layer.bias", torch.tensor([0.5, -0.5], dtype=torch.float16))])
ck = {"model": inner, "epoch": 3, "optimizer": {"lr": 0.001, "betas": (0.9, 0.99)}}
save("zip_nested_model.pth", ck, inner, "zip:model")

# 7. a dict mixing tensors and non-tensor values.
d = {"w": ramp((2,), torch.float64), "step": 5, "lr": 0.5, "name": "tiny", "flag": True, "nothing": None,
     "sizes": [1, 2], "i8": torch.tensor([-128, 127], dtype=torch.int8), "u8": torch.tensor([0, 255], dtype=torch.uint8),
     "i16": torch.tensor([-32768, 1], dtype=torch.int16), "i32": torch.tensor([2**31 - 1], dtype=torch.int32),
     # Protocol 2 writes these through _codecs.encode, builtins.bytes / set / frozenset, torch.Size, LONG1.
     "raw": b"ab\xff", "no_bytes": b"", "ids": {1, 2}, "frozen": frozenset([3]), "shape": torch.Size([2, 3]),
     "huge": 2**70}
save("zip_mixed.pth", d, {k: v for k, v in d.items() if torch.is_tensor(v)}, "zip",
     skipped=["step (int)", "lr (float)", "name (str)", "flag (bool)", "nothing (None)", "sizes (list)",
              "raw (bytes)", "no_bytes (bytes)", "ids (set)", "frozen (set)", "shape (tuple)", "huge (int)"])

# 8. pickle protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE).
d = {"p4": ramp((2, 2))}
save("zip_protocol4.pth", d, d, "zip", pickle_protocol=4)

# 8b. nn.Parameter objects (torch._utils._rebuild_parameter), as dict(model.named_parameters()) gives.
lin = torch.nn.Linear(2, 2)
with torch.no_grad():
    lin.weight.copy_(ramp((2, 2)))
    lin.bias.copy_(torch.tensor([0.5, 0.25]))
d = dict(lin.named_parameters())
save("zip_parameters.pth", d, {k: v.detach() for k, v in d.items()}, "zip")

# 9. hostile files, built by hand, never unpickled here.
# GLOBAL os.system; REDUCE with ("echo pwned",): would run a shell command in Python.
evil = (b"\x80\x02" + b"cos\nsystem\n" + b"q\x00" + b"X\x0a\x00\x00\x00echo pwned" + b"q\x01"
        + b"\x85q\x02" + b"Rq\x03" + b".")
with zipfile.ZipFile(path("malicious_os_system.pth"), "w", zipfile.ZIP_STORED) as z:
    z.writestr("malicious_os_system/data.pkl", evil)
    z.writestr("malicious_os_system/version", "3\n")
# The same in protocol 4 with STACK_GLOBAL, as a bare pickle stream (the legacy path).
body = (b"\x8c\x05posix\x94" + b"\x8c\x06system\x94" + b"\x93\x94" + b"\x8c\x0aecho pwned\x94"
        + b"\x85\x94R\x94.")
with open(path("malicious_stack_global.pkl"), "wb") as f:
    f.write(b"\x80\x04\x95" + struct.pack("<Q", len(body)) + body)
# A truncated copy of fixture 1 (the central directory is cut off).
with open(path("zip_fp32_dict.pth"), "rb") as f:
    whole = f.read()
with open(path("truncated_zip.pth"), "wb") as f:
    f.write(whole[: len(whole) * 2 // 3])

# 10. a safetensors file written by hand (struct + json), to cross-check the reader.
st = collections.OrderedDict()
st["alpha"] = ramp((2, 3))
st["half"] = ramp((4,), torch.float16, scale=0.5)
st["bf"] = ramp((2,), torch.bfloat16, scale=2.0)
st["ids"] = torch.tensor([5, -6], dtype=torch.int64)
st["flags"] = torch.tensor([True, False, False], dtype=torch.bool)
st["scalar"] = torch.tensor(2.5, dtype=torch.float64)
st["none"] = torch.zeros(0, 3)
header = {"__metadata__": {"format": "pt", "source": "make_fixtures.py"}}
data = b""
for k, t in st.items():
    b = tensor_bytes(t)
    header[k] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(b)]}
    data += b
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
with open(path("hand.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + data)
record("hand.safetensors", st, "safetensors")

with open(path("expected.json"), "w") as f:
    json.dump(expected, f, sort_keys=True)
    f.write("\n")
print("wrote", len(expected), "fixtures to", HERE)
