# generated from specs/models/ — do not edit; run `python tasks.py generate`
"""The foundation-model catalog, compiled from specs/models/: one constant per model."""

from __future__ import annotations

from modelwire._catalog import AIModel, OptionSpec, Pricing, ReasoningControls

GPT4o = AIModel(
    constant="GPT4o",
    model_name="gpt-4o",
    display_name="GPT-4o",
    kind="chat",
    creator="openai",
    ids={"openai": "gpt-4o"},
    context_window=128000,
    max_output_tokens=16384,
    capabilities=frozenset(
        (
            "image_input",
            "prompt_caching",
            "streaming",
            "structured_output",
            "text_input",
            "text_output",
            "tools",
        )
    ),
    pricing=Pricing(
        input=2.5,
        output=10.0,
        cached_input=1.25,
        cache_write=None,
        reasoning=None,
        source="https://platform.openai.com/docs/models/gpt-4o",
        checked="2026-11-24",
    ),
    unsupported_params=(),
    release_date="2024-05-13",
    deprecation_date=None,
)

ALL_MODELS: tuple[AIModel, ...] = (GPT4o,)

__all__ = ["GPT4o", "ALL_MODELS"]
