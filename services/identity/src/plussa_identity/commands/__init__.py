"""Identity's command-line jobs: ``python -m plussa_identity.commands.<job>``."""
