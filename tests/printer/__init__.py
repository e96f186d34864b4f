"""Receipt printing tests: real TCP sockets, a private cupsd, the ESC/POS stream decoded back."""
