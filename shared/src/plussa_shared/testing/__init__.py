"""Test and development tooling, not part of the runtime library (the wheel leaves it out):
real MongoDB and RabbitMQ fixtures, the embedded ``mongod`` launcher that tests and
``make run`` use, test tokens and a bus probe. Registered as a pytest plugin by the
repository's conftest."""
