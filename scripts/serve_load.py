#!/usr/bin/env python3
"""Load generator for `micromind serve` (or any OpenAI-compatible chat server).

Starts nothing: it hits a server that is already running, from --concurrency
threads, --requests chat completions in all (one connection each). Each
request is, by a seeded draw: a stream that hangs up after its first chunk
(--disconnect-fraction), a stream read to the end (--stream-fraction of the
rest) or a plain request. Prints requests/s, tokens/s, p50/p99 latency, time
to the first content chunk of streams, and the count per status.

Exit status: 0 when every answer was 200 or 429 and every connection error was
an intended hang-up; 1 otherwise (another status, a broken or incomplete
answer, a refused or timed-out connection); 2 for bad arguments.

    micromind serve --out_dir out --max_queue 8 &
    python3 scripts/serve_load.py --url http://127.0.0.1:8998 --concurrency 16 --requests 200
"""

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import sys
import threading
import time
import urllib.parse


def percentile(values, q):
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(q / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


class Outcome:
    __slots__ = ("kind", "status", "latency", "first_chunk", "tokens", "error", "retry_after", "note")

    def __init__(self, kind):
        self.kind = kind  # "plain", "stream", "disconnect"
        self.status = None  # HTTP status, None when no answer
        self.latency = None  # seconds to the whole answer (to the first chunk for a hang-up)
        self.first_chunk = None  # seconds to the first chunk carrying text (streams)
        self.tokens = 0
        self.error = None  # connection or protocol error (a failure)
        self.retry_after = None
        self.note = None


def one_request(target, body, kind, timeout, api_key):
    out = Outcome(kind)
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = "Bearer " + api_key
    conn_cls = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    conn = conn_cls(target.hostname, target.port or (443 if target.scheme == "https" else 80), timeout=timeout)
    path = target.path.rstrip("/") + "/chat/completions"
    t0 = time.perf_counter()
    phase = "connecting"
    try:
        conn.connect()
        sock = conn.sock  # kept: http.client may drop its own reference
        phase = "sending the request"
        conn.request("POST", path, body=json.dumps(body).encode(), headers=headers)
        phase = "waiting for the response"
        resp = conn.getresponse()
        phase = "reading the response"
        out.status = resp.status
        out.retry_after = resp.getheader("Retry-After")
        if resp.status != 200 or kind == "plain":
            data = resp.read()
            out.latency = time.perf_counter() - t0
            if resp.status == 200:
                j = json.loads(data)
                out.tokens = int(j.get("usage", {}).get("completion_tokens", 0))
                if j.get("object") != "chat.completion":
                    out.error = "200 without a chat.completion object"
            elif resp.status == 429:
                j = json.loads(data)
                if j.get("error", {}).get("code") != "rate_limit_exceeded" or out.retry_after is None:
                    out.error = "429 without the rate_limit_exceeded error or Retry-After"
            else:
                out.note = data[:200].decode("utf-8", "replace")
            return out
        done = False
        for raw in resp:  # server-sent events, one line at a time
            line = raw.decode("utf-8", "replace").strip()
            if not line.startswith("data: "):
                continue
            payload = line[6:]
            if kind == "disconnect":
                # Hang up after the first chunk: the server must notice and free the slot.
                out.latency = time.perf_counter() - t0
                sock.shutdown(socket.SHUT_RDWR)
                return out
            if payload == "[DONE]":
                done = True
                break
            j = json.loads(payload)
            if "error" in j:
                out.error = "stream error event: " + str(j["error"].get("message"))
                break
            if j.get("usage"):
                out.tokens = int(j["usage"].get("completion_tokens", 0))
            for ch in j.get("choices", []):
                delta = ch.get("delta", {})
                if out.first_chunk is None and (delta.get("content") or delta.get("reasoning_content")):
                    out.first_chunk = time.perf_counter() - t0
        out.latency = time.perf_counter() - t0
        if not done and out.error is None:
            out.error = "stream ended without data: [DONE]"
    except (OSError, http.client.HTTPException, ValueError) as e:
        out.error = "%s while %s after %.3f s: %s" % (type(e).__name__, phase, time.perf_counter() - t0, e)
        out.latency = time.perf_counter() - t0
    finally:
        conn.close()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8998", help="server root or its /v1 (default %(default)s)")
    ap.add_argument("--concurrency", type=int, default=4, help="client threads (default %(default)s)")
    ap.add_argument("--requests", type=int, default=100, help="requests in all (default %(default)s)")
    ap.add_argument("--stream-fraction", type=float, default=0.5,
                    help="share of the requests read as streams to the end (default %(default)s)")
    ap.add_argument("--disconnect-fraction", type=float, default=0.0,
                    help="share of the requests that are streams abandoned after the first chunk (default %(default)s)")
    ap.add_argument("--max-tokens", type=int, default=32, help="max_tokens per request (default %(default)s)")
    ap.add_argument("--model", default="", help="model id (default: the server's first)")
    ap.add_argument("--prompt", default="长沙市的美食有哪些？", help="user message")
    ap.add_argument("--timeout", type=float, default=120, help="socket timeout per request, seconds")
    ap.add_argument("--warmup", type=int, default=1, help="plain requests sent first, not counted (loads the model)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the request mix and of the requests' sampling")
    ap.add_argument("--api-key-env", default="", help="environment variable holding a bearer API key")
    ap.add_argument("--json", action="store_true", help="also print the summary as one JSON line")
    a = ap.parse_args()
    if a.concurrency < 1 or a.requests < 1 or a.max_tokens < 1:
        ap.error("--concurrency, --requests and --max-tokens must be at least 1")
    if not (0 <= a.stream_fraction <= 1 and 0 <= a.disconnect_fraction <= 1):
        ap.error("--stream-fraction and --disconnect-fraction are between 0 and 1")
    target = urllib.parse.urlsplit(a.url if "://" in a.url else "http://" + a.url)
    if target.scheme not in ("http", "https") or not target.hostname:
        ap.error("--url must look like http://host:port[/v1]")
    if not target.path.rstrip("/").endswith("/v1"):
        target = target._replace(path=target.path.rstrip("/") + "/v1")
    api_key = os.environ.get(a.api_key_env, "") if a.api_key_env else ""

    rng = random.Random(a.seed)
    kinds = []
    for _ in range(a.requests):
        if rng.random() < a.disconnect_fraction:
            kinds.append("disconnect")
        elif rng.random() < a.stream_fraction:
            kinds.append("stream")
        else:
            kinds.append("plain")

    def body(i, kind):
        b = {"messages": [{"role": "user", "content": a.prompt}], "max_tokens": a.max_tokens, "seed": a.seed + i}
        if a.model:
            b["model"] = a.model
        if kind != "plain":
            b["stream"] = True
            b["stream_options"] = {"include_usage": True}
        return b

    for i in range(a.warmup):
        w = one_request(target, body(-1 - i, "plain"), "plain", a.timeout, api_key)
        if w.status != 200:
            print("serve_load: warm-up request failed: %s %s" % (w.status, w.error or w.note or ""), file=sys.stderr)
            return 1

    results = [None] * a.requests
    next_index = [0]
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                i = next_index[0]
                if i >= a.requests:
                    return
                next_index[0] += 1
            results[i] = one_request(target, body(i, kinds[i]), kinds[i], a.timeout, api_key)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(a.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0

    by_status = {}
    errors = []
    for r in results:
        key = str(r.status) if r.status is not None else "none"
        by_status[key] = by_status.get(key, 0) + 1
        if r.error:
            errors.append("%s request: %s" % (r.kind, r.error))
        elif r.status not in (200, 429):
            errors.append("%s request: status %s %s" % (r.kind, r.status, r.note or ""))

    def stats(values):
        if not values:
            return None
        return {"p50": percentile(values, 50), "p99": percentile(values, 99), "mean": statistics.mean(values),
                "n": len(values)}

    ok = [r for r in results if r.status == 200 and not r.error]
    summary = {
        "url": a.url, "concurrency": a.concurrency, "requests": a.requests, "max_tokens": a.max_tokens,
        "stream_fraction": a.stream_fraction, "disconnect_fraction": a.disconnect_fraction,
        "seconds": wall, "requests_per_s": a.requests / wall,
        "completed_per_s": len([r for r in ok if r.kind != "disconnect"]) / wall,
        "tokens_per_s": sum(r.tokens for r in ok) / wall,
        "status": by_status, "errors": len(errors),
        "disconnects": len([r for r in results if r.kind == "disconnect" and r.status == 200 and not r.error]),
        "latency_200": stats([r.latency for r in ok if r.kind != "disconnect"]),
        "latency_plain_200": stats([r.latency for r in ok if r.kind == "plain"]),
        "latency_stream_200": stats([r.latency for r in ok if r.kind == "stream"]),
        "first_chunk_stream": stats([r.first_chunk for r in ok if r.kind == "stream" and r.first_chunk is not None]),
        "latency_429": stats([r.latency for r in results if r.status == 429]),
    }

    def ms(s):
        return "-" if s is None else "p50 %.1f ms, p99 %.1f ms (n=%d)" % (s["p50"] * 1e3, s["p99"] * 1e3, s["n"])

    print("serve_load: %d requests, concurrency %d, max_tokens %d, streams %.0f%%, hang-ups %.0f%% -> %s"
          % (a.requests, a.concurrency, a.max_tokens, 100 * a.stream_fraction, 100 * a.disconnect_fraction, a.url))
    print("  wall %.2f s: %.1f requests/s, %.1f completions/s, %.0f tokens/s"
          % (wall, summary["requests_per_s"], summary["completed_per_s"], summary["tokens_per_s"]))
    print("  status: " + ", ".join("%s x %d" % (k, v) for k, v in sorted(by_status.items()))
          + ("; %d intended hang-ups" % summary["disconnects"] if summary["disconnects"] else ""))
    print("  latency 200 (all):    " + ms(summary["latency_200"]))
    print("  latency 200 plain:    " + ms(summary["latency_plain_200"]))
    print("  latency 200 stream:   " + ms(summary["latency_stream_200"]))
    print("  first content chunk:  " + ms(summary["first_chunk_stream"]))
    print("  latency 429:          " + ms(summary["latency_429"]))
    print("  errors: %d" % len(errors))
    for e in errors[:10]:
        print("    " + e)
    if a.json:
        print(json.dumps(summary, ensure_ascii=False))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
