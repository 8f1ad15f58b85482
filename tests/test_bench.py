"""Smoke test of the benchmark harness (issues 11, 24): `--quick` runs it end to end.

It checks that every figure is measured for both floors (raw httpx, raw httpx2) and modelwire,
that ratios are to the better floor, and that the report is written; it never asserts a timing
(speed targets are the bench's business, `python tasks.py bench`, not a test's). The
many-calls figure runs at 100 concurrent calls here, not 1,000: the same code, in seconds."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONTENDERS = {"floor", "floor-httpx2", "modelwire"}
FIGURES = (
    "call_cpu_us",
    "stream_cpu_us",
    "paced_cpu_us",
    "async_calls_s",
    "async_cpu_us",
    "async_high_calls_s",
    "async_high_cpu_us",
    "async_cpu_growth",
    "cold_ms",
    "cold_import_ms",
    "cold_construct_ms",
    "cold_call_ms",
    "peak_rss_mb",
    "async_high_rss_mb",
)


def test_quick_bench_measures_every_figure_and_writes_the_report(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "devtools.bench", "--quick", "--only", "modelwire"]
    cmd += ["--high-concurrency", "100", "--out", str(tmp_path)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads((tmp_path / "latest.json").read_text())
    assert data["errors"] == []
    for figure in FIGURES:
        for protocol in ("openai", "anthropic"):
            per = data["figures"][figure][protocol]
            assert set(per) == CONTENDERS, (figure, protocol)
            assert all(v["median"] > 0 for v in per.values()), (figure, protocol)
    assert set(data["imports"]) == {"floor", "floor-httpx2", "modelwire", "modelwire+models"}
    assert set(data["scale"]["openai"]["modelwire"]) == {"1000", "10000"}
    assert data["machine"]["httpx2"]
    assert data["machine"]["stacks"]["modelwire"] in ("httpx", "httpx2", "httpx, httpx2")
    _check_targets_use_the_better_floor(data)
    assert data["generator"]["wall_s"]["median"] > 0
    checks = data["checks"]
    assert checks and all(isinstance(c["ok"], bool) for c in checks)
    for c in checks:  # a ratio target ("≤ 2×") is met exactly when the ratio is within it
        bound = re.fullmatch(r"≤ ([0-9.]+)×", str(c["target"]))
        if bound and isinstance(c["ratio"], (int, float)):
            assert c["ok"] == (c["ratio"] <= float(bound.group(1))), c
    assert any(re.fullmatch(r"≤ ([0-9.]+)×", str(c["target"])) for c in checks)
    markdown = (tmp_path / "latest.md").read_text()
    met = sum(c["ok"] for c in checks)
    assert f"**Targets: {met} of {len(checks)} met.**" in markdown
    assert proc.stdout == markdown
    assert "| client CPU per non-streamed call (sync) |" in markdown
    assert "| figure | floor: raw httpx | floor: raw httpx2 | modelwire | ratio |" in markdown
    assert "| cold first call: import + build the client + one call" in markdown
    assert "client CPU per async call at 100 ÷ at 50 concurrent" in markdown
    assert "ratio to `import httpx2, pydantic`" in markdown
    assert len(list(tmp_path.glob("*Z.json"))) == 1


def _check_targets_use_the_better_floor(data: dict[str, Any]) -> None:
    """Each figure target's ratio is modelwire's median over the better floor's (throughput:
    the higher; the rest: the lower), and the new targets are there."""
    targets = {c["what"].split(": ", 1)[1]: c for c in data["checks"] if ": " in c["what"]}
    assert any(w.startswith("cold first call") for w in targets)
    assert any(w.startswith("peak RSS") for w in targets)
    for check in data["checks"]:
        if "floor" not in check:
            continue
        protocol = check["what"].split(":", 1)[0]
        figure = next(f for f in FIGURES if check["what"].endswith(_label(data, f, protocol)))
        per = data["figures"][figure][protocol]
        floors = [per["floor"]["median"], per["floor-httpx2"]["median"]]
        best = max(floors) if figure.endswith("_calls_s") else min(floors)
        assert check["ratio"] == per["modelwire"]["median"] / best, check
        assert per[check["floor"]]["median"] == best, check


def _label(data: dict[str, Any], figure: str, protocol: str) -> str:
    from devtools.bench.report import FIGURES as REPORTED

    label = next(f.label for f in REPORTED if f.key == figure)
    return label.format(**data["settings"])
