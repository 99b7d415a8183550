"""Developer tools: the dev stack, demo data, the AsyncAPI document. Run from the
repository root, e.g. ``.venv/bin/python -m scripts.run_local``."""
