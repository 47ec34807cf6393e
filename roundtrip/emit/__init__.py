"""Emitters: pure functions from the IR to target artifacts. No I/O, no clock, no randomness."""
