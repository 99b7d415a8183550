"""What the notifications service publishes (``published``) and its copies of what it reads (``consumed``)."""
