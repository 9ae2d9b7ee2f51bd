"""REFI-QDA exchange: projects (.qdpx) and codebooks (.qdc). No Django here.

read.py parses (safely) into the dataclasses of model.py, write.py streams
them out, validate.py checks XML against the standard's schemas.
"""
