"""The benchmark harness of issue 11: `python tasks.py bench` (or `python -m devtools.bench`).

A loopback server process (`server`) serves OpenAI- and Anthropic-shaped payloads; every
measurement runs in a fresh worker process (`worker`) for one contender (`contenders`); the
runner (`run`) interleaves rounds, takes medians and writes the report (`report`).
"""
