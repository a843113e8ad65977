"""Generated requests from the OpenAPI description, valid and not: never a server error.

Schemathesis draws bodies, query strings and path ids for every operation (data that fits
the schema, and data that does not), sends them to a real server process over HTTP, and
checks that nothing answers 5xx. Each operation is called by someone whose role it is
for, so requests get past the role check into the services.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from backend.app import create_app
from backend.core.types import Role
from tests import support
from tests.support import Person

SCHEMA = schemathesis.openapi.from_dict(create_app(run_worker=False).openapi_schema.to_schema())
OPERATIONS = {f"{op.method.upper()} {op.path}": op for op in (r.ok() for r in SCHEMA.get_all_operations())}
ARTISAN_PARTS = ("/accept", "/decline", "/submissions", "/confirm", "/dispute", "/api/v1/photos", "/api/v1/jobs")


@pytest.fixture(scope="module")
def people(two_servers: list[str]) -> dict[str, Person]:
    async def build() -> dict[str, Person]:
        brand = await support.brand()
        # Signing out revokes the token used: give that operation a person of its own.
        leaver = await support.person(brand.id, Role.COORDINATOR)
        return {"coordinator": brand.coordinator, "artisan": await support.artisan(brand), "leaver": leaver}

    return asyncio.get_event_loop().run_until_complete(build())


def _caller(label: str, people: dict[str, Person]) -> Person:
    if label == "DELETE /api/v1/auth/token":
        return people["leaver"]
    staff = label.endswith(("/payout", "/review", "/withdraw")) or label.startswith("GET /api/v1/submissions")
    artisans = any(part in label for part in ARTISAN_PARTS) and not staff
    return people["artisan"] if artisans else people["coordinator"]


@pytest.mark.slow
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_generated_request_gets_a_server_error(
    label: str, people: dict[str, Person], two_servers: list[str]
) -> None:
    operation = OPERATIONS[label]
    headers = _caller(label, people).auth
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @given(case=cases)
    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    def call(case: Any) -> None:
        response = case.call(base_url=two_servers[0], headers=headers, timeout=30)
        assert response.status_code < 500, f"{label}: {response.status_code} {response.text[:300]}"

    call()
