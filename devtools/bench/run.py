"""The runner: `python -m devtools.bench [--quick] [--rounds N] [--peers] [--only a,b] ...`.

Starts the bench server, then runs every measurement in a fresh worker process, round after
round, contenders interleaved (their order rotating) so machine noise hits all alike; takes
medians; prints the markdown report and writes it with its JSON under `bench/results/`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import peers
from .contenders import CONTENDERS, FLOORS, PEERS
from .contenders import POOL_CONNECTIONS as POOL
from .payloads import PROTOCOLS
from .report import checks, render
from .worker import COLD_PARTS

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
WORKER_TIMEOUT = 300  # seconds; a worker that hangs is reported, not waited for
# the peak-RSS figure's workers, as before issue 24: the 1,000-concurrent one has its own row
# (its 1,000 pending calls would bury each library's own memory under the same 10 MB)
PEAK_RSS_KINDS = ("call", "stream", "paced", "async")
SCALE_SKIP = {"litellm"}  # ~700 µs a chunk: a 100,000-chunk stream would take minutes
IMPORTS = {  # name: (contender whose interpreter runs it, statement)
    "floor": ("floor", "import httpx, pydantic"),
    "floor-httpx2": ("floor-httpx2", "import httpx2, pydantic"),  # the targets' baseline
    "modelwire": ("modelwire", "import modelwire"),
    "modelwire+models": ("modelwire", "import modelwire; from modelwire.models import GPT4o"),
    "openai": ("openai", "import openai"),
    "anthropic": ("anthropic", "import anthropic"),
    "litellm": ("litellm", "import litellm"),
}


@dataclass
class Settings:
    rounds: int = 5
    import_samples: int = 15  # imports are short: more samples than rounds
    calls: int = 400
    call_warmup: int = 40
    chunks: int = 2000
    streams: int = 5  # 2,000-chunk streams per worker, batched
    paced_streams: int = 1
    stream_warmup: int = 3
    concurrency: int = 50
    async_calls: int = 500
    async_warmup: int = 2
    # does a call cost more when 1,000 wait at once? (2 calls a lane: 2,000 calls)
    high_concurrency: int = 1000
    high_calls_per_lane: int = 2
    scale: tuple[int, int] = (10_000, 100_000)
    scale_rounds: int = 3
    generator_runs: int = 3
    pace_us: float = 200.0
    budget_s: float = 1.0  # a worker past this does fewer calls or streams (slow peers)
    peer_rounds: int = 3  # the peers' columns are for reference: fewer rounds

    @classmethod
    def quick(cls) -> Settings:
        return cls(
            rounds=1,
            import_samples=1,
            calls=20,
            call_warmup=5,
            chunks=200,
            streams=1,
            stream_warmup=1,
            async_calls=50,
            async_warmup=1,
            high_calls_per_lane=1,
            scale=(1_000, 10_000),
            scale_rounds=1,
            generator_runs=1,
        )


@dataclass
class Results:
    settings: Settings
    contenders: dict[str, dict[str, str]] = field(default_factory=dict)
    # figure -> protocol -> contender -> per-round values
    figures: dict[str, dict[str, dict[str, list[float]]]] = field(default_factory=dict)
    # protocol -> contender -> size -> measure -> per-round values
    scale: dict[str, dict[str, dict[str, dict[str, list[float]]]]] = field(default_factory=dict)
    imports: dict[str, list[float]] = field(default_factory=dict)  # name -> ms samples
    generator: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, figure: str, protocol: str, contender: str, value: float) -> None:
        per = self.figures.setdefault(figure, {}).setdefault(protocol, {})
        per.setdefault(contender, []).append(value)


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _interpreters(wanted: list[str]) -> dict[str, str]:
    """Which python runs each wanted contender: `.venv`'s, else `.venv-peers`' for peers."""
    found = {}
    for name in wanted:
        module = CONTENDERS[name].module
        for py in (sys.executable, str(peers.PYTHON)):
            if not Path(py).exists():
                continue
            probe = subprocess.run(
                [py, "-c", f"import importlib.util as u; exit(u.find_spec({module!r}) is None)"],
                cwd=ROOT,
                capture_output=True,
            )
            if probe.returncode == 0:
                found[name] = py
                break
    return found


def _version(py: str, module: str) -> str:
    proc = subprocess.run(
        [py, "-c", f"from importlib.metadata import version; print(version({module!r}))"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return proc.stdout.strip() or "?"


def _http_stack(py: str, module: str) -> str:
    """Which of httpx and httpx2 a library loads once imported (modelwire moves from one to
    the other; SDK versions differ): the report says which stack each contender ran on."""
    code = (
        f"import sys, {module}; "
        "print(', '.join(m for m in ('httpx', 'httpx2') if m in sys.modules) or 'neither')"
    )
    proc = subprocess.run([py, "-c", code], capture_output=True, text=True, cwd=ROOT)
    return proc.stdout.strip() or "?"


class Server:
    """The bench server process (stdin open = keep serving)."""

    def __init__(self, sizes: list[int], pace_us: float) -> None:
        cmd = [sys.executable, "-m", "devtools.bench.server", "--pace-us", str(pace_us)]
        cmd += ["--sizes", ",".join(map(str, sizes))]
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError("the bench server did not start")

    def stop(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Bench:
    def __init__(self, settings: Settings, interpreters: dict[str, str], protocols: list[str]):
        self.s = settings
        self.py = interpreters
        self.protocols = protocols
        self.results = Results(settings)
        # Bytecode caches are allowed (and written by a first, unmeasured import): pip compiles
        # an installed package's modules, so `import httpx, pydantic` loads bytecode, while
        # modelwire's editable install would compile its sources in every fresh process under
        # PYTHONDONTWRITEBYTECODE (set on some machines): an import race of unlike things.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env = {
            **env,
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # LiteLLM: no price list fetched at import
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
        self.server_url = ""

    def contenders(self, protocol: str, round_: int) -> list[str]:
        names = [
            n
            for n in self.py
            if protocol in CONTENDERS[n].protocols
            and (n not in PEERS or round_ < self.s.peer_rounds)
        ]
        k = round_ % len(names)
        return names[k:] + names[:k]  # rotate: no contender always runs first

    def worker(self, name: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        spec = {**spec, "contender": name, "server": self.server_url}
        cmd = [self.py[name], "-m", "devtools.bench.worker", json.dumps(spec)]
        try:
            proc = subprocess.run(
                cmd, cwd=ROOT, capture_output=True, text=True, env=self.env, timeout=WORKER_TIMEOUT
            )
        except subprocess.TimeoutExpired:
            self._error(
                f"{name} {spec['protocol']} {spec['task']}: no result in {WORKER_TIMEOUT} s"
            )
            return None
        if proc.returncode:
            tail = " / ".join(proc.stderr.strip().splitlines()[-3:])
            self._error(f"{name} {spec['protocol']} {spec['task']}: {tail}")
            return None
        out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
        expected = spec.get("chunks")
        if "seen" in out and out["seen"] != expected:
            self._error(
                f"{name} {spec['protocol']} stream of {expected}: saw {out['seen']} text deltas"
            )
        return out

    def _error(self, message: str) -> None:
        log(f"error: {message}")
        self.results.errors.append(message)

    # --- phases ----------------------------------------------------------------------------

    def imports(self) -> None:
        names = [n for n, (c, _) in IMPORTS.items() if c in self.py]
        for name in names:  # unmeasured: writes the bytecode caches (see __init__)
            contender, stmt = IMPORTS[name]
            subprocess.run(
                [self.py[contender], "-c", stmt],
                cwd=ROOT,
                capture_output=True,
                env=self.env,
                timeout=WORKER_TIMEOUT,
            )
        for i in range(self.s.import_samples):
            k = i % len(names)
            for name in names[k:] + names[:k]:
                contender, stmt = IMPORTS[name]
                if contender in PEERS and i >= max(1, self.s.import_samples // 3):
                    continue  # peers import in 0.5-2.5 s: fewer samples
                code = (
                    f"import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
                )
                proc = subprocess.run(
                    [self.py[contender], "-c", code],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    env=self.env,
                    timeout=WORKER_TIMEOUT,
                )
                if proc.returncode:
                    self._error(f"{stmt}: {proc.stderr.strip().splitlines()[-1:]}")
                    continue
                ms = float(proc.stdout.strip().splitlines()[-1]) * 1000
                self.results.imports.setdefault(name, []).append(ms)

    def tasks(self) -> list[tuple[str, dict[str, Any]]]:
        """A round's measurements: (kind, worker spec). `call` first: it opens the round's
        peak-RSS figure (see `_record`)."""
        s = self.s
        stream = {"task": "stream", "chunks": s.chunks, "warmup": s.stream_warmup}
        many = {"task": "async", "warmup": s.async_warmup}
        high = {**many, "concurrency": s.high_concurrency, "warmup": 1}
        # its warm-up: one pool's worth of calls at once opens every connection; a full
        # round of 1,000 would cost as much as the measurement (seconds, on httpcore 1.0)
        high |= {"n": s.high_concurrency * s.high_calls_per_lane, "warmup_concurrency": POOL}
        return [
            ("call", {"task": "call", "n": s.calls, "warmup": s.call_warmup}),
            ("stream", {**stream, "mode": "batched", "n": s.streams}),
            ("paced", {**stream, "mode": "paced", "n": s.paced_streams}),
            ("async", {**many, "n": s.async_calls, "concurrency": s.concurrency}),
            ("async_high", high),
            ("cold", {"task": "cold"}),
        ]

    def round(self, r: int) -> None:
        for kind, spec in self.tasks():
            for protocol in self.protocols:
                for name in self.contenders(protocol, r):
                    budget = self.s.budget_s
                    out = self.worker(name, {**spec, "protocol": protocol, "budget_s": budget})
                    if out is not None:
                        self._record(kind, protocol, name, out)

    def _record(self, kind: str, protocol: str, name: str, out: dict[str, Any]) -> None:
        add = self.results.add
        per_op_cpu, per_op_wall = out["cpu_s"] / out["ops"] * 1e6, out["wall_s"] / out["ops"] * 1e6
        if kind == "call":
            add("call_cpu_us", protocol, name, per_op_cpu)
            add("call_wall_us", protocol, name, per_op_wall)
        elif kind in ("stream", "paced"):
            add(f"{kind}_cpu_us", protocol, name, per_op_cpu)
        elif kind == "cold":
            add("cold_ms", protocol, name, out["wall_s"] * 1e3)
            for part in COLD_PARTS:
                add(f"cold_{part}_ms", protocol, name, out[f"{part}_s"] * 1e3)
        else:  # async, async_high
            add(f"{kind}_calls_s", protocol, name, out["ops"] / out["wall_s"])
            add(f"{kind}_cpu_us", protocol, name, per_op_cpu)
        mb = out["maxrss_kb"] / 1024
        if kind == "async_high":  # 1,000 pending calls weigh alike in every contender: apart
            add("async_high_rss_mb", protocol, name, mb)
        if kind not in PEAK_RSS_KINDS:
            return
        # peak RSS: the largest over this round's workers of the contender
        rss = self.results.figures.setdefault("peak_rss_mb", {}).setdefault(protocol, {})
        values = rss.setdefault(name, [])
        if kind == "call":
            values.append(mb)
        elif values:
            values[-1] = max(values[-1], mb)

    def scale(self, r: int) -> None:
        for size in self.s.scale:
            spec = {"task": "stream", "chunks": size, "mode": "batched", "n": 1, "warmup": 3}
            spec["budget_s"] = 0.0
            for protocol in self.protocols:
                for name in self.contenders(protocol, r):
                    if name in SCALE_SKIP:
                        continue
                    out = self.worker(name, {**spec, "protocol": protocol})
                    if out is None:
                        continue
                    per = self.results.scale.setdefault(protocol, {}).setdefault(name, {})
                    m = per.setdefault(str(size), {})
                    m.setdefault("cpu_us", []).append(out["cpu_s"] / size * 1e6)
                    m.setdefault("wall_s", []).append(out["wall_s"])
                    m.setdefault("peak_rss_mb", []).append(out["maxrss_kb"] / 1024)
                    growth = (out["maxrss_kb"] - out["rss_start_kb"]) / 1024
                    m.setdefault("growth_mb", []).append(growth)

    def generator(self) -> None:
        """`python -m generator` writing every file, into a copy of specs/ (the tree is not
        touched: others may be regenerating it)."""
        for _ in range(self.s.generator_runs):
            with tempfile.TemporaryDirectory(prefix="modelwire-bench-") as tmp:
                shutil.copytree(ROOT / "specs", Path(tmp) / "specs", ignore=_no_schema)
                shutil.copy(ROOT / "pyproject.toml", tmp)
                (Path(tmp) / "generated").mkdir()
                started = time.perf_counter()
                proc = subprocess.run(
                    [sys.executable, "-m", "generator", "--root", tmp],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=WORKER_TIMEOUT,
                )
                wall = time.perf_counter() - started
            if proc.returncode:
                self._error(f"generator: {proc.stderr.strip()[-300:]}")
                return
            own = re.search(r"\((\d+) written.* in ([\d.]+)s", proc.stdout)
            self.results.generator.setdefault("wall_s", []).append(wall)
            if own:
                self.results.generator.setdefault("own_s", []).append(float(own[2]))
                self.results.generator.setdefault("files", []).append(float(own[1]))


def _no_schema(folder: str, names: list[str]) -> list[str]:
    return ["schema"] if Path(folder).name == "specs" else []  # outputs: written afresh


def machine(py: dict[str, str]) -> dict[str, Any]:
    import httpx
    import httpx2
    import pydantic

    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return proc.stdout.strip()

    dirty = git("status", "--porcelain", "--", "runtime", "generated", "specs")
    facts: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "httpx": httpx.__version__,
        "httpx2": httpx2.__version__,
        "pydantic": pydantic.__version__,
        "commit": git("rev-parse", "--short", "HEAD")
        + (" (+ uncommitted changes)" if dirty else ""),
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
    }
    peer_py = {py[n] for n in PEERS if n in py} - {sys.executable}
    for p in sorted(peer_py):
        facts["peers_python"] = subprocess.run(
            [p, "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        facts["peers_httpx"] = _version(p, "httpx")
        facts["peers_httpx2"] = _version(p, "httpx2")
    for name in PEERS:
        if name in py:
            facts[name] = _version(py[name], CONTENDERS[name].module)
    facts["stacks"] = {
        n: _http_stack(py[n], CONTENDERS[n].module) for n in ("modelwire", *PEERS) if n in py
    }
    return facts


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python tasks.py bench",
        description="Benchmark modelwire against raw-httpx and raw-httpx2 floors (and the "
        "official SDKs and LiteLLM when installed in .venv-peers) on a loopback server; print "
        "the table and write it with its JSON under bench/results/.",
    )
    parser.add_argument("--quick", action="store_true", help="one round, small counts (smoke)")
    parser.add_argument("--rounds", type=int, help="rounds (default 5; quick 1)")
    parser.add_argument("--peers", action="store_true", help="install the SDKs in .venv-peers")
    parser.add_argument("--only", help="contenders, comma-separated (the floors always run)")
    parser.add_argument(
        "--high-concurrency", type=int, help="the many-calls figure's concurrency (1000)"
    )
    parser.add_argument("--protocols", default=",".join(PROTOCOLS), help="openai,anthropic")
    parser.add_argument("--no-generator", action="store_true", help="skip the generator timing")
    parser.add_argument(
        "--http2", action="store_true", help="add the HTTP/2 section (devtools.bench.h2)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where results are written")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.quick() if args.quick else Settings()
    if args.rounds:
        settings.rounds = args.rounds
        settings.scale_rounds = min(settings.scale_rounds, args.rounds)
        settings.import_samples = 3 * args.rounds
    if args.high_concurrency:
        settings.high_concurrency = args.high_concurrency
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    settings = _settings(args)
    wanted = [*FLOORS, "modelwire", *PEERS]
    if args.only:
        only = {n.strip() for n in args.only.split(",") if n.strip()}
        unknown = only - set(CONTENDERS)
        if unknown:
            parser.error(f"unknown contender(s) {sorted(unknown)}; known: {sorted(CONTENDERS)}")
        wanted = [n for n in wanted if n in only or n in FLOORS]
    protocols = [p for p in PROTOCOLS if p in args.protocols.split(",")]
    if not protocols:
        parser.error(f"--protocols: choose from {', '.join(PROTOCOLS)}")
    if args.peers:
        peers.install([n for n in wanted if n in PEERS])
    py = _interpreters(wanted)
    for name in (*FLOORS, "modelwire"):
        if name in wanted and name not in py:
            sys.exit(f"bench: {CONTENDERS[name].module} is not importable; run `tasks.py setup`")
    missing = [n for n in wanted if n not in py]
    if missing:
        log(f"not installed (no column): {', '.join(missing)}; `--peers` installs them")

    bench = Bench(settings, py, protocols)
    bench.results.contenders = {
        n: {"label": CONTENDERS[n].label, "python": os.path.relpath(py[n], ROOT)} for n in py
    }
    facts = machine(py)
    started = time.perf_counter()
    log(f"contenders: {', '.join(py)}; protocols: {', '.join(protocols)}")
    server = Server(sorted({settings.chunks, 200, *settings.scale}), settings.pace_us)
    bench.server_url = server.url
    try:
        log(f"imports ({settings.import_samples} samples)")
        bench.imports()
        for r in range(settings.rounds):
            log(f"round {r + 1}/{settings.rounds}")
            bench.round(r)
        for r in range(settings.scale_rounds):
            log(f"streams of {settings.scale[0]:,} vs {settings.scale[1]:,} chunks, round {r + 1}")
            bench.scale(r)
    finally:
        server.stop()
    if not args.no_generator:
        log("generator")
        bench.generator()
    facts["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    facts["duration_s"] = round(time.perf_counter() - started, 1)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    data = summarize(bench.results, facts, stamp, args.quick)
    if args.http2:  # its own servers, after the main server stopped
        from . import h2

        log("HTTP/2 vs HTTP/1.1 (devtools.bench.h2)")
        data["http2"] = h2.collect(2000, settings.rounds, [50, 500], [100, 1000])
    data["checks"] = checks(data)
    markdown = render(data)
    print(markdown)
    args.out.mkdir(parents=True, exist_ok=True)
    for base in (stamp, "latest"):
        (args.out / f"{base}.md").write_text(markdown + "\n", encoding="utf-8")
        (args.out / f"{base}.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    log(f"written {os.path.relpath(args.out / stamp, ROOT)}.{{md,json}} and latest.{{md,json}}")
    return 1 if bench.results.errors else 0


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _cpu_growth(figures: dict[str, Any]) -> dict[str, Any]:
    """Client CPU per async call at 1,000 concurrent ÷ at 50, per contender: above 1 when a
    call costs more in a long queue (a pool scanning its waiters, say). A ratio of the two
    medians, as the report shows them; the per-round ratios kept beside it."""
    high, low = figures.get("async_high_cpu_us", {}), figures.get("async_cpu_us", {})
    out: dict[str, dict[str, Any]] = {}
    for proto, per in high.items():
        for name, at_high in per.items():
            at_low = low.get(proto, {}).get(name)
            if not at_low or not at_low["median"] or at_high["median"] is None:
                continue
            pairs = zip(at_high["rounds"], at_low["rounds"], strict=False)  # a failed worker
            rounds = [a / b for a, b in pairs if b]
            median = at_high["median"] / at_low["median"]
            out.setdefault(proto, {})[name] = {"median": median, "rounds": rounds}
    return {"async_cpu_growth": out} if out else {}


def summarize(res: Results, facts: dict[str, Any], stamp: str, quick: bool) -> dict[str, Any]:
    """Medians and the raw per-round values, JSON-ready (the report renders this)."""
    figures = {
        fig: {
            proto: {c: {"median": _median(v), "rounds": v} for c, v in per.items()}
            for proto, per in protos.items()
        }
        for fig, protos in res.figures.items()
    }
    figures.update(_cpu_growth(figures))
    scale = {
        proto: {
            c: {
                size: {k: {"median": _median(v), "rounds": v} for k, v in m.items()}
                for size, m in sizes.items()
            }
            for c, sizes in per.items()
        }
        for proto, per in res.scale.items()
    }
    return {
        "timestamp": stamp,
        "quick": quick,
        "machine": facts,
        "settings": asdict(res.settings),
        "contenders": res.contenders,
        "figures": figures,
        "scale": scale,
        "imports": {k: {"median": _median(v), "samples": v} for k, v in res.imports.items()},
        "import_statements": {k: IMPORTS[k][1] for k in res.imports},
        "generator": {k: {"median": _median(v), "runs": v} for k, v in res.generator.items()},
        "errors": res.errors,
    }
