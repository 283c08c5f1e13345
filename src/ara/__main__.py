"""``python -m ara``: the ``ara`` command."""

import sys

from ara.cli import main

sys.exit(main())
