# generated from specs/ — do not edit; run `python tasks.py generate`
"""Code compiled from specs/ by generator/."""
