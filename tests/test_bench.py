"""Smoke test of the benchmark harness (issue 11): `--quick` runs it end to end.

It checks that every figure is measured and the report written; it never asserts a timing
(speed targets are the bench's business, `python tasks.py bench`, not a test's)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_bench_measures_every_figure_and_writes_the_report(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "devtools.bench", "--quick", "--only", "floor,modelwire"]
    proc = subprocess.run(
        [*cmd, "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads((tmp_path / "latest.json").read_text())
    assert data["errors"] == []
    for figure in ("call_cpu_us", "stream_cpu_us", "paced_cpu_us", "async_calls_s", "peak_rss_mb"):
        for protocol in ("openai", "anthropic"):
            per = data["figures"][figure][protocol]
            assert set(per) == {"floor", "modelwire"}, (figure, protocol)
            assert all(v["median"] > 0 for v in per.values()), (figure, protocol)
    assert set(data["imports"]) == {"floor", "modelwire", "modelwire+models"}
    assert set(data["scale"]["openai"]["modelwire"]) == {"1000", "10000"}
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
    assert len(list(tmp_path.glob("*Z.json"))) == 1
