"""The bench report: targets checked, and the markdown tables, from the summarized results.

Two floors (raw httpx, raw httpx2) run in every round; each figure's ratios are to the better
of the two in that figure (lower CPU, wall time, RSS and import time, higher throughput),
whose value the tables print in bold: a target is met against the best plain client there is,
whichever HTTP stack modelwire runs on at the time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .contenders import FLOORS, PEERS, POOL_CONNECTIONS, POOL_KEEPALIVE


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    label: str  # formatted with the settings
    unit: str
    higher_is_better: bool = False
    target: float | None = None  # modelwire / the better floor, measured in the same run
    own: bool = False  # a ratio of each contender to itself: no floor to divide by


FIGURES = (
    Figure("call_cpu_us", "client CPU per non-streamed call (sync)", "µs", target=1.15),
    Figure("call_wall_us", "wall time per non-streamed call (sync, round trip)", "µs"),
    Figure(
        "stream_cpu_us", "CPU per streamed chunk ({chunks:,} chunks, batched)", "µs", target=2.0
    ),
    Figure(
        "paced_cpu_us",
        "CPU per streamed chunk ({chunks:,} chunks, paced: one event per write)",
        "µs",
        target=1.25,
    ),
    Figure(
        "async_calls_s",
        "async throughput ({concurrency} concurrent calls)",
        "calls/s",
        higher_is_better=True,
        target=0.9,
    ),
    Figure(
        "async_cpu_us", "client CPU per async call ({concurrency} concurrent)", "µs", target=1.25
    ),
    Figure(
        "async_high_calls_s",
        "async throughput ({high_concurrency:,} concurrent calls)",
        "calls/s",
        higher_is_better=True,
    ),
    Figure(
        "async_high_cpu_us", "client CPU per async call ({high_concurrency:,} concurrent)", "µs"
    ),
    Figure(
        "async_cpu_growth",
        "client CPU per async call at {high_concurrency:,} ÷ at {concurrency} concurrent "
        "(each contender's own; 1× = no degradation)",
        "×",
        own=True,
    ),
    Figure(
        "cold_ms",
        "cold first call: import + build the client + one call (fresh process, wall)",
        "ms",
        target=1.5,
    ),
    Figure("cold_import_ms", "… of which the import", "ms"),
    Figure("cold_construct_ms", "… of which building the client", "ms"),
    Figure("cold_call_ms", "… of which the first call (connection included)", "ms"),
    Figure(
        "peak_rss_mb",
        "peak RSS (largest of the sync, streamed and {concurrency}-concurrent workers)",
        "MB",
        target=1.2,
    ),
    Figure("async_high_rss_mb", "peak RSS of the {high_concurrency:,}-concurrent worker", "MB"),
)
FLOOR_LABELS = {"floor": "raw httpx", "floor-httpx2": "raw httpx2"}
IMPORT_BASELINE = "floor-httpx2"  # the import target's baseline: `import httpx2, pydantic`
PROTOCOL_TITLES = {
    "openai": "OpenAI Chat Completions (`/v1/chat/completions`)",
    "anthropic": "Anthropic Messages (`/v1/messages`)",
}
IMPORT_TARGET = 1.3
GENERATOR_TARGET_S = 5.0
PER_CHUNK_GROWTH_MAX = 1.25  # 100k vs 10k per-chunk time: linear within noise
MEMORY_FLOOR_MB = 1.0  # growth under this counts as flat


def _median(data: dict[str, Any] | None) -> float | None:
    return None if data is None else data.get("median")


def _ratio(value: float | None, floor: float | None) -> float | None:
    return value / floor if value is not None and floor else None


def _best_floor(per: dict[str, Any], fig: Figure) -> tuple[str | None, float | None]:
    """The better floor of a figure (its name and median): the one modelwire is held to."""
    values = {f: v for f in FLOORS if (v := _median(per.get(f))) is not None}
    if fig.own or not values:
        return None, None
    pick = max if fig.higher_is_better else min
    name = pick(values, key=values.__getitem__)
    return name, values[name]


def _ok(ratio: float | None, fig: Figure) -> bool | None:
    if ratio is None or fig.target is None:
        return None
    return ratio >= fig.target if fig.higher_is_better else ratio <= fig.target


def _mark(ok: bool | None) -> str:
    return "" if ok is None else ("✓" if ok else "✗")


def _num(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit == "×":
        return f"{value:.2f}×"
    text = f"{value:.1f}" if unit == "MB" or abs(value) < 10 else f"{value:,.0f}"
    return f"{text} {unit}".strip()


def _x(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.2f}×"


def _target(fig: Figure) -> str:
    if fig.target is None:
        return ""
    return f"{'≥' if fig.higher_is_better else '≤'} {fig.target:g}×"


def _scale_pair(data: dict[str, Any], proto: str, contender: str) -> tuple[Any, Any] | None:
    sizes = data["settings"]["scale"]
    per = data["scale"].get(proto, {}).get(contender, {})
    small, big = per.get(str(sizes[0])), per.get(str(sizes[1]))
    return (small, big) if small and big else None


def _scale_checks(small: dict[str, Any], big: dict[str, Any]) -> tuple[float | None, bool, bool]:
    per_chunk = _ratio(_median(big["cpu_us"]), _median(small["cpu_us"]))
    time_ok = per_chunk is not None and per_chunk <= PER_CHUNK_GROWTH_MAX
    grown_small = max(_median(small["growth_mb"]) or 0.0, MEMORY_FLOOR_MB)
    memory_ok = (_median(big["growth_mb"]) or 0.0) <= 12.5 * grown_small
    return per_chunk, time_ok, memory_ok


def _figure_checks(data: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for fig in FIGURES:
        if fig.target is None:
            continue
        for proto, per in data["figures"].get(fig.key, {}).items():
            floor, floor_value = _best_floor(per, fig)
            ratio = _ratio(_median(per.get("modelwire")), floor_value)
            if ratio is not None:
                what = f"{proto}: {fig.label.format(**data['settings'])}"
                out.append({"what": what, "ratio": ratio, "target": _target(fig)})
                out[-1] |= {"ok": _ok(ratio, fig), "floor": floor}
    return out


def _import_checks(data: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    base = _median(data["imports"].get(IMPORT_BASELINE))
    for name in ("modelwire", "modelwire+models"):
        ratio = _ratio(_median(data["imports"].get(name)), base)
        if ratio is not None:
            stmts = data["import_statements"]
            what = f"`{stmts[name]}` vs `{stmts[IMPORT_BASELINE]}`"
            target = f"≤ {IMPORT_TARGET:g}×"
            out.append(
                {"what": what, "ratio": ratio, "target": target, "ok": ratio <= IMPORT_TARGET}
            )
    return out


def checks(data: dict[str, Any]) -> list[dict[str, Any]]:
    """modelwire's targets, each with its ratio to the better floor (named) and verdict."""
    out = _figure_checks(data) + _import_checks(data)
    small_n, big_n = data["settings"]["scale"]
    for proto in data["scale"]:
        pair = _scale_pair(data, proto, "modelwire")
        if pair is None:
            continue
        per_chunk, time_ok, memory_ok = _scale_checks(*pair)
        what = f"{proto}: per-chunk CPU at {big_n:,} vs {small_n:,} chunks (linear time)"
        target = f"≤ {PER_CHUNK_GROWTH_MAX:g}×"
        out.append({"what": what, "ratio": per_chunk, "target": target, "ok": time_ok})
        what = f"{proto}: RSS growth at {big_n:,} vs {small_n:,} chunks (at most linear)"
        out.append({"what": what, "ratio": None, "target": "≤ 12.5×", "ok": memory_ok})
    wall = _median(data["generator"].get("wall_s"))
    if wall is not None:
        what = "generator full run (`python -m generator`, every file written)"
        out.append(
            {"what": what, "value_s": wall, "target": f"< {GENERATOR_TARGET_S:g} s"}
            | {"ratio": None, "ok": wall < GENERATOR_TARGET_S}
        )
    return out


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _protocol_table(data: dict[str, Any], proto: str) -> list[str]:
    contenders = data["contenders"]
    floors = [f for f in FLOORS if f in contenders]
    peers = [p for p in PEERS if p in contenders and _has(data, proto, p)]
    head = ["figure", *(f"floor: {FLOOR_LABELS[f]}" for f in floors), "modelwire", "ratio"]
    head += ["target", "", *(f"{contenders[p]['label']} (ratio)" for p in peers)]
    align = ["---", *["---:"] * (len(floors) + 2), ":---:", ":---:", *["---:"] * len(peers)]
    lines = [_row(head), _row(align)]
    for fig in FIGURES:
        per = data["figures"].get(fig.key, {}).get(proto)
        if per:
            lines.append(_row(_figure_cells(data, fig, per, floors, peers)))
    return lines


