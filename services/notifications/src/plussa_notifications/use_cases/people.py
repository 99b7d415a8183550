"""What the service learns of people from identity's and cards' events: address, language, name."""

from plussa_notifications.context import NotificationsContext
from plussa_notifications.events.consumed import (
    CustomerRegistered,
    EmailVerified,
    HouseholdCreated,
    MemberAdded,
    MemberRenamed,
    ProfileUpdated,
)
from plussa_shared.context import UnitOfWork


async def customer_registered(ctx: NotificationsContext, data: CustomerRegistered) -> None:
    """A new login: its address waits for verification; mail goes nowhere until then."""

    async def work(uow: UnitOfWork) -> None:
        known = await ctx.store.person(data.person_id, uow.session)
        fields: dict[str, object] = {"language": data.language}
        if data.household_id:
            fields["household_id"] = data.household_id
        if known is None or not known.email_verified:
            fields.update(email=data.email, email_verified=False)
        await ctx.store.update_person(data.person_id, fields, uow.session)

    await ctx.run(work)


async def email_verified(ctx: NotificationsContext, data: EmailVerified) -> None:
    """The person proved the address: mail may go there from now on."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.update_person(data.person_id, {"email": data.email, "email_verified": True}, uow.session)

    await ctx.run(work)


async def profile_updated(ctx: NotificationsContext, data: ProfileUpdated) -> None:
    """The language mail is written in (identity owns it)."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.update_person(data.person_id, {"language": data.language}, uow.session)

    await ctx.run(work)


async def household_created(ctx: NotificationsContext, data: HouseholdCreated) -> None:
    """Household mail (Plussa money, donations) goes to the main holder."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.set_main_holder(data.household_id, data.main_person_id, uow.session)

    await ctx.run(work)


async def member_added(ctx: NotificationsContext, data: MemberAdded) -> None:
    """A household member and the first name mail greets them with (cards owns names)."""

    async def work(uow: UnitOfWork) -> None:
        fields: dict[str, object] = {"household_id": data.household_id, "first_name": data.first_name}
        await ctx.store.update_person(data.person_id, fields, uow.session)
        if data.role == "main":
            await ctx.store.set_main_holder(data.household_id, data.person_id, uow.session)

    await ctx.run(work)


async def member_renamed(ctx: NotificationsContext, data: MemberRenamed) -> None:
    """A new first name to greet the person with."""

    async def work(uow: UnitOfWork) -> None:
        await ctx.store.update_person(data.person_id, {"first_name": data.first_name}, uow.session)

    await ctx.run(work)
