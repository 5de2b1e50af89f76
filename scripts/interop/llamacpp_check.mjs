#!/usr/bin/env node
// llamacpp_check.mjs: run a GGUF file through a real llama.cpp (CPU) and print
// what it makes of it, as one JSON object on stdout: the llama.cpp release,
// the prompt's tokenization, the raw logits of the last prompt position
// (top-k), and N greedily decoded tokens (argmax of the raw logits: no
// temperature, no repetition penalty, no sampler chain at all).
//
// A developer tool for checking `micromind export --format gguf`; NOT a
// project dependency (nothing in the build or CI needs it). It uses the
// prebuilt llama.cpp binaries of the npm package node-llama-cpp
// (@node-llama-cpp/linux-x64 and friends). Install it outside the repository:
//
//   mkdir -p ~/tools/llamacpp && cd ~/tools/llamacpp && npm init -y
//   NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm install node-llama-cpp
//
// (NODE_LLAMA_CPP_SKIP_DOWNLOAD keeps its postinstall step from fetching or
// building llama.cpp from GitHub; the prebuilt binary is used.) Then:
//
//   MM_NODE_LLAMA_CPP=~/tools/llamacpp node scripts/interop/llamacpp_check.mjs \
//       model.gguf --prompt "Hello" --n 16
//   ... model.gguf --ids 1,2,3 --n 8 --top 5 --logits-out last.json
//   ... model.gguf --tokenize "a string" --tokenize "another"   (tokenize only)
//
// Options:
//   --prompt TEXT      text to tokenize; no BOS/EOS is added whatever
//                      tokenizer.ggml.add_bos_token says (use --ids to pass one)
//   --special          parse special-token text such as <|im_start|> in the prompt
//   --ids 1,2,3        token ids instead of a prompt
//   --n N              tokens to decode greedily (default 16); decoding does not
//                      stop at an end-of-generation token unless --stop-at-eog
//   --top K            top-k (id, logit) pairs reported per step (default 5)
//   --logits-out FILE  write the full logits of the last prompt position (JSON array)
//   --tokenize TEXT    only tokenize (repeatable); no decoding
//   --threads T        CPU threads (default 1: deterministic and cheap)
//   --kv-type T        KV cache type: f16 (llama.cpp's default) or f32 (for tight
//                      parity checks: removes the cache's rounding)
//   --flash-attention on|off|auto   (default auto, llama.cpp's default)
//   --lib DIR          where node-llama-cpp is installed (default $MM_NODE_LLAMA_CPP,
//                      else a normal `import "node-llama-cpp"`)
// Exit code 0 on success, 2 on bad arguments, 1 when llama.cpp fails (its
// message is in the JSON "error" field and on stderr).

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

function usage(msg) {
    if (msg) process.stderr.write(`llamacpp_check: ${msg}\n`);
    process.stderr.write("usage: llamacpp_check.mjs MODEL.gguf (--prompt TEXT | --ids 1,2,3 | --tokenize TEXT...) [--n N] [--top K] [--special] [--logits-out FILE] [--threads T] [--lib DIR]\n");
    process.exit(2);
}

