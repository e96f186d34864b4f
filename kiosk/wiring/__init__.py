"""Building the terminal's concrete adapters (devices, backend) from its configuration."""
