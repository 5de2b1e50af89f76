#!/usr/bin/env python3
"""Reference decoding with minimind's own model code, for MicroMind's interop checks.

minimind's model file (jingyaogong/minimind, model/model_minimind.py) is NOT part of this
repository: pass its path with --model-file. It imports a few names from `transformers`;
when that package is missing, the minimal stand-in in transformers_stub/ (next to this
script) supplies them. Needs only torch (numpy too for MoE models: minimind's moe_infer
calls .numpy()).

Subcommands (see tests/interop/README.md):
  greedy     decode a MicroMind or minimind .pth with MiniMindForCausalLM
  make       write a seeded random minimind checkpoint the way minimind's trainers save
             it, plus <stem>.ref.json with the reference greedy tokens
  hf-greedy  decode a transformers-style folder (config.json + model.safetensors) by
             mapping it onto MiniMindConfig

All output is JSON on stdout; diagnostics go to stderr. Errors exit with status 1.
"""

import argparse
import collections
import importlib.util
import json
import os
import struct
import sys

# Keep the checkout clean: no __pycache__ next to the stub or the model file.
sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
STUB_DIR = os.path.join(HERE, "transformers_stub")

REF_PROMPTS = [[1, 100, 200, 300], [1, 1000, 2000]]


class RefError(Exception):
    pass


def dumps(obj, indent=2, level=0):
    """JSON with nesting indented but lists of scalars kept on one line."""
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = ["%s%s: %s" % (inner, json.dumps(str(k)), dumps(v, indent, level + 1)) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, (list, tuple)):
        def depth(x):
            if isinstance(x, dict):
                return 99
            if isinstance(x, (list, tuple)):
                return 1 + max((depth(v) for v in x), default=0)
            return 0
        d = depth(obj)
        if d <= 1 or (d <= 3 and len(obj) <= 8 and all(len(v) <= 8 for v in obj if isinstance(v, (list, tuple)))):
            return json.dumps(list(obj))
        return "[\n" + ",\n".join(inner + dumps(v, indent, level + 1) for v in obj) + "\n" + pad + "]"
    return json.dumps(obj)


def note(msg):
    print("minimind_ref: " + msg, file=sys.stderr)


# --------------------------------------------------------------------------------------
# Loading minimind's model file
# --------------------------------------------------------------------------------------

def load_minimind(model_file, use_real_transformers=False):
    if not os.path.isfile(model_file):
        raise RefError("--model-file %s does not exist (fetch jingyaogong/minimind and give "
                       "model/model_minimind.py)" % model_file)
    if not use_real_transformers:
        if "transformers" in sys.modules:
            del sys.modules["transformers"]
        sys.path.insert(0, STUB_DIR)
    spec = importlib.util.spec_from_file_location("model_minimind", os.path.abspath(model_file))
    mod = importlib.util.module_from_spec(spec)
    sys.modules["model_minimind"] = mod
    spec.loader.exec_module(mod)
    import transformers  # noqa: F401  (already imported by the model file)
    if getattr(transformers, "IS_MICROMIND_STUB", False):
        note("using the transformers stub from " + STUB_DIR)
    for name in ("MiniMindConfig", "MiniMindForCausalLM"):
        if not hasattr(mod, name):
            raise RefError("%s defines no %s; is it minimind's model_minimind.py?" % (model_file, name))
    return mod


# --------------------------------------------------------------------------------------
# Configs
# --------------------------------------------------------------------------------------

