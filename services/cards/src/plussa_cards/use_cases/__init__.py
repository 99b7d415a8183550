"""The cards service's use cases, one module per area; each function takes the context and
runs in one transaction, whether a route, a subscription or a command calls it.

- ``applications``: joining Plussa
- ``household``: parallel holders and their right to the Plussa money
- ``cards``: blocking, replacing (lost or damaged) and activating a card
- ``mobile_cards``: a card number for the phone app
- ``temporary_cards``: cards handed over in a store, linking and expiry
- ``payment_cards``: K-Plussa MasterCards linked and blocked by the issuing bank
- ``privacy``: what is held about a person, and erasing it
- ``read_models``: building the household read model for households that have none

Read-only queries (the household, my cards, a till's look-up) are in ``plussa_cards.views``.
"""
