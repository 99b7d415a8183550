"""The events identity publishes (``published``) and its own copies of those it consumes (``consumed``)."""
