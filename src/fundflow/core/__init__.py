"""Pure calculation core: exact money, named rounding, allocation methods and explanations.

Nothing in this package imports Django, reads files or knows about users; every function is a pure
transformation of frozen dataclasses, so the rules can be unit- and property-tested in isolation.
"""
