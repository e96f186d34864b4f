"""Domain types of the terminal: holders, certificates, receipts. Pure Python, no I/O."""
