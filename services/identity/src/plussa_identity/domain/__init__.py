"""Identity's rules: pure Python, no I/O; times and ids are passed in."""
