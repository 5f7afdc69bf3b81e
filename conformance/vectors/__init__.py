"""Language-neutral test vectors: schema vectors (``schema/``) and budget vectors (``budget/``).

Each kind has its published JSON Schema beside its folder; :mod:`conformance.vectorsets`
loads and checks them.
"""
