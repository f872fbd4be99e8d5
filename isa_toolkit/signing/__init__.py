"""Signatures: the register's signing identity, packs sent to signatories, returns checked and recorded.

It sits above the documents (it sends what they render) and below the command line.
"""
