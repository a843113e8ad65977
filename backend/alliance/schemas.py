"""Wire types of alliances."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import msgspec

from backend.core.types import Place, Title, Wire

Slug = Annotated[
    str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", description="2-63 lowercase letters, digits or dashes.")
]


class AllianceCreate(Wire):
    slug: Slug
    name: Title
    region: Place = ""


class BrandInvite(Wire):
    brand_slug: Slug


class MemberStatus(StrEnum):
    INVITED = "invited"
    JOINED = "joined"


class AllianceBrandRead(Wire):
    name: str
    slug: str
    status: MemberStatus


class AllianceRead(Wire):
    id: int
    slug: str
    name: str
    region: str
    status: MemberStatus  # the caller's brand's
    brands: list[AllianceBrandRead]


class CountyFigures(Wire):
    """One county's figures over the alliance's brands. Where fewer than ``MIN_PEOPLE`` artisans
    are counted, pieces and income are left out (null): a sum over one or two people is their pay."""

    province: str
    county: str
    artisans: int
    villages: int
    pieces: int | None
    income_fen: int | None


class AllianceFigures(Wire):
    counties: list[CountyFigures]
    min_people: int


class RegistryVillage(Wire):
    name: str
    county: str
    province: str


class RegistryCraft(Wire):
    code: str
    name: str


class Registry(Wire):
    """The villages and crafts the alliance's brands know, without saying whose."""

    villages: list[RegistryVillage]
    crafts: list[RegistryCraft]
