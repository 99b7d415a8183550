"""Test support for every service: real MongoDB and RabbitMQ fixtures, test tokens,
and a bus probe. Registered as a pytest plugin by the repository's conftest."""
