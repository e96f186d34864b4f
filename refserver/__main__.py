"""``python -m refserver``."""

import sys

from refserver.cli import main

sys.exit(main())
