# generated from specs/wire/ — do not edit; run `python tasks.py generate`
"""Wire models, one module per protocol."""