# MicroMind sidecar "model" keys (ModelConfig::toJson) are MiniMindConfig's own names.
# camelCase spellings are accepted too.
SIDECAR_KEYS = {
    "vocab_size": "vocab_size", "vocabSize": "vocab_size",
    "hidden_size": "hidden_size", "hiddenSize": "hidden_size",
    "num_hidden_layers": "num_hidden_layers", "numLayers": "num_hidden_layers",
    "num_attention_heads": "num_attention_heads", "numHeads": "num_attention_heads",
    "num_key_value_heads": "num_key_value_heads", "numKvHeads": "num_key_value_heads",
    "intermediate_size": "intermediate_size", "intermediateSize": "intermediate_size",
    "max_position_embeddings": "max_position_embeddings", "maxPositions": "max_position_embeddings",
    "rope_theta": "rope_theta", "ropeTheta": "rope_theta",
    "rms_norm_eps": "rms_norm_eps", "rmsEps": "rms_norm_eps",
    "use_moe": "use_moe", "useMoe": "use_moe",
    "n_routed_experts": "n_routed_experts", "numRoutedExperts": "n_routed_experts",
    "n_shared_experts": "n_shared_experts", "numSharedExperts": "n_shared_experts",
    "num_experts_per_tok": "num_experts_per_tok", "expertsPerToken": "num_experts_per_tok",
    "aux_loss_alpha": "aux_loss_alpha", "auxLossAlpha": "aux_loss_alpha",
    "norm_topk_prob": "norm_topk_prob", "normTopkProb": "norm_topk_prob",
}


def config_from_sidecar(path):
    with open(path, "r", encoding="utf-8") as f:
        side = json.load(f)
    model = side.get("model")
    if not isinstance(model, dict):
        raise RefError("%s has no \"model\" object" % path)
    kw = {}
    for k, v in model.items():
        if k not in SIDECAR_KEYS:
            raise RefError("%s: model field %r has no MiniMindConfig counterpart" % (path, k))
        kw[SIDECAR_KEYS[k]] = v
    if kw.get("intermediate_size") in (0, None):
        kw["intermediate_size"] = None  # minimind's own rule
    return kw


def infer_config(sd, heads):
    """Mirror of MicroMind's weights::inferConfig: shapes plus a head count hint."""
    def get(k):
        if k not in sd:
            raise RefError("state dict lacks %s; it is not a MiniMind state dict" % k)
        return sd[k]
    emb = get("model.embed_tokens.weight")
    kw = {"vocab_size": int(emb.shape[0]), "hidden_size": int(emb.shape[1])}
    layers = 0
    while "model.layers.%d.input_layernorm.weight" % layers in sd:
        layers += 1
    kw["num_hidden_layers"] = layers
    if kw["hidden_size"] % heads:
        raise RefError("hidden_size %d is not divisible by --heads %d" % (kw["hidden_size"], heads))
    head_dim = kw["hidden_size"] // heads
    kw["num_attention_heads"] = heads
    kw["num_key_value_heads"] = int(get("model.layers.0.self_attn.k_proj.weight").shape[0]) // head_dim
    if "model.layers.0.mlp.gate.weight" in sd:
        kw["use_moe"] = True
        kw["n_routed_experts"] = int(sd["model.layers.0.mlp.gate.weight"].shape[0])
        kw["intermediate_size"] = int(get("model.layers.0.mlp.experts.0.gate_proj.weight").shape[0])
        shared = 0
        while "model.layers.0.mlp.shared_experts.%d.gate_proj.weight" % shared in sd:
            shared += 1
        kw["n_shared_experts"] = shared
    else:
        kw["use_moe"] = False
        kw["intermediate_size"] = int(get("model.layers.0.mlp.gate_proj.weight").shape[0])
    return kw


def config_summary(cfg):
    keys = ["vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
            "intermediate_size", "max_position_embeddings", "rope_theta", "rms_norm_eps", "hidden_act",
            "flash_attn", "use_moe", "n_routed_experts", "n_shared_experts", "num_experts_per_tok",
            "norm_topk_prob", "scoring_func"]
    return {k: getattr(cfg, k) for k in keys if hasattr(cfg, k)}


# --------------------------------------------------------------------------------------
# State dicts
# --------------------------------------------------------------------------------------

