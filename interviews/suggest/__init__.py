"""Code suggestions, pure: rules, sentence units, the learned model, metrics.

Nothing here imports Django or the models (tests/test_pure_packages.py): the
services feed plain tuples in and store what comes out.
"""
