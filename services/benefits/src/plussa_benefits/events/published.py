"""What the benefits service publishes (none yet); each class names its ``event_type``."""