def _figure_cells(
    data: dict[str, Any], fig: Figure, per: dict[str, Any], floors: list[str], peers: list[str]
) -> list[str]:
    """One figure's row: each floor (the better one, divided by, in bold), modelwire, its
    ratio and target, then each peer with its ratio to the same floor."""
    best, floor = _best_floor(per, fig)
    ratio = _ratio(_median(per.get("modelwire")), floor)
    cells = [fig.label.format(**data["settings"])]
    for f in floors:
        text = _num(_median(per.get(f)), fig.unit)
        cells.append(f"**{text}**" if f == best else text)
    cells += [_num(_median(per.get("modelwire")), fig.unit), _x(ratio) if best else ""]
    cells += [_target(fig), _mark(_ok(ratio, fig))]
    for p in peers:
        value = _median(per.get(p))
        ratio_text = f" ({_x(_ratio(value, floor))})" if best else ""
        cells.append(_num(value, fig.unit) + ratio_text)
    return cells


def _has(data: dict[str, Any], proto: str, contender: str) -> bool:
    return any(contender in protos.get(proto, {}) for protos in data["figures"].values())


def render(data: dict[str, Any]) -> str:
    m, s = data["machine"], data["settings"]
    out = [f"# modelwire bench — {data['timestamp']}" + (" (quick)" if data["quick"] else ""), ""]
    out += [f"Machine: {_machine_line(m)}.", ""]
    out += [_method(m, s), ""]
    results = data["checks"]
    met = sum(1 for c in results if c["ok"])
    out += [f"**Targets: {met} of {len(results)} met.**", ""]
    for proto in data["figures"].get("call_cpu_us", {}) or data["scale"]:
        out += [f"## {PROTOCOL_TITLES.get(proto, proto)}", "", *_protocol_table(data, proto), ""]
    out += _imports_table(data)
    out += _scale_table(data)
    out += _generator_table(data)
    if data.get("http2"):  # `--http2`: see devtools/bench/h2.py
        from .h2 import table

        out += ["## HTTP/2 (h2c) vs HTTP/1.1: modelwire async calls", "", table(data["http2"]), ""]
    if data["errors"]:
        out += ["## Errors", "", *[f"- {e}" for e in data["errors"]], ""]
    return "\n".join(out)


