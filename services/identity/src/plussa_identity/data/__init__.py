"""Files the identity service ships with."""
