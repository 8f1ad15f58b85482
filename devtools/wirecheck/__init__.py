"""`python tasks.py wire-check`: has a provider changed its API under our specs?

`worker.py` runs in `.venv-wirecheck` (the pinned SDKs and botocore, made by `refvenv.py`)
and dumps the providers' type definitions as JSON Schema; `compare.py` runs in `.venv` and
compares them with specs/wire and specs/protocols, as `references.py`'s tables pair them.
"""
