"""HTTP only: parse, call one use case, shape the answer."""