function parseArgs(argv) {
    const a = { n: 16, top: 5, threads: 1, special: false, stopAtEog: false, tokenize: [], lib: process.env.MM_NODE_LLAMA_CPP || "" };
    const rest = [];
    for (let i = 0; i < argv.length; ++i) {
        const k = argv[i];
        const val = () => {
            if (i + 1 >= argv.length) usage(`${k} needs a value`);
            return argv[++i];
        };
        switch (k) {
            case "--prompt": a.prompt = val(); break;
            case "--ids": a.ids = val().split(",").filter((s) => s.trim() !== "").map((s) => {
                const v = Number(s);
                if (!Number.isInteger(v) || v < 0) usage(`bad token id '${s}'`);
                return v;
            }); break;
            case "--n": a.n = Number(val()); break;
            case "--top": a.top = Number(val()); break;
            case "--threads": a.threads = Number(val()); break;
            case "--kv-type": a.kvType = val().toUpperCase(); if (!["F16", "F32", "Q8_0"].includes(a.kvType)) usage("--kv-type is f16, f32 or q8_0"); break;
            case "--flash-attention": {
                const v = val();
                if (!["on", "off", "auto"].includes(v)) usage("--flash-attention is on, off or auto");
                a.flashAttention = v === "auto" ? "auto" : v === "on";
                break;
            }
            case "--logits-out": a.logitsOut = val(); break;
            case "--tokenize": a.tokenize.push(val()); break;
            case "--lib": a.lib = val(); break;
            case "--special": a.special = true; break;
            case "--stop-at-eog": a.stopAtEog = true; break;
            case "-h": case "--help": usage(); break;
            default:
                if (k.startsWith("--")) usage(`unknown option ${k}`);
                rest.push(k);
        }
    }
    if (rest.length !== 1) usage("give exactly one GGUF file");
    a.model = rest[0];
    if (!fs.existsSync(a.model)) usage(`no such file: ${a.model}`);
    if (a.tokenize.length === 0 && a.prompt === undefined && a.ids === undefined) usage("give --prompt, --ids or --tokenize");
    if (a.prompt !== undefined && a.ids !== undefined) usage("give --prompt or --ids, not both");
    for (const [name, v] of [["--n", a.n], ["--top", a.top], ["--threads", a.threads]])
        if (!Number.isInteger(v) || v < 0) usage(`${name} must be a non-negative integer`);
    return a;
}

async function loadLibrary(dir) {
    if (dir) {
        const pkgDir = path.resolve(dir, "node_modules", "node-llama-cpp");
        const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
        const entry = typeof pkg.exports === "object" && pkg.exports["."] ? (pkg.exports["."].import || pkg.exports["."].default || pkg.exports["."]) : pkg.main;
        const mod = await import(pathToFileURL(path.join(pkgDir, typeof entry === "string" ? entry : "dist/index.js")).href);
        return { mod, version: pkg.version };
    }
    let mod;
    try {
        mod = await import("node-llama-cpp");
    } catch (e) {
        process.stderr.write("llamacpp_check: node-llama-cpp not found; install it (see the header of this script) " +
            "and pass --lib DIR or set MM_NODE_LLAMA_CPP=DIR (the folder holding its node_modules)\n");
        process.exit(2);
    }
    let version = null;
    try {
        const { createRequire } = await import("node:module");
        const req = createRequire(import.meta.url);
        version = req("node-llama-cpp/package.json").version;
    } catch { /* version unknown */ }
    return { mod, version };
}

function topK(logitsMap, k) {
    // node-llama-cpp returns the map sorted by logit, highest first.
    const out = [];
    for (const [id, v] of logitsMap) {
        if (out.length >= k) break;
        out.push([id, v]);
    }
    return out;
}

function argmax(logitsMap) {
    // Highest logit; on an exact tie the lowest id (as torch.argmax).
    let best = null, bestV = -Infinity;
    for (const [id, v] of logitsMap) {
        if (v > bestV || (v === bestV && id < best)) { best = id; bestV = v; }
        else if (v < bestV) break;  // sorted: nothing later can win
    }
    return best;
}

