"""Stand-in for transformers.activations (MicroMind interop stub; see __init__.py).

ACT2FN["name"] returns a fresh activation module, like transformers' ClassInstantier.
"""

import torch.nn as nn


class _ClassInstantier(dict):
    def __getitem__(self, key):
        entry = super().__getitem__(key)
        cls, kwargs = entry if isinstance(entry, tuple) else (entry, {})
        return cls(**kwargs)

    def get(self, key, default=None):
        return self[key] if key in self else default


ACT2CLS = {
    "silu": nn.SiLU,
    "swish": nn.SiLU,
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "gelu_pytorch_tanh": (nn.GELU, {"approximate": "tanh"}),
    "gelu_new": (nn.GELU, {"approximate": "tanh"}),
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
}
ACT2FN = _ClassInstantier(ACT2CLS)


def get_activation(name):
    return ACT2FN[name]
