"""Purchases as remembered here, and the redemptions they earned."""

from datetime import datetime

from pymongo import UpdateOne

from plussa_benefits.domain.purchases import Purchase
from plussa_benefits.domain.wallet import Redemption
from plussa_benefits.store import mappers as m
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.paging import keyset_page


class Ledger:
    """The ``purchases`` and ``redemptions`` collections."""

    def __init__(self, db: Database) -> None:
        self.purchases = db["purchases"]
        self.redemptions = db["redemptions"]

    async def claim(self, purchases: list[Purchase], s: Session) -> set[str]:
        """Remember purchases; the ids of those not applied before (one write, no read)."""
        if not purchases:
            return set()
        ops = [UpdateOne({"_id": p.purchase_id}, {"$setOnInsert": m.purchase_doc(p)}, upsert=True) for p in purchases]
        result = await self.purchases.bulk_write(ops, ordered=False, session=s)
        return {purchases[index].purchase_id for index in result.upserted_ids or {}}

    async def purchase(self, purchase_id: str, s: Session) -> tuple[Purchase, set[str]] | None:
        """A remembered purchase and the returns already applied to it."""
        doc = await self.purchases.find_one({"_id": purchase_id}, session=s)
        return (m.purchase_from(doc), set(doc.get("returns", []))) if doc else None

    async def note_return(self, purchase_id: str, return_id: str, s: Session) -> None:
        """Record that a return was applied, so a second delivery of it changes nothing."""
        await self.purchases.update_one({"_id": purchase_id}, {"$addToSet": {"returns": return_id}}, session=s)

    async def add_redemptions(self, redemptions: list[tuple[Redemption, str]], s: Session) -> None:
        """Store new redemptions with their offer's issuer."""
        if redemptions:
            docs = [m.redemption_doc(r, issuer) for r, issuer in redemptions]
            await self.redemptions.insert_many(docs, ordered=False, session=s)

    async def redemptions_of_purchase(self, purchase_id: str, s: Session) -> list[Redemption]:
        """A purchase's redemptions as they stand."""
        return [m.redemption_from(doc) async for doc in self.redemptions.find({"purchase_id": purchase_id}, session=s)]

    async def reverse(self, redemption_id: str, amount: int, return_id: str, at: datetime, s: Session) -> None:
        """Take ``amount`` off a redemption because of a return."""
        await self.redemptions.update_one(
            {"_id": redemption_id},
            {
                "$inc": {"reversed": amount},
                "$push": {"reversals": {"return_id": return_id, "amount": amount, "at": at}},
            },
            session=s,
        )

    async def redemptions_of_person(
        self, person_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Document], str | None]:
        """A page of a person's redemptions, newest first."""
        return await keyset_page(
            self.redemptions, {"person_id": person_id}, sort_key="occurred_at", limit=limit, cursor=cursor
        )
