"""Pure text helpers for transcripts: normalising, decoding, speakers, offsets.

Nothing here imports Django; tests/test_pure_packages.py keeps it that way.
"""
