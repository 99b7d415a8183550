"""Reference texts: what to do when a Plussa card is lost or damaged, in the programme's three languages."""

from dataclasses import dataclass
from typing import Literal

HelpLanguage = Literal["fi", "sv", "en"]


@dataclass(frozen=True)
class LostCardHelp:
    """Instructions for one language."""

    title: str
    steps: tuple[str, ...]


LOST_CARD_HELP: dict[str, LostCardHelp] = {
    "fi": LostCardHelp(
        title="Kadonnut tai vioittunut Plussa-kortti",
        steps=(
            "Jos korttisi on kadonnut tai varastettu, sulje se heti Oma Plussassa kohdassa Kortit. "
            "Suljettu kortti ei enää kerrytä eikä käytä Plussa-rahaa.",
            "Tilaa samalla uusi kortti. Uusi kortti saa uuden numeron, mutta se on samalla Plussa-tilillä, "
            "joten pisteet ja Plussa-raha säilyvät.",
            "Jos korttisi on vioittunut, tilaa uusi kortti syyllä 'vioittunut'. Vanha kortti toimii, "
            "kunnes aktivoit uuden kortin.",
            "Aktivoi uusi kortti Oma Plussassa, kun se saapuu postissa (noin kahdessa viikossa).",
            "Pääkortin haltija voi sulkea ja tilata kortit kaikille talouden jäsenille.",
        ),
    ),
    "sv": LostCardHelp(
        title="Borttappat eller skadat Plussa-kort",
        steps=(
            "Om ditt kort har kommit bort eller blivit stulet, spärra det genast i Oma Plussa under Kort. "
            "Ett spärrat kort samlar inte längre poäng och kan inte använda Plussa-pengar.",
            "Beställ samtidigt ett nytt kort. Det nya kortet får ett nytt nummer men hör till samma "
            "Plussa-konto, så poängen och Plussa-pengarna finns kvar.",
            "Om ditt kort är skadat, beställ ett nytt kort med orsaken 'skadat'. Det gamla kortet fungerar "
            "tills du aktiverar det nya.",
            "Aktivera det nya kortet i Oma Plussa när det kommer med posten (inom cirka två veckor).",
            "Huvudkortsinnehavaren kan spärra och beställa kort för alla i hushållet.",
        ),
    ),
    "en": LostCardHelp(
        title="Lost or damaged Plussa card",
        steps=(
            "If your card is lost or stolen, block it at once in Oma Plussa under Cards. "
            "A blocked card no longer earns points or spends Plussa money.",
            "Order a replacement at the same time. It has a new number but stays on the same Plussa "
            "account, so your points and Plussa money carry over.",
            "If your card is damaged, order a replacement with the reason 'damaged'. The old card works "
            "until you activate the new one.",
            "Activate the new card in Oma Plussa when it arrives by post (in about two weeks).",
            "The main card holder can block and order cards for everyone in the household.",
        ),
    ),
}
