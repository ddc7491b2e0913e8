"""The fixes: one module per code, each exporting its rule (code, name, tier, doc) and its logic.

`codes` names the codes; `registry` lists the modules in one place. This package's own import
is free, so start-up pays only for the fixes a run uses.
"""