def _method(m: dict[str, Any], s: dict[str, Any]) -> str:
    """How the figures were taken and what the ratios are to."""
    high_calls = s["high_concurrency"] * s["high_calls_per_lane"]
    return (
        f"Medians of {s['rounds']} rounds (peers {min(s['peer_rounds'], s['rounds'])}; "
        f"imports {s['import_samples']} samples, peers {max(1, s['import_samples'] // 3)}), "
        "every measurement in a fresh process, contenders interleaved. Load average "
        f"{m['load_avg_start'][0]} at the start, {m['load_avg_end'][0]} at the end "
        f"({m['duration_s']} s in all): on a shared machine the figures are noisy. Two floors "
        "run in every round, raw httpx and raw httpx2 (the same code on either module): each "
        "row's ratios are to the better floor of that row (lower CPU, wall time, RSS, import "
        "time; higher throughput), **in bold**, measured in the same run; targets apply to "
        f"modelwire. Async: {s['async_calls']:,} calls in {s['concurrency']} lanes, and "
        f"{high_calls:,} calls in {s['high_concurrency']:,} lanes (each lane awaits its calls "
        f"in turn). Every client's pool: {POOL_CONNECTIONS} connections, {POOL_KEEPALIVE} kept "
        "alive (modelwire's, fixed; the floors and SDKs are given the same; LiteLLM keeps its "
        "own). Cold first call: one fresh process per contender and round."
    )


def _machine_line(m: dict[str, Any]) -> str:
    facts = (
        f"{m['cpus']} CPUs, {m['platform']}, Python {m['python']}, httpx {m['httpx']}, "
        f"httpx2 {m.get('httpx2', '?')}, pydantic {m['pydantic']}; commit {m['commit']}"
    )
    versions = [f"{p} {m[p]}" for p in PEERS if p in m]
    if versions:
        facts += "; peers (`.venv-peers`"
        if "peers_httpx" in m:
            facts += f", Python {m['peers_python']}, httpx {m['peers_httpx']}"
            facts += f", httpx2 {m.get('peers_httpx2', '?')}"
        facts += "): " + ", ".join(versions)
    stacks = m.get("stacks", {})
    if stacks:
        facts += "; HTTP stack loaded: " + ", ".join(f"{n} on {s}" for n, s in stacks.items())
    return facts


