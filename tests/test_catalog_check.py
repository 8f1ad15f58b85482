"""devtools/catalog_check.py: the diff of our catalog against genai-prices' data, on a tiny fake
dataset (plain values, the form `load_theirs` makes of the package's data), and once on the
real package."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from devtools import catalog_check as cc

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 25)


def model(id: str, match: dict, context: int | None = None, *prices: tuple) -> dict:
    """A model of theirs: `prices` are (constraint, {field: value}) pairs."""
    return {
        "id": id,
        "match": match,
        "context_window": context,
        "prices": [
            {"constraint": c, "prices": {f: values.get(f) for f in cc.PRICES}}
            for c, values in prices
        ],
    }


THEIRS = [
    {
        "id": "openai",
        "fallback": [],
        "models": [
            model(
                "gpt-4o",
                {"or": [{"equals": "gpt-4o"}, {"equals": "gpt-4o-2024-08-06"}]},
                128000,
                (None, {"input": 2.5, "cached_input": 1.25, "output": 10.0}),
            ),
            model(
                "gpt-4o-mini",
                {"starts_with": "gpt-4o-mini"},
                128000,
                (None, {"input": 0.15, "output": 0.6}),
                ({"start_date": "2026-01-01"}, {"input": 0.2, "output": 0.6}),
                ({"start_date": "2027-01-01"}, {"input": 9.0, "output": 9.0}),  # not yet
            ),
        ],
    },
    {
        "id": "anthropic",
        "fallback": [],
        "models": [
            model(
                "claude-sonnet-4-5",
                {"contains": "claude-sonnet-4-5"},
                200000,
                (None, {"input": 3.0, "cached_input": 0.3, "cache_write": 3.75, "output": 15.0}),
            )
        ],
    },
    {"id": "google", "fallback": ["anthropic"], "models": []},
    {
        "id": "deepseek",
        "fallback": [],
        "models": [
            model(
                "deepseek-chat",
                {"regex": r"^deepseek-(chat|v3)"},
                64000,
                (None, {"input": 0.135, "output": 0.55}),  # off-peak, the rest of the day
                ({"hours": 16.0}, {"input": 0.27, "output": 1.1}),  # 16 hours a day
            )
        ],
    },
]


def ours(constant: str, provider: str, model_id: str, **values: float | None) -> cc.Ours:
    figures = {f: values.get(f) for f in cc.FIELDS}
    return cc.Ours(
        constant,
        provider,
        model_id,
        figures,
        {f: f"specs/x.yaml:{i}" for i, f in enumerate(cc.FIELDS)},
    )


def test_match_rules() -> None:
    assert cc.matches({"equals": "GPT-4o"}, "gpt-4o")
    assert cc.matches({"starts_with": "claude"}, "claude-x") and not cc.matches(
        {"starts_with": "x"}, "claude"
    )
    assert cc.matches({"ends_with": "-v1:0"}, "a.b-v1:0")
    assert cc.matches({"contains": "sonnet"}, "us.anthropic.claude-sonnet-4-5")
    assert cc.matches({"regex": r"^o\d"}, "o3") and not cc.matches({"regex": r"^o\d"}, "gpt-o3")
    rule = {"and": [{"starts_with": "gpt"}, {"or": [{"ends_with": "mini"}, {"ends_with": "nano"}]}]}
    assert cc.matches(rule, "gpt-5-nano") and not cc.matches(rule, "gpt-5")


def test_lookup_follows_one_step_of_fallback_providers() -> None:
    assert cc.find(THEIRS, "openai", "GPT-4o-2024-08-06")["id"] == "gpt-4o"
    assert cc.find(THEIRS, "google", "claude-sonnet-4-5@20250929")["id"] == "claude-sonnet-4-5"
    assert cc.find(THEIRS, "openai", "o3") is None
    assert cc.find(THEIRS, "nobody", "gpt-4o") is None


def test_prices_in_force() -> None:
    mini = cc.find(THEIRS, "openai", "gpt-4o-mini")
    assert cc.current_prices(mini, TODAY)["input"] == 0.2  # started; the 2027 one has not
    assert cc.current_prices(mini, date(2025, 6, 1))["input"] == 0.15
    deepseek = cc.find(THEIRS, "deepseek", "deepseek-chat")
    assert cc.current_prices(deepseek, TODAY)["input"] == 0.27  # most of the day's price


def test_compare_lists_only_what_differs() -> None:
    entries = [
        ours(
            "GPT4o",
            "openai",
            "gpt-4o",
            input=2.5,
            cached_input=1.25,
            output=10.0,
            context_window=128000,
        ),
        ours(
            "GPT4oMini",
            "openai",
            "gpt-4o-mini",
            input=0.15,
            output=0.6,
            cache_write=1.0,
            context_window=128000,
        ),
        ours(
            "ClaudeSonnet45",
            "google_vertex_ai",
            "claude-sonnet-4-5@20250929",
            input=3.0,
            output=15.0,
            cache_write=3.75,
            context_window=1000000,
        ),
        ours("DeepSeekChat", "deepseek", "deepseek-chat", context_window=64000),
        ours("O3", "openai", "o3", input=2.0),
        ours("Llama", "huggingface", "meta-llama/x", input=1.0),
    ]
    report = cc.compare(entries, "9.9", THEIRS, TODAY)
    found = {(d.constant, d.field): (d.ours, d.theirs) for d in report.differences}
    assert found == {
        ("GPT4oMini", "input"): (0.15, 0.2),  # their newer price
        # our cache_write they do not list: not a difference
        ("ClaudeSonnet45", "cached_input"): (None, 0.3),  # they list one, we do not
        ("ClaudeSonnet45", "context_window"): (1000000, 200000),
        ("DeepSeekChat", "input"): (None, 0.27),
        ("DeepSeekChat", "output"): (None, 1.1),
    }
    assert (report.compared, report.equal, report.differing) == (4, 1, 3)
    assert report.only_ours == ["O3 on openai", "Llama on huggingface"]
    sonnet = next(d for d in report.differences if d.field == "context_window")
    assert (sonnet.where, sonnet.their_model) == ("specs/x.yaml:4", "claude-sonnet-4-5")

    text = cc.render(report)
    assert "genai-prices 9.9" in text
    assert "MODEL           PROVIDER          FIELD" in text
    assert (
        "ClaudeSonnet45  google_vertex_ai  context_window  1,000,000  200,000  claude-sonnet-4-5"
        in text
    )
    assert "compared 4 model-provider pairs: 1 equal, 3 differ (5 figures), 2 only ours" in text
    counts = cc.as_json(report)["counts"]
    assert counts == {
        "compared": 4,
        "equal": 1,
        "differ": 3,
        "differences": 5,
        "only_ours": 2,
        "refresh": 0,
    }


def test_an_image_model_priced_by_tokens_is_compared_at_their_image_rate() -> None:
    theirs = [
        {
            "id": "openai",
            "fallback": [],
            "models": [
                model(
                    "gpt-image-1.5",
                    {"equals": "gpt-image-1.5"},
                    None,
                    (None, {"input": 5.0, "output": 10.0}),  # 10: their text-output rate
                )
            ],
        }
    ]
    theirs[0]["models"][0]["prices"][0]["prices"]["image_output"] = 32.0
    image = ours("GptImage15", "openai", "gpt-image-1.5", input=5.0, output=32.0)
    image.image = True
    assert cc.compare([image], "9.9", theirs, TODAY).differences == []
    text = ours("GptImage15", "openai", "gpt-image-1.5", input=5.0, output=32.0)
    found = cc.compare([text], "9.9", theirs, TODAY).differences
    assert [(d.field, d.ours, d.theirs) for d in found] == [("output", 32.0, 10.0)]


def test_the_refresh_list_has_every_secondary_price_and_every_stale_one() -> None:
    today = date(2026, 12, 6)
    listed = {(r.constant, r.table): r for r in cc.refresh_list(today)}
    nova = listed[("NovaMicro", "pricing")]
    assert nova.reasons == [
        "secondary (all figures): pydantic/genai-prices prices/providers/aws.yml "
        "at 47df840a5ab1 of 2026-08-21"
    ]
    assert nova.source.startswith("https://github.com/pydantic/genai-prices/blob/47df840")
    path, line = nova.where.rsplit(":", 1)
    assert path == "specs/models/bedrock.yaml"
    assert "pricing:" in (ROOT / path).read_text().splitlines()[int(line) - 1]
    sonnet = listed[("ClaudeSonnet55", "pricing")]
    assert sonnet.reasons[0].startswith("secondary (cached_input): pydantic/genai-prices")
    assert ("GPT4o", "pricing") not in listed  # first-party, checked 2026-11-24
    # every price read from a secondary source is listed, whatever its date
    assert {c for c, _ in listed} >= {"NovaLite", "NovaPro", "NovaPremier", "GptImage2"}

    # 180 days after a check a price is not yet stale; a day later it is
    assert ("GPT4o", "pricing") not in {
        (r.constant, r.table) for r in cc.refresh_list(date(2027, 5, 23))
    }
    later = {(r.constant, r.table): r for r in cc.refresh_list(date(2027, 5, 24))}
    assert later[("GPT4o", "pricing")].reasons == ["checked 181 days ago"]
    image = {(r.constant, r.table): r for r in cc.refresh_list(date(2027, 6, 1))}
    assert image[("DallE2", "image_pricing")].checked == "2026-11-25"  # per-image prices too
    assert later[("NovaMicro", "pricing")].reasons == nova.reasons  # not 181 days old yet

    text = cc.render_refresh(list(listed.values()), today)
    assert text.startswith("to refresh: ")
    assert "more than 180 days before 2026-12-06" in text.splitlines()[0]
    assert any(
        row.startswith("NovaMicro ") and "secondary (all figures)" in row
        for row in text.splitlines()
    )


def test_our_figures_point_at_their_yaml_lines() -> None:
    entries = {(e.constant, e.provider): e for e in cc.ours()}
    mini = entries[("GPT4oMini", "openai")]
    assert mini.values["input"] == 0.15 and mini.values["context_window"] == 128000
    for name, where in mini.lines.items():
        path, line = where.rsplit(":", 1)
        text = (ROOT / path).read_text().splitlines()[int(line) - 1]
        assert ("pricing" in text) if name != "context_window" else ("context_window" in text)
    # Bedrock is looked up by the id modelwire sends: with the default inference profile
    assert entries[("Claude37Sonnet", "amazon_bedrock")].model_id.startswith("us.anthropic.")


def test_the_real_dataset_loads_as_plain_data() -> None:
    pytest.importorskip("genai_prices")
    version, theirs = cc.load_theirs()
    assert version and json.dumps(theirs)  # plain values only
    gpt4o = cc.find(theirs, "openai", "gpt-4o")
    assert gpt4o is not None and cc.current_prices(gpt4o, TODAY)["input"] is not None
    done = subprocess.run(
        [sys.executable, "-m", "devtools.catalog_check", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["counts"]["compared"] > 0
    assert report["counts"]["refresh"] == len(report["refresh"]) > 0
    assert {"constant", "table", "checked", "source", "reasons", "where"} <= set(
        report["refresh"][0]
    )
