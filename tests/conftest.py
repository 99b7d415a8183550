"""Repository-wide tests: the dev stack, the deployment files, the AsyncAPI document."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The tests drive the developer tools in scripts/, a package of the repository root.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
