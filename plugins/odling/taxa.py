"""Pollinators: the groups a crop feeds, and the species and groups a
volunteer can log, each with its scientific name and Darwin Core rank so an
export can go on to a species-observation portal (Artportalen, GBIF)."""

from __future__ import annotations

from dataclasses import dataclass

#: Pollinator groups a crop feeds: key -> Swedish name.
GROUPS: dict[str, str] = {
    "honungsbi": "Honungsbin",
    "humlor": "Humlor",
    "solitara-bin": "Solitära bin",
    "blomflugor": "Blomflugor",
    "fjarilar": "Fjärilar",
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
    Taxon("apis-mellifera", "Honungsbi", "Apis mellifera", "species", "honungsbi", "Apidae", "Hymenoptera"),
    Taxon("bombus", "Humlor (obestämd art)", "Bombus", "genus", "humlor", "Apidae", "Hymenoptera"),
    Taxon("bombus-terrestris", "Mörk jordhumla", "Bombus terrestris", "species", "humlor", "Apidae", "Hymenoptera"),
    Taxon("bombus-lapidarius", "Stenhumla", "Bombus lapidarius", "species", "humlor", "Apidae", "Hymenoptera"),
    Taxon("bombus-pascuorum", "Åkerhumla", "Bombus pascuorum", "species", "humlor", "Apidae", "Hymenoptera"),
    Taxon("bombus-hortorum", "Trädgårdshumla", "Bombus hortorum", "species", "humlor", "Apidae", "Hymenoptera"),
    Taxon("bombus-pratorum", "Ängshumla", "Bombus pratorum", "species", "humlor", "Apidae", "Hymenoptera"),
    Taxon("anthophila", "Vildbin (obestämd art)", "Anthophila", "unranked", "solitara-bin", "", "Hymenoptera"),
    Taxon("osmia-bicornis", "Rödmurarbi", "Osmia bicornis", "species", "solitara-bin", "Megachilidae", "Hymenoptera"),
    Taxon("andrena", "Sandbin", "Andrena", "genus", "solitara-bin", "Andrenidae", "Hymenoptera"),
    Taxon("megachile", "Tapetserarbin", "Megachile", "genus", "solitara-bin", "Megachilidae", "Hymenoptera"),
    Taxon("syrphidae", "Blomflugor (obestämd art)", "Syrphidae", "family", "blomflugor", "Syrphidae", "Diptera"),
    Taxon(
        "episyrphus-balteatus",
        "Flyttblomfluga",
        "Episyrphus balteatus",
        "species",
        "blomflugor",
        "Syrphidae",
        "Diptera",
    ),
    Taxon("eristalis-tenax", "Slamfluga", "Eristalis tenax", "species", "blomflugor", "Syrphidae", "Diptera"),
    Taxon("lepidoptera", "Fjärilar (obestämd art)", "Lepidoptera", "order", "fjarilar", "", "Lepidoptera"),
    Taxon("aglais-urticae", "Nässelfjäril", "Aglais urticae", "species", "fjarilar", "Nymphalidae", "Lepidoptera"),
    Taxon("aglais-io", "Påfågelöga", "Aglais io", "species", "fjarilar", "Nymphalidae", "Lepidoptera"),
    Taxon("pieris", "Vitfjärilar", "Pieris", "genus", "fjarilar", "Pieridae", "Lepidoptera"),
    Taxon("gonepteryx-rhamni", "Citronfjäril", "Gonepteryx rhamni", "species", "fjarilar", "Pieridae", "Lepidoptera"),
]

TAXA: dict[str, Taxon] = {t.key: t for t in TAXA_LIST}


def taxon_name(key: str) -> str:
    taxon = TAXA.get(key)
    return taxon.name_sv if taxon else key
