"""Median import time over fresh processes, interleaved.

`.venv/bin/python -m devtools.imptime [N]` (`tasks.py bench` measures the same, with its
report). Ratios are to `import httpx2, pydantic`, the import target's baseline (issue 24);
`import httpx, pydantic` is shown beside it."""

import statistics
import subprocess
import sys

PY = sys.executable
N = int(sys.argv[1]) if len(sys.argv) > 1 else 30
BASELINE = "httpx2+pydantic"
STMTS = {
    BASELINE: "import httpx2, pydantic",
    "httpx+pydantic": "import httpx, pydantic",
    "modelwire": "import modelwire",
    "modelwire+models": "import modelwire; from modelwire.models import GPT4o",
}
vals = {k: [] for k in STMTS}
for _ in range(N):
    for k, s in STMTS.items():
        r = subprocess.run(
            [PY, "-c", f"import time; t=time.perf_counter(); {s}; print(time.perf_counter()-t)"],
            capture_output=True,
            text=True,
        )
        vals[k].append(float(r.stdout) * 1000)
base = statistics.median(vals[BASELINE])
for k, v in vals.items():
    m = statistics.median(v)
    print(f"{k:18} {m:6.1f} ms  {m / base:.2f}x")
