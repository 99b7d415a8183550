"""What the cards service reads: only identity's export and erasure requests, typed by
``plussa_shared.privacy.PrivacyRequested`` and answered through the privacy participant
(see ``subscriptions.py``)."""