def torch_load(path):
    import torch
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # torch < 1.13 has no weights_only
        obj = torch.load(path, map_location="cpu")
    if isinstance(obj, dict):
        for key in ("model", "state_dict", "model_state_dict"):
            if key in obj and isinstance(obj[key], dict) and not isinstance(obj.get(key), torch.Tensor):
                note("using the %r entry of %s" % (key, path))
                obj = obj[key]
                break
    if not isinstance(obj, dict):
        raise RefError("%s does not hold a state dict (got %s)" % (path, type(obj).__name__))
    out = collections.OrderedDict()
    for k, v in obj.items():
        if not isinstance(v, torch.Tensor):
            note("skipping non-tensor entry %r" % (k,))
            continue
        out[k] = v
    return out


def normalise_state_dict(sd):
    """Same clean-ups MicroMind's importer applies; returns (sd, notes)."""
    import torch
    notes = []
    for prefix in ("module.", "_orig_mod."):
        if sd and all(k.startswith(prefix) for k in sd):
            sd = collections.OrderedDict((k[len(prefix):], v) for k, v in sd.items())
            notes.append("dropped prefix " + prefix)
    if "model.embed_tokens.weight" not in sd and "embed_tokens.weight" in sd:
        sd = collections.OrderedDict((k if k == "lm_head.weight" else "model." + k, v) for k, v in sd.items())
        notes.append("added prefix model.")
    for k in list(sd):
        if k.endswith("rotary_emb.inv_freq") or k in ("model.freqs_cos", "model.freqs_sin"):
            del sd[k]
            notes.append("dropped " + k + " (recomputed)")
    emb, head = sd.get("model.embed_tokens.weight"), sd.get("lm_head.weight")
    if emb is not None and head is None:
        sd["lm_head.weight"] = emb
        notes.append("lm_head.weight tied to model.embed_tokens.weight (absent)")
    elif head is not None and emb is None:
        sd["model.embed_tokens.weight"] = head
        notes.append("model.embed_tokens.weight tied to lm_head.weight (absent)")
    elif emb is not None and head is not None:
        if emb.shape != head.shape or not torch.equal(emb.float(), head.float()):
            raise RefError("lm_head.weight differs from model.embed_tokens.weight; minimind ties them, "
                           "so this checkpoint cannot be reproduced by MiniMindForCausalLM")
    return sd, notes


def build_model(mod, cfg_kw, sd):
    import torch
    cfg = mod.MiniMindConfig(**cfg_kw)
    model = mod.MiniMindForCausalLM(cfg)
    sd32 = collections.OrderedDict((k, v.to(torch.float32)) for k, v in sd.items())
    model.load_state_dict(sd32, strict=True)
    model = model.float().eval()
    return model


def load_checkpoint_model(mod, weights, sidecar, heads, max_positions=None):
    sd, notes = normalise_state_dict(torch_load(weights))
    if sidecar is None:
        guess = weights[:-4] + ".json" if weights.endswith(".pth") else weights + ".json"
        if os.path.isfile(guess):
            try:
                with open(guess, "r", encoding="utf-8") as f:
                    if isinstance(json.load(f).get("model"), dict):
                        sidecar = guess
            except (ValueError, OSError, AttributeError):
                pass
    if sidecar:
        cfg_kw = config_from_sidecar(sidecar)
        source = "sidecar " + sidecar
    else:
        cfg_kw = infer_config(sd, heads)
        source = "inferred from shapes (num_attention_heads=%d)" % heads
    if max_positions:
        cfg_kw["max_position_embeddings"] = max_positions
    model = build_model(mod, cfg_kw, sd)
    return model, {"config_source": source, "notes": notes}


# --------------------------------------------------------------------------------------
# Greedy decoding
# --------------------------------------------------------------------------------------

def forward_logits(model, ids):
    import torch
    out = model(input_ids=torch.tensor([ids], dtype=torch.long))
    return out.logits[0].detach().clone()  # minimind reuses one output object: copy


