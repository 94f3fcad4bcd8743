"""Sealed PDF or token -> verdict. May import the registry and signing's trust settings."""
