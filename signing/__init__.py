"""Unsigned PDF -> sealed PDF: keys, seal profiles, PAdES signing and the trust settings.

Imports nothing else of ours.
"""
