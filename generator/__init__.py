"""The modelwire generator: compiles specs/ into generated/. Dev-only; not shipped."""
