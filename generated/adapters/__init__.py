# generated from specs/protocols/ — do not edit; run `python tasks.py generate`
"""Adapters, one module per protocol."""
