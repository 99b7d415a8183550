"""Make sure the Unicode font the receipts service prints PDFs with is installed.

Warranty receipts name products in any script; DejaVu Sans (Debian's
``fonts-dejavu-core``) prints them as they are. Missing, it is installed with apt-get
as root; otherwise the exact command is printed and the exit status is 1.

``python3 -m scripts.ensure_fonts`` (from the repository root; standard library only)
"""

import sys
from pathlib import Path

from scripts.system_packages import apt_install, can_install, install_command

PACKAGE = "fonts-dejavu-core"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def main() -> int:
    """Exit 0 once the font is on this machine."""
    if FONT.is_file():
        return 0
    if not can_install():
        print(
            f"error: receipts' PDFs need {PACKAGE}. Install with:\n\n    {install_command([PACKAGE])}\n",
            file=sys.stderr,
        )
        return 1
    apt_install([PACKAGE])
    return 0 if FONT.is_file() else 1


if __name__ == "__main__":
    sys.exit(main())
