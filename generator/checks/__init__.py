"""The checks of the specs, one module per spec kind, each collecting every error it finds
(`file:line: message`); build.compile_specs runs them all before lowering any protocol.

- grammar: each file against its kind's pydantic model (unknown keys, with did-you-mean)
- wire: each wire schema is a mapping with `$defs`
- tables: shared error tables, unique and shared; the protocols' names of them
- protocol: file name and wire file; each protocol's shape before it is lowered
- provider: enum, URL templates and params, served protocols, `for_models`
- catalog: constants, names and ids, limits, reasoning, options and prices of the models
"""