def greedy_one(model, prompt, max_new, eos, max_positions):
    import torch
    ids = list(prompt)
    generated = []
    first = None
    last = None
    margins = []
    stop = "max_new"
    while len(generated) < max_new:
        if len(ids) >= max_positions:
            stop = "max_position_embeddings"
            break
        logits = forward_logits(model, ids)
        if first is None:
            first = logits
        last = logits[-1]
        top2 = torch.topk(last, 2)
        margins.append(float(top2.values[0] - top2.values[1]))
        nxt = int(torch.argmax(last))
        generated.append(nxt)
        ids.append(nxt)
        if eos >= 0 and nxt == eos:
            stop = "eos"
            break
    if first is None:
        first = forward_logits(model, ids)
        last = first[-1]
    top5 = torch.topk(last, 5)
    first_top5 = torch.topk(first[-1], 5)
    return {
        "prompt_ids": list(prompt),
        "generated": generated,
        "stop_reason": stop,
        "first_logits_top5": [[int(i), float(v)] for v, i in zip(first_top5.values, first_top5.indices)],
        "last_logits_top5": [[int(i), float(v)] for v, i in zip(top5.values, top5.indices)],
        # top-1 minus top-2 logit per step: where it is tiny, another implementation may
        # legitimately pick the other token.
        "min_top2_margin": min(margins) if margins else None,
        "top2_margins": margins,
    }, first


def run_greedy(model, prompts, max_new, eos, dump_logits=None):
    import torch
    results, dumps = [], []
    max_abs = 0.0
    max_pos = int(model.config.max_position_embeddings)
    with torch.no_grad():
        for p in prompts:
            res, first = greedy_one(model, p, max_new, eos, max_pos)
            results.append(res)
            max_abs = max(max_abs, float(first.abs().max()))
            if dump_logits:
                dumps.append({"prompt_ids": list(p), "logits": first.tolist()})
    if dump_logits:
        with open(dump_logits, "w", encoding="utf-8") as f:
            json.dump({"note": "first forward over each prompt: logits[position][token], float32",
                       "prompts": dumps}, f)
    return {"prompts": results, "max_abs_logit_first_step": max_abs, "eos_id": eos, "max_new": max_new,
            "decoding": "greedy argmax, full forward per step, no KV cache, no repetition penalty; "
                        "generated includes the eos token when hit"}


def parse_prompts(values):
    prompts = []
    for v in values or []:
        try:
            ids = [int(x) for x in v.replace(" ", "").split(",") if x != ""]
        except ValueError:
            raise RefError("--prompt-ids %r is not a comma-separated list of integers" % v)
        if not ids:
            raise RefError("empty --prompt-ids")
        prompts.append(ids)
    return prompts


def check_prompt_range(prompts, vocab):
    for p in prompts:
        for t in p:
            if t < 0 or t >= vocab:
                raise RefError("prompt token %d is outside the vocabulary (0..%d)" % (t, vocab - 1))


# --------------------------------------------------------------------------------------
# make
# --------------------------------------------------------------------------------------

