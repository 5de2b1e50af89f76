"""Stand-in for transformers.modeling_outputs (MicroMind interop stub; see __init__.py).

ModelOutput is an OrderedDict whose items are also attributes, which is all minimind's
model file relies on (it fills an empty CausalLMOutputWithPast via __setitem__ and
callers read .logits).
"""

from collections import OrderedDict


class ModelOutput(OrderedDict):
    _fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__()
        for name in self._fields:
            object.__setattr__(self, name, None)
        for name, value in zip(self._fields, args):
            self[name] = value
        for name, value in kwargs.items():
            self[name] = value

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        object.__setattr__(self, key, value)

    def __setattr__(self, key, value):
        self[key] = value

    def __getitem__(self, key):
        if isinstance(key, (int, slice)):
            return self.to_tuple()[key]
        return super().__getitem__(key)

    def to_tuple(self):
        return tuple(v for v in self.values() if v is not None)


class BaseModelOutputWithPast(ModelOutput):
    _fields = ("last_hidden_state", "past_key_values", "hidden_states", "attentions")


class CausalLMOutputWithPast(ModelOutput):
    _fields = ("loss", "logits", "past_key_values", "hidden_states", "attentions")


class MoeCausalLMOutputWithPast(ModelOutput):
    _fields = ("loss", "aux_loss", "logits", "past_key_values", "hidden_states", "attentions")
