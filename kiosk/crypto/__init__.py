"""Cryptographic primitives the terminal and the reference server share (stdlib only, no Kivy,
no kiosk imports), so that either program can use them without loading the other."""
