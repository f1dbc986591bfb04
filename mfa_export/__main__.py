import sys

from mfa_export.cli import main

sys.exit(main())
