pytest_plugins = ["plussa_shared.testing.plugin"]
