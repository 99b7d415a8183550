"""Installing the few Debian packages the stack needs, when this process may (root with
apt-get); otherwise saying exactly what to run. Standard library only."""

import os
import shutil
import subprocess


def can_install() -> bool:
    """Whether this process may install packages itself (root with apt-get)."""
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def install_command(packages: list[str]) -> str:
    """What a person runs to install ``packages``."""
    return f"sudo apt-get install {' '.join(packages)}"


def apt_install(packages: list[str]) -> None:
    """Install ``packages`` non-interactively (as root)."""
    print(f"Installing {' '.join(packages)} with apt-get", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdin=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        check=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
