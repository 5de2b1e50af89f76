#!/usr/bin/env python3
"""Kill soak: SIGKILL training runs over and over, resume each time, and check
that nothing is lost.

For each scenario (pretrain, full_sft, dpo, grpo, and a 2-process pretrain)
the script first trains once without interruption (the reference), then trains
the same run again in a second workspace and kills it --kills times:

  random      SIGKILL from outside after a random delay (mostly mid-step)
  write_file  the run kills itself halfway through writing a file to its temp
              name, before fsync and rename (MM_CRASH_AT, see
              core/common/crash_point.h): checkpoint, sidecar, resume state
  history     the run kills itself halfway through a metrics transaction of
              micromind.db, before COMMIT

After every kill it checks that `PRAGMA integrity_check` of micromind.db says
ok, that every file under a final name is whole (zip archives pass their CRC
check, JSON parses, token caches match the size in their header) and that no
temp file is left under a final name; then it resumes with --resume (or
starts again when no resume state exists yet). At the end the final weights
must be byte-equal to the reference, and the history must hold one completed
run after the interrupted ones.

  python3 scripts/kill_soak.py                       # 20 kills x 5 scenarios
  python3 scripts/kill_soak.py --kills 3 --scenarios pretrain,ddp2   # CI's short run

Data: the demo's data pack (Debian's fortunes-zh, `micromind demo
--data_only`), so it runs on a fresh clone. Exit status 0 when every check
passed, 1 otherwise, 2 for bad arguments.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CLI = os.path.join(HERE, "..", "build", "app", "cli", "micromind")
SCENARIOS = ["pretrain", "full_sft", "dpo", "grpo", "ddp2"]
MODES = ["random", "write_file", "history"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Soak:
    def __init__(self, args):
        self.a = args
        self.cli = os.path.abspath(args.micromind)
        self.root = args.workspace
        self.data = os.path.join(self.root, "data")
        self.base = os.path.join(self.root, "base")
        self.rng = random.Random(args.seed)
        self.failures = []
        self.figures = []

    # ---- running micromind -------------------------------------------------
    def run(self, argv, env=None, check=True):
        r = subprocess.run([self.cli] + argv, capture_output=True, text=True, env=env)
        if check and r.returncode != 0:
            sys.exit(f"kill_soak: `micromind {' '.join(argv)}` failed ({r.returncode}):\n{r.stderr[-2000:]}")
        return r

    def stage_args(self, scenario, out):
        common = ["--out_dir", out, "--preset", "tiny", "--threads", "1", "--epochs", "50",
                  "--log_interval", "1", "--save_interval", str(self.a.save_interval), "--probe_interval", "0",
                  "--max_steps", str(self.a.steps), "--accumulation_steps", "1"]
        d = self.data
        if scenario in ("pretrain", "ddp2"):
            return ["pretrain", "--data_path", f"{d}/pretrain.jsonl", "--max_seq_len", "64", "--batch_size", "8",
                    "--learning_rate", "3e-3", "--ddp_timeout", "20"] + common
        if scenario == "full_sft":
            return ["full_sft", "--data_path", f"{d}/sft.jsonl", "--max_seq_len", "64", "--batch_size", "8",
                    "--learning_rate", "1e-3"] + common
        if scenario == "dpo":
            return ["dpo", "--data_path", f"{d}/dpo.jsonl", "--max_seq_len", "64", "--batch_size", "4",
                    "--learning_rate", "2e-4"] + common
        if scenario == "grpo":
            return ["grpo", "--data_path", f"{d}/grpo.jsonl", "--from_weight", "full_sft", "--batch_size", "2",
                    "--num_generations", "4", "--max_gen_len", "16", "--learning_rate", "1e-4"] + common
        raise ValueError(scenario)

    @staticmethod
    def product(scenario):
        return {"pretrain": "pretrain_128.pth", "ddp2": "pretrain_128.pth", "full_sft": "full_sft_128.pth",
                "dpo": "rlhf_128.pth", "grpo": "grpo_128.pth"}[scenario]

    @staticmethod
    def resume_file(scenario, out):
        stem = {"pretrain": "pretrain", "ddp2": "pretrain", "full_sft": "full_sft", "dpo": "rlhf",
                "grpo": "grpo"}[scenario]
        return os.path.join(out, "checkpoints", f"{stem}_128_resume.pt")

    def start(self, scenario, out, resume, crash=None):
        """Starts the run; returns its processes (two for ddp2)."""
        argv = self.stage_args(scenario, out) + (["--resume"] if resume else [])
        env = dict(os.environ)
        for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "MM_CRASH_AT"):
            env.pop(k, None)
        if crash:
            env["MM_CRASH_AT"] = crash
        log = open(os.path.join(self.root, "last_run.log"), "ab")
        if scenario != "ddp2":
            return [subprocess.Popen([self.cli] + argv, stdout=subprocess.DEVNULL, stderr=log, env=env)]
        port = str(free_port())
        procs = []
        for rank in (0, 1):
            e = dict(env, RANK=str(rank), WORLD_SIZE="2", LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE="2",
                     MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
            if rank == 1:
                e.pop("MM_CRASH_AT", None)  # rank 0 writes the files and the history
            procs.append(subprocess.Popen([self.cli] + argv, stdout=subprocess.DEVNULL, stderr=log, env=e))
        return procs

    # ---- setup -------------------------------------------------------------
    def setup(self):
        os.makedirs(self.root, exist_ok=True)
        self.run(["demo", "--data_only", "--workspace", self.root])
        self.run(["train_tokenizer", "--data_path", f"{self.data}/pretrain.jsonl", "--vocab_size", "3000",
                  "--out_dir", self.base, "--threads", "1"])
        # Parents for the post-training scenarios: short uninterrupted runs.
        for stage, path in (("pretrain", "pretrain.jsonl"), ("full_sft", "sft.jsonl")):
            self.run([stage, "--data_path", f"{self.data}/{path}", "--out_dir", self.base, "--preset", "tiny",
                      "--threads", "1", "--max_seq_len", "64", "--batch_size", "8", "--accumulation_steps", "1",
                      "--max_steps", "20", "--log_interval", "20", "--save_interval", "20", "--probe_interval", "0",
                      "--epochs", "50"])
        # The workspaces start from the tokenizer and the parents, not the history.
        for n in ("micromind.db", "micromind.db-wal", "micromind.db-shm"):
            p = os.path.join(self.base, n)
            if os.path.exists(p):
                os.remove(p)
        shutil.rmtree(os.path.join(self.base, "checkpoints"), ignore_errors=True)

    def workspace(self, name):
        out = os.path.join(self.root, name)
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(self.base, out)
        return out

    # ---- checks after a kill -------------------------------------------------
    def check_files(self, out, where):
        problems = []
        for dirpath, _, files in os.walk(out):
            for f in files:
                p = os.path.join(dirpath, f)
                rel = os.path.relpath(p, out)
                if ".tmp." in f:
                    continue  # a temp name: allowed to be partial, swept by the next writer
                try:
                    if f.endswith((".pth", ".pt")):
                        with zipfile.ZipFile(p) as z:
                            bad = z.testzip()
                            if bad:
                                problems.append(f"{rel}: member {bad} fails its CRC")
                    elif f.endswith(".json"):
                        with open(p, "rb") as fh:
                            json.load(fh)
                    elif f.startswith("dporef_") and f.endswith(".bin"):
                        # DPO's reference log-probs: magic[8], uint32 key length,
                        # key, int64 pairs, float32 [pairs][2].
                        raw = open(p, "rb").read()
                        klen = struct.unpack_from("<I", raw, 8)[0] if len(raw) >= 12 else 0
                        pairs = struct.unpack_from("<q", raw, 12 + klen)[0] if len(raw) >= 20 + klen else -1
                        if pairs < 0 or len(raw) != 20 + klen + 8 * pairs:
                            problems.append(f"{rel}: not a whole reference log-prob cache ({len(raw)} bytes)")
                    elif f.startswith("tok_") and f.endswith(".bin"):
                        with open(p, "rb") as fh:
                            head = fh.read(256)
                        size = os.path.getsize(p)
                        # Header: magic[8], version, flags (uint32), 6 x 64-bit, fileSize (uint64).
                        if head[:8] != b"MMTOK001" or struct.unpack_from("<Q", head, 64)[0] != size:
                            problems.append(f"{rel}: not a whole token cache ({size} bytes)")
                except Exception as e:  # noqa: BLE001 - every failure is a finding
                    problems.append(f"{rel}: {type(e).__name__}: {e}")
        db = os.path.join(out, "micromind.db")
        if os.path.exists(db):
            try:
                con = sqlite3.connect(db, timeout=10)
                ok = con.execute("PRAGMA integrity_check").fetchone()[0]
                con.close()
                if ok != "ok":
                    problems.append(f"micromind.db: integrity_check says {ok}")
            except sqlite3.Error as e:
                problems.append(f"micromind.db: {e}")
        for p in problems:
            self.failures.append(f"{where}: {p}")
        return not problems

    # ---- one scenario --------------------------------------------------------
    def reference(self, scenario):
        out = self.workspace(f"{scenario}_ref")
        t0 = time.time()
        procs = self.start(scenario, out, resume=False)
        codes = [p.wait() for p in procs]
        took = time.time() - t0
        if any(codes):
            sys.exit(f"kill_soak: the uninterrupted {scenario} run failed ({codes}); see {self.root}/last_run.log")
        return out, took

    def progress(self, scenario, out):
        """Optimizer steps the last whole checkpoint holds (0 before the first)."""
        side = os.path.join(out, self.product(scenario)[:-4] + ".json")
        try:
            with open(side, "rb") as fh:
                return int(json.load(fh).get("step", 0))
        except (OSError, ValueError):
            return 0

    def soak(self, scenario):
        """Kills chains of runs: each chain starts from a fresh workspace, is
        killed and resumed until a run completes, and must end with the
        reference's weights. Chains follow one another until --kills kills
        have landed; the last chain then runs to its end."""
        ref, ref_time = self.reference(scenario)
        product = self.product(scenario)
        ref_bytes = open(os.path.join(ref, product), "rb").read()
        step_time = ref_time / self.a.steps
        kills = {m: 0 for m in MODES}
        chains, equal = 0, 0
        t0 = time.time()
        while sum(kills.values()) < self.a.kills or chains == 0:
            chains += 1
            out = self.workspace(f"{scenario}_soak")
            chain_kills = 0
            while True:
                attempt = sum(kills.values())
                want_kill = attempt < self.a.kills
                mode = MODES[attempt % len(MODES)]
                resume = os.path.exists(self.resume_file(scenario, out))
                left = max(1, self.a.steps - (self.progress(scenario, out) if resume else 0))
                crash = None
                if want_kill and mode == "write_file":
                    # Three files per checkpoint (weights, sidecar, resume state),
                    # plus the caches and DPO's reference log-probs at a start.
                    crash = f"write_file:{self.rng.randint(1, max(1, 3 * left // self.a.save_interval))}"
                elif want_kill and mode == "history":
                    crash = f"history:{self.rng.randint(1, max(1, left - 1))}"
                procs = self.start(scenario, out, resume, crash)
                if want_kill and mode == "random":
                    time.sleep(self.rng.uniform(0.2, 1.0 + 0.8 * left * step_time))
                    for p in procs:
                        if p.poll() is None:
                            p.send_signal(signal.SIGKILL)
                codes = self.wait_all(procs, scenario)
                where = f"{scenario} chain {chains} kill {attempt + 1} ({mode}{' ' + crash if crash else ''})"
                runs_now = []
                if any(c == -signal.SIGKILL for c in codes) and os.path.exists(os.path.join(out, "micromind.db")):
                    try:
                        runs_now = self.history(out)
                    except sqlite3.Error:
                        runs_now = []  # killed before the history had its tables
                if runs_now and runs_now[-1][1] == "completed":
                    # The kill landed while a finished job's ranks were exiting:
                    # the run completed before it (nothing to resume).
                    break
                if any(c == -signal.SIGKILL for c in codes):
                    kills[mode] += 1
                    chain_kills += 1
                    self.check_files(out, where)
                    continue
                if any(codes):
                    self.failures.append(f"{where}: a run exited with {codes}; see {self.root}/last_run.log")
                    return
                break  # completed (before its kill, or the chain's last run)
            self.check_files(out, f"{scenario} chain {chains} end")
            same = open(os.path.join(out, product), "rb").read() == ref_bytes
            equal += same
            if not same:
                self.failures.append(f"{scenario} chain {chains}: final {product} differs from the uninterrupted run's")
            runs = self.history(out)
            statuses = [st for _, st, _ in runs]
            if not statuses or statuses[-1] != "completed" or any(st != "interrupted" for st in statuses[:-1]):
                self.failures.append(f"{scenario} chain {chains}: history statuses {statuses} (want interrupted "
                                     f"runs then one completed)")
            if len(runs) > chain_kills + 1:
                self.failures.append(f"{scenario} chain {chains}: {len(runs)} runs for {chain_kills} kills")
        for m in MODES:
            if self.a.kills >= len(MODES) and kills[m] == 0:
                self.failures.append(f"{scenario}: no kill landed in mode {m} (is MM_CRASH_AT honoured?)")
        temps = sum(1 for _, _, fs in os.walk(out) for f in fs if ".tmp." in f)
        fig = (f"{scenario}: {sum(kills.values())} kills ({', '.join(f'{m} {n}' for m, n in kills.items())}) "
               f"in {chains} chain(s) of kill+resume; final weights byte-equal to the uninterrupted run in "
               f"{equal}/{chains}; integrity_check ok and no partial file after every kill: "
               f"{'yes' if not any(f.startswith(scenario + ' ') for f in self.failures) else 'NO'}; "
               f"{temps} temp files of killed writers left in the last workspace; {time.time() - t0:.0f} s")
        print("kill_soak: " + fig, flush=True)
        self.figures.append(fig)

    def wait_all(self, procs, scenario):
        codes = []
        for i, p in enumerate(procs):
            try:
                codes.append(p.wait(timeout=self.a.run_timeout))
            except subprocess.TimeoutExpired:
                for q in procs:
                    if q.poll() is None:
                        q.kill()
                self.failures.append(f"{scenario}: a run hung for {self.a.run_timeout} s")
                codes.append(p.wait())
            if scenario == "ddp2" and codes[-1] == -signal.SIGKILL:
                # One rank died (rank 0 at its crash point): the other would
                # wait for --ddp_timeout; kill it now, as a job scheduler would.
                for q in procs[i + 1:]:
                    if q.poll() is None:
                        q.send_signal(signal.SIGKILL)
        return codes

    @staticmethod
    def history(out):
        con = sqlite3.connect(os.path.join(out, "micromind.db"), timeout=10)
        rows = con.execute("SELECT id, status, steps FROM runs ORDER BY id").fetchall()
        con.close()
        return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--micromind", default=os.environ.get("MM_CLI", DEFAULT_CLI), help="the micromind binary")
    ap.add_argument("--workspace", default="", help="scratch directory (default: a new temp dir, removed on success)")
    ap.add_argument("--kills", type=int, default=20, help="kills per scenario")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated: " + ",".join(SCENARIOS))
    ap.add_argument("--steps", type=int, default=30, help="optimizer steps per run")
    ap.add_argument("--save_interval", type=int, default=3, help="steps between checkpoints")
    ap.add_argument("--seed", type=int, default=1, help="seed of the kill moments")
    ap.add_argument("--run_timeout", type=float, default=300, help="seconds before a run counts as hung")
    a = ap.parse_args()
    scen = [s for s in a.scenarios.split(",") if s]
    bad = [s for s in scen if s not in SCENARIOS]
    if bad or a.kills < 1:
        print(f"kill_soak: unknown scenario {', '.join(bad)} (choose from {', '.join(SCENARIOS)})" if bad
              else "kill_soak: --kills must be at least 1", file=sys.stderr)
        return 2
    if not os.access(a.micromind, os.X_OK):
        print(f"kill_soak: {a.micromind} is not an executable; build first (bash scripts/build.sh) or pass "
              "--micromind", file=sys.stderr)
        return 2
    keep = bool(a.workspace)
    a.workspace = os.path.abspath(a.workspace or tempfile.mkdtemp(prefix="mm-kill-soak-"))
    s = Soak(a)
    t0 = time.time()
    s.setup()
    for sc in scen:
        s.soak(sc)
    print(f"kill_soak: {len(scen)} scenario(s) in {time.time() - t0:.0f} s, {len(s.failures)} problem(s)")
    for f in s.failures:
        print("  FAIL " + f)
    if not s.failures and not keep:
        shutil.rmtree(a.workspace, ignore_errors=True)
    elif s.failures:
        print(f"kill_soak: workspace kept at {a.workspace}")
    return 1 if s.failures else 0


if __name__ == "__main__":
    sys.exit(main())
