"""Minimal stand-in for the few `transformers` names that minimind's model file imports.

What it is: a tiny, dependency-free replacement (torch only) for
    transformers.PretrainedConfig, transformers.PreTrainedModel,
    transformers.GenerationMixin, transformers.activations.ACT2FN,
    transformers.modeling_outputs.CausalLMOutputWithPast
written for MicroMind's interop tests.

Why: tests/interop/minimind_ref.py runs minimind's own model_minimind.py (loaded at run
time from a path given on the command line, never committed here) as the reference
implementation, on machines where `transformers` is not installed. It provides only what
is needed to build MiniMindForCausalLM(MiniMindConfig(...)), call load_state_dict(...,
strict=True) and run its forward to get logits. It does NOT implement generation,
from_pretrained/save_pretrained, hub access, weight initialisation hooks or anything else
of transformers; the model keeps PyTorch's default module initialisation, exactly as it
does under real transformers (minimind never calls post_init()).
"""

import torch.nn as nn

__version__ = "0.0.0-micromind-stub"
IS_MICROMIND_STUB = True


class PretrainedConfig:
    """Attribute bag: every keyword argument becomes an attribute (as in transformers)."""

    model_type = ""

    def __init__(self, **kwargs):
        # The few generic fields transformers always defines and code may read.
        self.tie_word_embeddings = kwargs.pop("tie_word_embeddings", True)
        self.torch_dtype = kwargs.pop("torch_dtype", None)
        self.use_cache = kwargs.pop("use_cache", True)
        self.pad_token_id = kwargs.pop("pad_token_id", None)
        self.architectures = kwargs.pop("architectures", None)
        for key, value in kwargs.items():
            setattr(self, key, value)

    def to_dict(self):
        out = dict(self.__dict__)
        out["model_type"] = self.model_type
        return out

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, self.to_dict())


class PreTrainedModel(nn.Module):
    """nn.Module that remembers its config. No init hooks, no hub, no save/load helpers."""

    config_class = PretrainedConfig
    base_model_prefix = ""
    supports_gradient_checkpointing = False

    def __init__(self, config, *inputs, **kwargs):
        super().__init__()
        self.config = config

    def post_init(self):
        # transformers would initialise weights / tie embeddings here; the stub leaves
        # the modules as constructed (minimind ties lm_head itself).
        pass

    @property
    def device(self):
        for p in self.parameters():
            return p.device
        return None

    @property
    def dtype(self):
        for p in self.parameters():
            return p.dtype
        return None


class GenerationMixin:
    """Empty marker: the stub provides no .generate(); the reference script decodes itself."""


from . import activations, modeling_outputs  # noqa: E402,F401  (import-time side effect only)

__all__ = ["PretrainedConfig", "PreTrainedModel", "GenerationMixin", "activations", "modeling_outputs"]
