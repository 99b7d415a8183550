"""Plumbing shared by the Plussa services.

Nothing here knows a business rule: settings, logging, the event envelope, MongoDB
helpers, the transactional outbox, the consumer, HTTP errors and routing, auth,
health and metrics.
"""