def _imports_table(data: dict[str, Any]) -> list[str]:
    imports = data["imports"]
    if not imports:
        return []
    stmts = data["import_statements"]
    # both baselines shown; the target is to httpx2's, where the project's transport goes
    bases = [b for b in (IMPORT_BASELINE, "floor") if b in stmts]
    lines = [
        "## Import time (fresh process, bytecode cached as in an installed package)",
        "",
        f"The target is to `{stmts.get(IMPORT_BASELINE, '?')}` (ratio in bold).",
        "",
        _row(["statement", "ms", *(f"ratio to `{stmts[b]}`" for b in bases), "target", ""]),
        _row(["---", "---:", *["---:"] * len(bases), ":---:", ":---:"]),
    ]
    for name, stmt in stmts.items():
        ms = _median(imports.get(name))
        ratios = [_ratio(ms, _median(imports.get(b))) for b in bases]
        gated = name.startswith("modelwire")
        ratio = ratios[0] if bases and bases[0] == IMPORT_BASELINE else None
        ok = None if not gated or ratio is None else ratio <= IMPORT_TARGET
        cells = [_x(r) for r in ratios]
        if gated and ratio is not None:
            cells[0] = f"**{cells[0]}**"
        where = " (`.venv-peers`)" if _in_peers_venv(data, name) else ""
        target = f"≤ {IMPORT_TARGET:g}×" if gated else ""
        ms_text = f"{ms:.1f}" if ms else "—"
        lines.append(_row([f"`{stmt}`{where}", ms_text, *cells, target, _mark(ok)]))
    return [*lines, ""]


def _in_peers_venv(data: dict[str, Any], name: str) -> bool:
    return data["contenders"].get(name, {}).get("python", "").startswith(".venv-peers")


def _scale_table(data: dict[str, Any]) -> list[str]:
    small_n, big_n = data["settings"]["scale"]
    a, b = f"{small_n // 1000}k", f"{big_n // 1000}k"
    lines = [
        f"## Streaming is O(n): {small_n:,} vs {big_n:,} chunks (batched, one stream per process)",
        "",
        "LiteLLM is left out here (~700 µs a chunk: a 100,000-chunk stream takes over a minute). "
        "RSS growth: peak RSS at the end minus peak RSS before the measured stream.",
        "",
        _row(
            [
                "protocol",
                "contender",
                f"CPU µs/chunk {a}",
                f"CPU µs/chunk {b}",
                "per-chunk ratio",
                f"wall s {a}",
                f"wall s {b}",
                f"peak RSS MB {a} → {b}",
                f"RSS growth MB {a} → {b}",
                "linear",
            ]
        ),
        _row(["---", "---", *["---:"] * 7, ":---:"]),
    ]
    for proto, per in data["scale"].items():
        for contender in per:
            pair = _scale_pair(data, proto, contender)
            if pair is None:
                continue
            small, big = pair
            per_chunk, time_ok, memory_ok = _scale_checks(small, big)
            verdict = ""
            if contender == "modelwire":
                verdict = f"time {_mark(time_ok)} memory {_mark(memory_ok)}"
            lines.append(
                _row(
                    [
                        proto,
                        contender,
                        f"{_median(small['cpu_us']):.2f}",
                        f"{_median(big['cpu_us']):.2f}",
                        _x(per_chunk),
                        f"{_median(small['wall_s']):.2f}",
                        f"{_median(big['wall_s']):.2f}",
                        f"{_median(small['peak_rss_mb']):.1f} → {_median(big['peak_rss_mb']):.1f}",
                        f"{_median(small['growth_mb']):.1f} → {_median(big['growth_mb']):.1f}",
                        verdict,
                    ]
                )
            )
    return [*lines, ""]


def _generator_table(data: dict[str, Any]) -> list[str]:
    gen = data["generator"]
    wall = _median(gen.get("wall_s"))
    if wall is None:
        return []
    own, files = _median(gen.get("own_s")), _median(gen.get("files"))
    written = f"{files:.0f} files written" if files is not None else "every file written"
    return [
        "## Generator",
        "",
        _row(["run", "wall s", "generator's own timing s", "target", ""]),
        _row(["---", "---:", "---:", ":---:", ":---:"]),
        _row(
            [
                f"`python -m generator` into a copy of `specs/` ({written}, ruff format included)",
                f"{wall:.2f}",
                f"{own:.2f}" if own is not None else "—",
                f"< {GENERATOR_TARGET_S:g} s",
                _mark(wall < GENERATOR_TARGET_S),
            ]
        ),
        "",
    ]
