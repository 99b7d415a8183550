"""The repository over identity's own collections."""

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from plussa_identity.domain.account import Account
from plussa_identity.domain.errors import ProfileChangedError
from plussa_identity.domain.login_session import LoginSession
from plussa_identity.domain.privacy import Answer, PrivacyRequest, Refusal, receipt_key
from plussa_identity.domain.throttle import ThrottleState
from plussa_identity.store.members import MEMBER_INDEXES, MemberProjection
from plussa_shared.mongo import Database, Document, Session
from plussa_shared.paging import keyset_page
from plussa_shared.privacy import ErasedHolders

ACCOUNTS = "accounts"
LINK_TOKENS = "link_tokens"
SESSIONS = "sessions"
SPENT_REFRESH = "spent_refresh_tokens"
THROTTLES = "throttles"
TRUSTED = "trusted_addresses"
CLIENTS = "clients"
PRIVACY = "privacy_requests"
SIGNING_KEYS = "signing_keys"

INDEXES: dict[str, Sequence[IndexModel]] = {
    **MEMBER_INDEXES,
    ACCOUNTS: [
        IndexModel([("email", ASCENDING)], unique=True, name="one_login_per_email"),
    ],
    LINK_TOKENS: [
        IndexModel([("person_id", ASCENDING), ("purpose", ASCENDING)]),
        IndexModel([("forget_at", ASCENDING)], expireAfterSeconds=0),
    ],
    SESSIONS: [
        IndexModel([("token_hash", ASCENDING)], unique=True),
        # the session list: a person's live sessions, newest first (keyset paging)
        IndexModel(
            [("person_id", ASCENDING), ("revoked_at", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)]
        ),
        IndexModel([("forget_at", ASCENDING)], expireAfterSeconds=0),
    ],
    SPENT_REFRESH: [IndexModel([("forget_at", ASCENDING)], expireAfterSeconds=0)],
    THROTTLES: [IndexModel([("forget_at", ASCENDING)], expireAfterSeconds=0)],
    TRUSTED: [IndexModel([("forget_at", ASCENDING)], expireAfterSeconds=0)],
    CLIENTS: [],
    PRIVACY: [IndexModel([("person_id", ASCENDING)])],
    SIGNING_KEYS: [
        IndexModel([("active", ASCENDING)], unique=True, partialFilterExpression={"active": True}, name="one_active"),
    ],
}