def cmd_make(args, mod):
    import torch
    torch.manual_seed(args.seed)
    cfg_kw = dict(hidden_size=args.hidden, num_hidden_layers=args.layers, num_attention_heads=args.heads,
                  num_key_value_heads=args.kv_heads, vocab_size=args.vocab,
                  intermediate_size=args.intermediate or None, rope_theta=args.rope_theta,
                  max_position_embeddings=args.max_positions, use_moe=args.moe)
    if args.moe:
        cfg_kw.update(n_routed_experts=args.experts, n_shared_experts=args.shared_experts,
                      num_experts_per_tok=args.experts_per_tok)
    cfg = mod.MiniMindConfig(**cfg_kw)
    model = mod.MiniMindForCausalLM(cfg)
    if args.init_std:
        # Optional: wider weights give peakier logits (larger top-1/top-2 margins).
        with torch.no_grad():
            for name, p in model.named_parameters():
                if p.dim() >= 2:
                    p.normal_(0.0, args.init_std)
    sd = model.state_dict()
    conv = {"float16": lambda t: t.half(), "bfloat16": lambda t: t.bfloat16(),
            "float32": lambda t: t.float()}[args.dtype]
    if args.ordered:
        # What torch.save(model.half().state_dict()) writes: an OrderedDict with _metadata.
        out = collections.OrderedDict((k, conv(v)) for k, v in sd.items())
        out._metadata = getattr(sd, "_metadata", None)
        container = "OrderedDict"
    else:
        # minimind's trainers: state_dict = {k: v.half() for k, v in state_dict.items()}
        out = {k: conv(v) for k, v in sd.items()}
        container = "dict"
    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, args.name)
    if args.legacy:
        torch.save(out, path, _use_new_zipfile_serialization=False)
    else:
        torch.save(out, path)
    stem = path[:-4] if path.endswith(".pth") else path

    # Keys sharing storage in the saved dict (float32 keeps the tied embedding/lm_head shared).
    by_ptr = collections.defaultdict(list)
    for k, v in out.items():
        by_ptr[(v.storage().data_ptr(), v.storage_offset())].append(k)
    shared = [ks for ks in by_ptr.values() if len(ks) > 1]

    if args.sidecar:
        c = config_summary(model.config)
        side = {"format": "minimind-ref-made", "model": {
            "vocab_size": c["vocab_size"], "hidden_size": c["hidden_size"],
            "num_hidden_layers": c["num_hidden_layers"], "num_attention_heads": c["num_attention_heads"],
            "num_key_value_heads": c["num_key_value_heads"], "intermediate_size": c["intermediate_size"],
            "max_position_embeddings": c["max_position_embeddings"], "rope_theta": c["rope_theta"],
            "rms_norm_eps": c["rms_norm_eps"], "use_moe": c["use_moe"],
            "n_routed_experts": c["n_routed_experts"], "n_shared_experts": c["n_shared_experts"],
            "num_experts_per_tok": c["num_experts_per_tok"], "norm_topk_prob": c["norm_topk_prob"]}}
        with open(stem + ".json", "w", encoding="utf-8") as f:
            json.dump(side, f, indent=2)

    # Reference tokens from the file as written (reloaded, like `greedy` would).
    ref_model, info = load_checkpoint_model(mod, path, stem + ".json" if args.sidecar else "",
                                            args.heads)
    ref = run_greedy(ref_model, REF_PROMPTS, args.max_new, args.eos)
    ref.update({
        "weights": os.path.basename(path),
        "seed": args.seed,
        "container": container,
        "serialization": "legacy" if args.legacy else "zipfile",
        "dtype": args.dtype,
        "config": config_summary(ref_model.config),
        "config_source": info["config_source"],
        "state_dict": [[k, str(v.dtype).replace("torch.", ""), list(v.shape)] for k, v in out.items()],
        "shared_storage_keys": shared,
        "torch_version": torch.__version__,
    })
    ref_path = stem + ".ref.json"
    with open(ref_path, "w", encoding="utf-8") as f:
        f.write(dumps(ref) + "\n")
    print(dumps({"weights": path, "ref": ref_path, "container": container,
                      "serialization": ref["serialization"], "dtype": args.dtype,
                      "keys": len(out), "shared_storage_keys": shared,
                      "generated": [p["generated"] for p in ref["prompts"]]}))


# --------------------------------------------------------------------------------------
# hf-greedy
# --------------------------------------------------------------------------------------

ST_DTYPES = {"F32": ("float32", 4), "F16": ("float16", 2), "BF16": ("bfloat16", 2)}


