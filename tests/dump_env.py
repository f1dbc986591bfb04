"""Run by the shells under test: writes this process's environment as JSON to the path given."""

import json
import os
import sys

with open(sys.argv[1], "w", encoding="utf-8", errors="surrogateescape") as out:
    json.dump(dict(os.environ.items()), out, ensure_ascii=True)
