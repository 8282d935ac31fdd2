"""Pollinators: the groups a crop feeds, and the species and groups a
volunteer can log, each with its scientific name and Darwin Core rank so an
export can go on to a species-observation portal (Artportalen, GBIF)."""

from __future__ import annotations

from dataclasses import dataclass

from core.api import N_
from core.api import gettext as _

#: Pollinator groups a crop feeds: key -> Swedish name (translated where shown).
GROUPS: dict[str, str] = {
    "honungsbi": N_("Honungsbin"),
    "humlor": N_("Humlor"),
    "solitara-bin": N_("Solitära bin"),
    "blomflugor": N_("Blomflugor"),
    "fjarilar": N_("Fjärilar"),
}


@dataclass(frozen=True)
class Taxon:
    key: str
    name_sv: str
    scientific_name: str
    rank: str  # Darwin Core taxonRank
    group: str  # a key in GROUPS
    family: str = ""
    order: str = ""


TAXA_LIST: list[Taxon] = [
    Taxon("apis-mellifera", N_("Honungsbi"), "Apis mellifera", "species", "honungsbi", "Apidae", "Hymenoptera"),
    Taxon("bombus", N_("Humlor (obestämd art)"), "Bombus", "genus", "humlor", "Apidae", "Hymenoptera"),
    Taxon("bombus-terrestris", N_("Mörk jordhumla"), "Bombus terrestris", "species", "humlor", "Apidae", "Hymenoptera"),
    Taxon("bombus-lapidarius", N_("Stenhumla"), "Bombus lapidarius", "species", "humlor", "Apidae", "Hymenoptera"),
    Taxon("bombus-pascuorum", N_("Åkerhumla"), "Bombus pascuorum", "species", "humlor", "Apidae", "Hymenoptera"),
    Taxon("bombus-hortorum", N_("Trädgårdshumla"), "Bombus hortorum", "species", "humlor", "Apidae", "Hymenoptera"),
    Taxon("bombus-pratorum", N_("Ängshumla"), "Bombus pratorum", "species", "humlor", "Apidae", "Hymenoptera"),
    Taxon("anthophila", N_("Vildbin (obestämd art)"), "Anthophila", "unranked", "solitara-bin", "", "Hymenoptera"),
    Taxon(
        "osmia-bicornis", N_("Rödmurarbi"), "Osmia bicornis", "species", "solitara-bin", "Megachilidae", "Hymenoptera"
    ),
    Taxon("andrena", N_("Sandbin"), "Andrena", "genus", "solitara-bin", "Andrenidae", "Hymenoptera"),
    Taxon("megachile", N_("Tapetserarbin"), "Megachile", "genus", "solitara-bin", "Megachilidae", "Hymenoptera"),
    Taxon("syrphidae", N_("Blomflugor (obestämd art)"), "Syrphidae", "family", "blomflugor", "Syrphidae", "Diptera"),
    Taxon(
        "episyrphus-balteatus",
        N_("Flyttblomfluga"),
        "Episyrphus balteatus",
        "species",
        "blomflugor",
        "Syrphidae",
        "Diptera",
    ),
    Taxon("eristalis-tenax", N_("Slamfluga"), "Eristalis tenax", "species", "blomflugor", "Syrphidae", "Diptera"),
    Taxon("lepidoptera", N_("Fjärilar (obestämd art)"), "Lepidoptera", "order", "fjarilar", "", "Lepidoptera"),
    Taxon("aglais-urticae", N_("Nässelfjäril"), "Aglais urticae", "species", "fjarilar", "Nymphalidae", "Lepidoptera"),
    Taxon("aglais-io", N_("Påfågelöga"), "Aglais io", "species", "fjarilar", "Nymphalidae", "Lepidoptera"),
    Taxon("pieris", N_("Vitfjärilar"), "Pieris", "genus", "fjarilar", "Pieridae", "Lepidoptera"),
    Taxon(
        "gonepteryx-rhamni", N_("Citronfjäril"), "Gonepteryx rhamni", "species", "fjarilar", "Pieridae", "Lepidoptera"
    ),
]

TAXA: dict[str, Taxon] = {t.key: t for t in TAXA_LIST}


def taxon_name(key: str) -> str:
    """A species or group by its common name in the request's language.
    The Darwin Core export keeps ``name_sv`` (Swedish portals read it)."""
    taxon = TAXA.get(key)
    return _(taxon.name_sv) if taxon else key