class IdentityStore(MemberProjection):
    """Loads and saves identity's documents, always within the caller's session."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.erased_holders = ErasedHolders(db)

    # accounts

    async def account(self, person_id: str, session: Session | None = None) -> Account | None:
        """The login of this person."""
        doc = await self.db[ACCOUNTS].find_one({"_id": person_id, "erased_at": None}, session=session)
        return _account(doc) if doc else None

    async def account_by_email(self, email: str, session: Session | None = None) -> Account | None:
        """The login with this e-mail address."""
        doc = await self.db[ACCOUNTS].find_one({"email": email, "erased_at": None}, session=session)
        return _account(doc) if doc else None

    async def person_has_account(self, person_id: str, session: Session) -> bool:
        """Whether the person has a login (an erased one counts: erasure is for good)."""
        return await self.db[ACCOUNTS].find_one({"_id": person_id}, {"_id": 1}, session=session) is not None

    async def insert_account(self, account: Account, session: Session) -> None:
        """Store a new login (unique e-mail and person enforced by the database)."""
        await self.db[ACCOUNTS].insert_one(_account_doc(account), session=session)

    async def save_account(self, account: Account, session: Session) -> Account:
        """Replace the login as it was loaded (at ``account.version``) with ``account`` at the next
        version; a login changed since it was loaded is refused, never silently overwritten."""
        saved = account.model_copy(update={"version": account.version + 1})
        loaded_at: Any = account.version if account.version else {"$in": [0, None]}
        result = await self.db[ACCOUNTS].replace_one(
            {"_id": account.person_id, "version": loaded_at}, _account_doc(saved), session=session
        )
        if result.matched_count == 0:
            raise ProfileChangedError("The login changed while this change was made; try again")
        return saved

    async def set_password_hash(self, person_id: str, password_hash: str, session: Session) -> None:
        """Store a password rehashed with the current parameters, touching nothing else."""
        await self.db[ACCOUNTS].update_one(
            {"_id": person_id}, {"$set": {"password_hash": password_hash}}, session=session
        )

    # e-mail link tokens

    async def add_link_token(self, doc: Document, session: Session) -> None:
        """Store a link token record (its hash only)."""
        await self.db[LINK_TOKENS].insert_one(doc, session=session)

    async def link_token(self, hashed: str, purpose: str, session: Session | None = None) -> Document | None:
        """The link token record with this hash and purpose."""
        return await self.db[LINK_TOKENS].find_one({"_id": hashed, "purpose": purpose}, session=session)

    async def use_link_token(self, hashed: str, now: datetime, session: Session) -> None:
        """Mark a link token used."""
        await self.db[LINK_TOKENS].update_one({"_id": hashed}, {"$set": {"used_at": now}}, session=session)

    async def void_link_tokens(self, person_id: str, purpose: str, now: datetime, session: Session) -> None:
        """Mark every unused link token of a person for ``purpose`` used (a newer one replaces them)."""
        await self.db[LINK_TOKENS].update_many(
            {"person_id": person_id, "purpose": purpose, "used_at": None}, {"$set": {"used_at": now}}, session=session
        )

    # sessions

    async def session_by_token(self, hashed: str, session: Session) -> LoginSession | None:
        """The session whose current refresh token has this hash."""
        doc = await self.db[SESSIONS].find_one({"token_hash": hashed}, session=session)
        return _login_session(doc) if doc else None

    async def session_by_spent_token(self, hashed: str, session: Session) -> LoginSession | None:
        """The session a spent refresh token with this hash belonged to."""
        spent = await self.db[SPENT_REFRESH].find_one({"_id": hashed}, session=session)
        if spent is None:
            return None
        return await self.login_session(spent["session_id"], session)

    async def login_session(self, session_id: str, session: Session | None = None) -> LoginSession | None:
        """A session by id."""
        doc = await self.db[SESSIONS].find_one({"_id": session_id}, session=session)
        return _login_session(doc) if doc else None

    async def save_session(self, login: LoginSession, session: Session, *, forget_at: datetime) -> None:
        """Insert or replace a session."""
        doc = {**_login_session_doc(login), "forget_at": forget_at}
        await self.db[SESSIONS].replace_one({"_id": login.session_id}, doc, upsert=True, session=session)

    async def spend_refresh_token(self, hashed: str, session_id: str, forget_at: datetime, session: Session) -> None:
        """Remember a used refresh token so that its reuse is recognised."""
        doc = {"_id": hashed, "session_id": session_id, "forget_at": forget_at}
        await self.db[SPENT_REFRESH].insert_one(doc, session=session)

    async def sessions_page(
        self, person_id: str, now: datetime, *, limit: int, cursor: str | None
    ) -> tuple[list[LoginSession], str | None]:
        """One page of the person's sessions that are neither ended nor expired, newest first."""
        where = {"person_id": person_id, "revoked_at": None, "expires_at": {"$gt": now}}
        found, next_cursor = await keyset_page(
            self.db[SESSIONS], where, sort_key="created_at", limit=limit, cursor=cursor
        )
        return [_login_session(doc) for doc in found], next_cursor

    async def active_sessions(
        self, person_id: str, now: datetime, session: Session | None = None
    ) -> list[LoginSession]:
        """The person's sessions that are neither ended nor expired, newest first."""
        cursor = (
            self.db[SESSIONS]
            .find({"person_id": person_id, "revoked_at": None, "expires_at": {"$gt": now}}, session=session)
            .sort("created_at", -1)
        )
        return [_login_session(doc) async for doc in cursor]

    async def revoke_sessions(
        self, person_id: str, now: datetime, reason: str, session: Session, *, keep: str | None = None
    ) -> list[LoginSession]:
        """End all the person's sessions but ``keep``; return those that ended now."""
        query: Document = {"person_id": person_id, "revoked_at": None}
        if keep is not None:
            query["_id"] = {"$ne": keep}
        ending = [_login_session(doc) async for doc in self.db[SESSIONS].find(query, session=session)]
        if not ending:
            return []
        await self.db[SESSIONS].update_many(
            {"_id": {"$in": [s.session_id for s in ending]}, "revoked_at": None},
            {"$set": {"revoked_at": now, "revoked_reason": reason}},
            session=session,
        )
        return [s.revoked(now, reason) for s in ending]

    # throttling

    async def throttle(self, key: str, session: Session | None = None) -> ThrottleState:
        """The failure streak of a key."""
        doc = await self.db[THROTTLES].find_one({"_id": key}, session=session)
        return _throttle(doc)

    async def start_check(self, key: str, now: datetime, lease_until: datetime) -> tuple[ThrottleState, int]:
        """Count one more check of ``key`` as running, in one atomic statement of its own (never
        in a transaction, so every concurrent check sees it at once); return the key's state and
        how many checks are running, this one included. Running checks whose lease has passed
        (their process died) are no longer counted."""
        still_running = {"$cond": [{"$gt": ["$lease_until", now]}, {"$ifNull": ["$running", 0]}, 0]}
        doc = await self.db[THROTTLES].find_one_and_update(
            {"_id": key},
            [
                {
                    "$set": {
                        "running": {"$add": [still_running, 1]},
                        "lease_until": lease_until,
                        "forget_at": {"$max": ["$forget_at", lease_until]},
                    }
                }
            ],
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:  # an upsert returning the document after it always finds one
            raise RuntimeError(f"throttle {key} was not counted")
        return _throttle(doc), int(doc["running"])

    async def end_check(self, key: str) -> None:
        """One running check of ``key`` has ended."""
        await self.db[THROTTLES].update_one(
            {"_id": key}, [{"$set": {"running": {"$max": [0, {"$subtract": [{"$ifNull": ["$running", 0]}, 1]}]}}}]
        )

    async def save_throttle(self, key: str, state: ThrottleState, forget_at: datetime | None, session: Session) -> None:
        """Store a failure streak; MongoDB forgets it at ``forget_at`` (the running checks' count is
        left as it is)."""
        doc = {
            "failures": state.failures,
            "last_failure_at": state.last_failure_at,
            "locked_until": state.locked_until,
        }
        update: Document = {"$set": doc}
        if forget_at is not None:
            update["$max"] = {"forget_at": forget_at}
        await self.db[THROTTLES].update_one({"_id": key}, update, upsert=True, session=session)

    async def clear_throttle(self, key: str, session: Session) -> None:
        """Forget a key's failure streak (checks still running stay counted)."""
        await self.db[THROTTLES].update_one(
            {"_id": key},
            {"$set": {"failures": 0, "last_failure_at": None, "locked_until": None}},
            session=session,
        )

    async def trust_address(self, person_id: str, address: str, forget_at: datetime, session: Session) -> None:
        """Remember that this person logged in from ``address``."""
        await self.db[TRUSTED].update_one(
            {"_id": f"{person_id}|{address}"}, {"$set": {"forget_at": forget_at}}, upsert=True, session=session
        )

    async def is_trusted_address(self, person_id: str, address: str, now: datetime) -> bool:
        """Whether this person logged in from ``address`` lately."""
        doc = await self.db[TRUSTED].find_one({"_id": f"{person_id}|{address}", "forget_at": {"$gt": now}})
        return doc is not None

    # service clients

    async def client(self, client_id: str, session: Session | None = None) -> Document | None:
        """A service or operator client."""
        return await self.db[CLIENTS].find_one({"_id": client_id}, session=session)

    async def insert_client(self, doc: Document, session: Session) -> None:
        """Store a new client (duplicate ids refused by the database)."""
        await self.db[CLIENTS].insert_one(doc, session=session)

    async def replace_client_secret(self, client_id: str, fields: Document, session: Session) -> Document | None:
        """Set a new secret hash and scopes of an existing client."""
        return await self.db[CLIENTS].find_one_and_update(
            {"_id": client_id}, {"$set": fields}, return_document=ReturnDocument.AFTER, session=session
        )

    async def update_client_hash(self, client_id: str, secret_hash: str, session: Session) -> None:
        """Store a secret rehashed with the current parameters."""
        await self.db[CLIENTS].update_one({"_id": client_id}, {"$set": {"secret_hash": secret_hash}}, session=session)

    # privacy requests

    async def privacy_request(self, request_id: str, session: Session | None = None) -> PrivacyRequest | None:
        """An export or erasure request."""
        doc = await self.db[PRIVACY].find_one({"_id": request_id}, session=session)
        return _privacy(doc) if doc else None

    async def save_privacy_request(self, request: PrivacyRequest, session: Session) -> None:
        """Insert or replace a request."""
        await self.db[PRIVACY].replace_one(
            {"_id": request.request_id}, _privacy_doc(request), upsert=True, session=session
        )

    async def drop_export_data(self, person_id: str, session: Session) -> None:
        """Remove the data of the person's exports (at erasure), and keep their requests as
        receipts under the digest of their id (``receipt_key``), without the household."""
        await self.db[PRIVACY].update_many(
            {"person_id": person_id, "kind": "export"}, {"$set": {"answers": {}, "erased": True}}, session=session
        )
        await self.db[PRIVACY].update_many(
            {"person_id": person_id},
            {"$set": {"person_id": receipt_key(person_id), "household_id": None}},
            session=session,
        )

    async def forget_login(self, person_id: str, session: Session) -> None:
        """Delete the erased person's login, sessions (their ends already published), link
        tokens and trusted addresses."""
        await self.db[ACCOUNTS].delete_one({"_id": person_id}, session=session)
        await self.db[SESSIONS].delete_many({"person_id": person_id}, session=session)
        await self.db[LINK_TOKENS].delete_many({"person_id": person_id}, session=session)
        await self.db[TRUSTED].delete_many({"_id": {"$regex": f"^{re.escape(person_id)}\\|"}}, session=session)

    # signing keys

    async def active_signing_key(self) -> Document | None:
        """The key that signs now, with its encrypted private half."""
        return await self.db[SIGNING_KEYS].find_one({"active": True})

    async def published_signing_keys(self, retired_after: datetime) -> list[Document]:
        """The public JWKs of the active key and of keys retired after ``retired_after``, newest first."""
        cursor = (
            self.db[SIGNING_KEYS]
            .find({"$or": [{"active": True}, {"retired_at": {"$gt": retired_after}}]}, {"public_jwk": 1})
            .sort("created_at", -1)
        )
        return [doc["public_jwk"] async for doc in cursor]

    async def add_first_signing_key(self, document: Document) -> None:
        """Store the first key (a replica that lost the race gets the unique index's DuplicateKeyError)."""
        await self.db[SIGNING_KEYS].insert_one(document)

    async def replace_active_signing_key(self, document: Document, now: datetime, session: Session) -> None:
        """Retire the active key at ``now`` and make ``document`` the one that signs."""
        await self.db[SIGNING_KEYS].update_many(
            {"active": True}, {"$set": {"active": False, "retired_at": now}}, session=session
        )
        await self.db[SIGNING_KEYS].insert_one(document, session=session)


def _throttle(doc: Document | None) -> ThrottleState:
    if doc is None:
        return ThrottleState()
    return ThrottleState(doc.get("failures", 0), doc.get("last_failure_at"), doc.get("locked_until"))


def _account(doc: Document) -> Account:
    return Account.model_validate({**doc, "person_id": doc["_id"], "version": doc.get("version") or 0})


def _account_doc(account: Account) -> Document:
    return {"_id": account.person_id, **account.model_dump(exclude={"person_id"})}


def _login_session(doc: Document) -> LoginSession:
    fields = {k: v for k, v in doc.items() if k not in ("_id", "forget_at")}
    return LoginSession(session_id=doc["_id"], **fields)


def _login_session_doc(login: LoginSession) -> Document:
    doc = dict(login.__dict__)
    doc["_id"] = doc.pop("session_id")
    return doc


def _privacy(doc: Document) -> PrivacyRequest:
    answers = {
        service: Answer(service, answer["answered_at"], answer.get("data"))
        for service, answer in doc.get("answers", {}).items()
    }
    return PrivacyRequest(
        request_id=doc["_id"],
        kind=doc["kind"],
        person_id=doc["person_id"],
        household_id=doc.get("household_id"),
        requested_at=doc["requested_at"],
        participants=tuple(doc["participants"]),
        answers=answers,
        completed_at=doc.get("completed_at"),
        close_household=bool(doc.get("close_household")),
        household_alone=bool(doc.get("household_alone")),
        refusal=Refusal(**refusal) if (refusal := doc.get("refusal")) else None,
    )


def _privacy_doc(request: PrivacyRequest) -> Document:
    return {
        "_id": request.request_id,
        "kind": request.kind,
        "person_id": request.person_id,
        "household_id": request.household_id,
        "requested_at": request.requested_at,
        "participants": list(request.participants),
        "answers": {s: {"answered_at": a.answered_at, "data": a.data} for s, a in request.answers.items()},
        "completed_at": request.completed_at,
        "close_household": request.close_household,
        "household_alone": request.household_alone,
        "refusal": vars(request.refusal) if request.refusal else None,
    }