async function main() {
    const args = parseArgs(process.argv.slice(2));
    const { mod, version } = await loadLibrary(args.lib);
    const { getLlama, LlamaLogLevel } = mod;
    const logs = [];
    const out = { nodeLlamaCpp: version, llamaCpp: null, model: path.resolve(args.model) };
    let llama, model, context;
    try {
        llama = await getLlama({
            gpu: false,
            build: "never",
            usePrebuiltBinaries: true,
            skipDownload: true,
            progressLogs: false,
            logLevel: LlamaLogLevel ? LlamaLogLevel.warn : "warn",
            logger: (level, message) => { logs.push(`${level}: ${String(message).trimEnd()}`); },
        });
        out.llamaCpp = { ...llama.llamaCppRelease, buildType: llama.buildType, gpu: llama.gpu };
        model = await llama.loadModel({ modelPath: args.model, gpuLayers: 0, useMmap: false });
        out.vocabularyType = model.vocabularyType;
        out.specialTokens = { bos: model.tokens.bos, eos: model.tokens.eos, eot: model.tokens.eot };

        if (args.tokenize.length > 0) {
            out.tokenizations = args.tokenize.map((text) => {
                const ids = Array.from(model.tokenize(text, args.special));
                return { text, ids, detokenized: model.detokenize(ids, args.special) };
            });
        }
        if (args.prompt !== undefined || args.ids !== undefined) {
            const promptIds = args.ids ?? Array.from(model.tokenize(args.prompt, args.special));
            if (promptIds.length === 0) throw new Error("the prompt tokenizes to no tokens");
            out.prompt = args.prompt ?? null;
            out.promptIds = promptIds;
            const contextSize = Math.max(64, promptIds.length + args.n + 8);
            const ctxOptions = { contextSize, batchSize: Math.max(8, promptIds.length), threads: args.threads, sequences: 1 };
            if (args.kvType) {
                ctxOptions.experimentalKvCacheKeyType = args.kvType;
                ctxOptions.experimentalKvCacheValueType = args.kvType;
            }
            if (args.flashAttention !== undefined) ctxOptions.flashAttention = args.flashAttention;
            context = await model.createContext(ctxOptions);
            out.context = { contextSize: context.contextSize, kvType: args.kvType ?? "default (F16)", flashAttention: args.flashAttention ?? "auto", threads: args.threads };
            const seq = context.getSequence();
            const wantLogits = { generateNext: { logits: true } };
            const input = promptIds.map((id, i) => (i === promptIds.length - 1 ? [id, wantLogits] : id));
            let res = await seq.controlledEvaluate(input);
            let logits = res[promptIds.length - 1]?.next?.logits;
            if (!logits) throw new Error("llama.cpp returned no logits for the last prompt position");
            out.lastPromptLogits = { top: topK(logits, args.top) };
            if (args.logitsOut) {
                const full = new Array(logits.size).fill(null);
                for (const [id, v] of logits) full[id] = v;
                fs.writeFileSync(args.logitsOut, JSON.stringify(full));
                out.lastPromptLogits.file = path.resolve(args.logitsOut);
            }
            const generated = [], steps = [];
            for (let step = 0; step < args.n; ++step) {
                const next = argmax(logits);
                generated.push(next);
                steps.push(topK(logits, args.top));
                if (args.stopAtEog && model.isEogToken && model.isEogToken(next)) break;
                if (step + 1 === args.n) break;
                res = await seq.controlledEvaluate([[next, wantLogits]]);
                logits = res[0]?.next?.logits;
                if (!logits) throw new Error(`llama.cpp returned no logits at step ${step + 1}`);
            }
            out.generatedIds = generated;
            out.generatedText = model.detokenize(generated, true);
            out.stepsTop = steps;
        }
        out.warnings = logs.filter((l) => /warn|error/i.test(l)).slice(0, 50);
        process.stdout.write(JSON.stringify(out) + "\n");
    } catch (e) {
        out.error = String(e && e.message ? e.message : e);
        out.log = logs.slice(-40);
        process.stdout.write(JSON.stringify(out) + "\n");
        process.stderr.write(`llamacpp_check: ${out.error}\n${out.log.join("\n")}\n`);
        process.exitCode = 1;
    } finally {
        try { if (context) await context.dispose(); } catch { /* ignore */ }
        try { if (model) await model.dispose(); } catch { /* ignore */ }
        try { if (llama) await llama.dispose(); } catch { /* ignore */ }
    }
}

main();
