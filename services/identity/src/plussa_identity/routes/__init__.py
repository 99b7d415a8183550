"""Thin HTTP handlers of the identity service, one file per resource."""
