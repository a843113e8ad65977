"""Wire types of crafts."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from backend.core.types import CraftCode, LocaleTag, Name, Wire

CraftNames = Annotated[
    dict[LocaleTag, Name],
    msgspec.Meta(min_length=1, max_length=20, description='The craft\'s name per language, e.g. {"zh_Hans": "竹编"}.'),
]


class CraftCreate(Wire):
    code: CraftCode
    names: CraftNames


class CraftUpdate(Wire):
    names: CraftNames | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class CraftRead(Wire):
    id: int
    code: str
    name: str
    names: dict[str, str]
    active: bool


class CraftList(Wire):
    crafts: list[CraftRead]
