import sys

from qbo_sync.cli import main

sys.exit(main())
