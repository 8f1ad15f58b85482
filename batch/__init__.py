"""Bulk work on top of the core call path: provider batch jobs (`BatchClient`) — about half
price, results within a day — and a concurrent runner for live calls (`run`, `arun`) paced by
a `RateLimiter` that learns the providers' limits from their rate-limit headers.

    from modelwire.batch import BatchClient
    with BatchClient(endpoint) as batches:
        job = batches.submit(["Say hello", "Say goodbye"])
        job.wait(progress=print)
        for custom_id, result in job.results():
            ...  # an AIModelCallResponse priced at the batch rate, or a typed error

Results are the very responses a direct call gives. Each provider's batch API is described
in its spec (`batch:`), run by the registered flow the spec names.
"""

from __future__ import annotations

# each module registers its style (a BatchStyle subclass with its `name`)
from . import _anthropic as _anthropic
from . import _bedrock as _bedrock
from . import _gemini as _gemini
from . import _openai as _openai
from . import _vertex as _vertex
from ._client import BatchClient
from ._items import Call, CallLike, Result
from ._job import BatchJob
from ._limiter import RateLimiter
from ._runner import Progress, arun, run
from ._spec import BatchInfo, JobState
from ._style import BatchCounts, BatchStyle

__all__ = [
    "BatchClient",
    "BatchCounts",
    "BatchInfo",
    "BatchJob",
    "BatchStyle",
    "Call",
    "CallLike",
    "JobState",
    "Progress",
    "RateLimiter",
    "Result",
    "arun",
    "run",
]
