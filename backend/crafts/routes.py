"""HTTP routes of the brand's crafts."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from backend.core.types import Principal
from backend.crafts import service
from backend.crafts.schemas import CraftCreate, CraftList, CraftRead, CraftUpdate


class CraftController(Controller):
    tags = ("crafts",)

    @get("/crafts", summary="The brand's crafts, named in the caller's language")
    async def list_crafts(self, principal: NamedDependency[Principal]) -> CraftList:
        return CraftList(crafts=await service.list_crafts(principal))

    @post("/crafts", summary="Add a craft (admins)")
    async def create_craft(self, principal: NamedDependency[Principal], data: JSONBody[CraftCreate]) -> CraftRead:
        return await service.create_craft(principal, data)

    @patch("/crafts/{craft_id:int}", summary="Rename a craft in some languages, or retire it (admins)")
    async def update_craft(
        self, principal: NamedDependency[Principal], craft_id: FromPath[int], data: JSONBody[CraftUpdate]
    ) -> CraftRead:
        return await service.update_craft(principal, craft_id, data)