def read_safetensors(path):
    import torch
    if sys.byteorder != "little":
        raise RefError("safetensors reader assumes a little-endian host")
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise RefError("%s: too short for a safetensors file" % path)
    (hlen,) = struct.unpack("<Q", blob[:8])
    if hlen > len(blob) - 8:
        raise RefError("%s: header length %d exceeds the file" % (path, hlen))
    try:
        header = json.loads(blob[8:8 + hlen].decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise RefError("%s: bad JSON header (%s)" % (path, e))
    base = 8 + hlen
    data_len = len(blob) - base
    out = collections.OrderedDict()
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dt = info.get("dtype")
        if dt not in ST_DTYPES:
            raise RefError("%s: tensor %s has dtype %s (only F32/F16/BF16 are supported)" % (path, name, dt))
        tdt, size = ST_DTYPES[dt]
        shape = [int(s) for s in info["shape"]]
        begin, end = (int(x) for x in info["data_offsets"])
        numel = 1
        for s in shape:
            numel *= s
        if not (0 <= begin <= end <= data_len) or end - begin != numel * size:
            raise RefError("%s: tensor %s has data_offsets %s inconsistent with shape %s / dtype %s"
                           % (path, name, info["data_offsets"], shape, dt))
        buf = bytearray(blob[base + begin:base + end])
        if numel:
            t = torch.frombuffer(buf, dtype=getattr(torch, tdt)).reshape(shape).clone()
        else:
            t = torch.empty(shape, dtype=getattr(torch, tdt))
        out[name] = t
    return out


# config.json fields: mapped onto MiniMindConfig / checked / harmless.
HF_IGNORED = {"architectures", "model_type", "torch_dtype", "transformers_version", "bos_token_id",
              "eos_token_id", "pad_token_id", "use_cache", "initializer_range", "micromind", "_name_or_path",
              "auto_map", "output_attentions", "output_hidden_states", "return_dict", "dropout",
              "attention_dropout", "flash_attn", "aux_loss_alpha", "seq_aux", "scoring_func", "max_seq_len"}


def hf_config_to_minimind(j, path):
    def bad(what):
        return RefError("%s: %s; cannot map this onto MiniMindConfig" % (path, what))
    mt = j.get("model_type")
    if mt not in ("llama", "minimind"):
        raise bad("model_type is %r (expected \"llama\" or \"minimind\")" % (mt,))
    llama = mt == "llama"
    archs = j.get("architectures") or []
    for a in archs:
        if a not in ("LlamaForCausalLM", "MiniMindForCausalLM"):
            raise bad("architecture %r" % a)
    if j.get("hidden_act", "silu") != "silu":
        raise bad("hidden_act is %r, not \"silu\"" % j["hidden_act"])
    for k in ("attention_bias", "mlp_bias"):
        if j.get(k, False):
            raise bad("%s is true (minimind has no biases)" % k)
    if j.get("rope_scaling") is not None:
        raise bad("rope_scaling is set (%s)" % json.dumps(j["rope_scaling"]))
    if j.get("inference_rope_scaling", False):
        raise bad("inference_rope_scaling is on")
    if j.get("pretraining_tp", 1) != 1:
        raise bad("pretraining_tp is %r" % j["pretraining_tp"])
    if float(j.get("attention_dropout", 0.0) or 0.0) != 0.0 or float(j.get("dropout", 0.0) or 0.0) != 0.0:
        note("dropout fields ignored (eval mode)")
    if j.get("use_moe", False):
        raise bad("use_moe is true (hf-greedy maps dense models only)")
    for k in ("num_attention_heads", "hidden_size", "num_hidden_layers", "vocab_size"):
        if not isinstance(j.get(k), int):
            raise bad("%s is missing or not an integer" % k)
    heads = j["num_attention_heads"]
    kw = {
        "vocab_size": j["vocab_size"],
        "hidden_size": j["hidden_size"],
        "num_hidden_layers": j["num_hidden_layers"],
        "num_attention_heads": heads,
        # transformers' defaults differ between the two config classes when a field is absent.
        "num_key_value_heads": j.get("num_key_value_heads") or (heads if llama else 2),
        "intermediate_size": j.get("intermediate_size") if "intermediate_size" in j else (11008 if llama else None),
        "rms_norm_eps": float(j.get("rms_norm_eps", 1e-6 if llama else 1e-5)),
        "rope_theta": float(j.get("rope_theta", 10000.0 if llama else 1e6)),
        "max_position_embeddings": int(j.get("max_position_embeddings", 2048 if llama else 32768)),
    }
    if j["hidden_size"] % heads:
        raise bad("hidden_size %d is not divisible by num_attention_heads %d" % (j["hidden_size"], heads))
    if j.get("head_dim") is not None and j["head_dim"] != j["hidden_size"] // heads:
        raise bad("head_dim %r differs from hidden_size / num_attention_heads = %d"
                  % (j["head_dim"], j["hidden_size"] // heads))
    mapped = {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
              "intermediate_size", "rms_norm_eps", "rope_theta", "max_position_embeddings", "head_dim",
              "hidden_act", "attention_bias", "mlp_bias", "rope_scaling", "inference_rope_scaling",
              "pretraining_tp", "tie_word_embeddings", "use_moe", "num_experts_per_tok", "n_routed_experts",
              "n_shared_experts", "norm_topk_prob"}
    unknown = sorted(k for k in j if k not in mapped and k not in HF_IGNORED)
    if unknown:
        raise bad("unknown config field(s) %s" % ", ".join(unknown))
    tie = bool(j.get("tie_word_embeddings", not llama))
    return kw, tie


def load_hf_folder(mod, folder):
    import torch
    cfg_path = os.path.join(folder, "config.json")
    if not os.path.isfile(cfg_path):
        raise RefError("%s has no config.json" % folder)
    with open(cfg_path, "r", encoding="utf-8") as f:
        j = json.load(f)
    kw, tie = hf_config_to_minimind(j, cfg_path)
    single = os.path.join(folder, "model.safetensors")
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.isfile(single):
        sd = read_safetensors(single)
        files = ["model.safetensors"]
    elif os.path.isfile(index):
        with open(index, "r", encoding="utf-8") as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
        sd = collections.OrderedDict()
        for fn in files:
            sd.update(read_safetensors(os.path.join(folder, fn)))
    else:
        raise RefError("%s has no model.safetensors (or model.safetensors.index.json)" % folder)
    dtypes = sorted({str(v.dtype).replace("torch.", "") for v in sd.values()})
    notes = []
    for k in list(sd):
        if k.endswith("rotary_emb.inv_freq"):
            del sd[k]
            notes.append("dropped " + k)
    if "lm_head.weight" not in sd:
        if not tie:
            raise RefError("%s: no lm_head.weight and tie_word_embeddings is false" % folder)
        sd["lm_head.weight"] = sd.get("model.embed_tokens.weight")
        notes.append("lm_head.weight tied to model.embed_tokens.weight")
    elif not torch.equal(sd["lm_head.weight"].float(), sd["model.embed_tokens.weight"].float()):
        raise RefError("%s: lm_head.weight differs from model.embed_tokens.weight; minimind ties them" % folder)
    if sd.get("lm_head.weight") is None:
        raise RefError("%s: no model.embed_tokens.weight" % folder)
    model = build_model(mod, kw, sd)
    return model, {"config_source": cfg_path, "tensor_files": files, "tensor_dtypes": dtypes, "notes": notes}


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--model-file", required=True, help="path of minimind's model/model_minimind.py")
    common.add_argument("--real-transformers", action="store_true",
                        help="import the installed transformers instead of the stub")
    common.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1: deterministic)")
    dec = argparse.ArgumentParser(add_help=False)
    dec.add_argument("--prompt-ids", action="append", help="comma-separated token ids; repeatable")
    dec.add_argument("--max-new", type=int, default=64)
    dec.add_argument("--eos", type=int, default=2, help="stop id (default 2); -1 never stops early")
    dec.add_argument("--dump-logits", help="write the first forward's logits of each prompt to this JSON file")
    sub = ap.add_subparsers(dest="cmd", required=True)

    g = sub.add_parser("greedy", parents=[common, dec], help="greedy-decode a .pth checkpoint")
    g.add_argument("--weights", required=True)
    g.add_argument("--sidecar", help="MicroMind JSON sidecar (default: <weights stem>.json when it exists; "
                                     "pass an empty string to infer from shapes)")
    g.add_argument("--heads", type=int, default=8, help="num_attention_heads when inferring (default 8)")
    g.add_argument("--max-positions", type=int, help="override max_position_embeddings")

    m = sub.add_parser("make", parents=[common], help="write a seeded random minimind checkpoint + ref.json")
    m.add_argument("--out-dir", required=True)
    m.add_argument("--hidden", type=int, default=64)
    m.add_argument("--layers", type=int, default=2)
    m.add_argument("--heads", type=int, default=4)
    m.add_argument("--kv-heads", type=int, default=2)
    m.add_argument("--vocab", type=int, default=6400)
    m.add_argument("--intermediate", type=int, default=0, help="0 = minimind's rule")
    m.add_argument("--rope-theta", type=float, default=1e6)
    m.add_argument("--max-positions", type=int, default=32768)
    m.add_argument("--seed", type=int, default=0)
    m.add_argument("--dtype", choices=["float16", "bfloat16", "float32"], default="float16")
    m.add_argument("--legacy", action="store_true", help="torch.save(..., _use_new_zipfile_serialization=False)")
    grp = m.add_mutually_exclusive_group()
    grp.add_argument("--ordered", action="store_true", help="save an OrderedDict (with _metadata)")
    grp.add_argument("--plain", action="store_true", help="save a plain dict, as minimind's trainers (default)")
    m.add_argument("--name", default="full_sft_64.pth")
    m.add_argument("--moe", action="store_true")
    m.add_argument("--experts", type=int, default=4)
    m.add_argument("--shared-experts", type=int, default=1)
    m.add_argument("--experts-per-tok", type=int, default=2)
    m.add_argument("--init-std", type=float, default=0.0,
                   help="re-draw every matrix from N(0, std) (default: PyTorch's own init)")
    m.add_argument("--sidecar", action="store_true", help="also write a MicroMind-style <stem>.json sidecar")
    m.add_argument("--max-new", type=int, default=32)
    m.add_argument("--eos", type=int, default=2)

    h = sub.add_parser("hf-greedy", parents=[common, dec], help="greedy-decode a transformers-style folder")
    h.add_argument("--folder", required=True)

    args = ap.parse_args(argv)
    try:
        import torch
        torch.set_num_threads(max(1, args.threads))
        torch.set_grad_enabled(False)
        mod = load_minimind(args.model_file, args.real_transformers)
        if args.cmd == "make":
            cmd_make(args, mod)
            return 0
        prompts = parse_prompts(args.prompt_ids)
        if not prompts:
            raise RefError("give at least one --prompt-ids")
        if args.cmd == "greedy":
            model, info = load_checkpoint_model(mod, args.weights, args.sidecar, args.heads, args.max_positions)
            info["weights"] = args.weights
        else:
            model, info = load_hf_folder(mod, args.folder)
            info["folder"] = args.folder
        check_prompt_range(prompts, int(model.config.vocab_size))
        res = run_greedy(model, prompts, args.max_new, args.eos, args.dump_logits)
        res["source"] = info
        res["config"] = config_summary(model.config)
        print(dumps(res))
        return 0
    except RefError as e:
        print("minimind_ref: error: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
