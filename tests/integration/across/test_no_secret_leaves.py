"""No secret leaves (issue 22): the whole loop driven as every role, and no answer to anyone
carries a live sign-in code, or a token to anyone but the person it was issued to; nor does
any row at rest that people read (messages, audit, exactly-once records).

Every GET route of the OpenAPI document is asked by every role, so a new route is swept too:
the test fails while a route's path parameter has no value here.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

from backend.core.china_time import china_today
from backend.core.types import Role
from backend.db.session import run
from backend.gateways import ConsoleGateway
from tests import support
from tests.support import Person, ok

API = "/api/v1"
ADDRESS = "198.51.100.91"  # its own allowance of sign-in codes


@dataclass
class Secrets:
    codes: set[str] = field(default_factory=set)
    tokens: dict[str, str] = field(default_factory=dict)  # token → whose (a person's label)

    def leaked_in(self, text: str, reader: str) -> list[str]:
        """The secrets ``text`` shows to ``reader``: any code; any token not the reader's own."""
        found = [f"code {code}" for code in self.codes if _bounded(code).search(text)]
        found += [f"{owner}'s token" for token, owner in self.tokens.items() if token in text and owner != reader]
        return found


def _bounded(code: str) -> re.Pattern[str]:
    """A code as a code is written (not six digits inside a longer number, a hex tag or a time)."""
    return re.compile(rf"(?<![A-Za-z0-9.:_-]){code}(?![A-Za-z0-9])")


async def _queued_codes(phones: list[str]) -> list[str]:
    """The digits of the codes to these phones not sent yet, oldest first (the test reads them
    as only the sender may)."""
    marks = ", ".join("{}" for _ in phones)
    rows = await run(
        f"SELECT variables FROM outbox_message WHERE kind = 'otp' AND variables != {{}} AND to_phone IN ({marks}) "  # noqa: S608
        "ORDER BY id",
        "{}",
        *phones,
    )
    return [json.loads(row["variables"])["code"] for row in rows]


async def _sign_in(client: httpx.AsyncClient, person: Person, secrets: Secrets, label: str) -> None:
    await ok(await client.post(f"{API}/auth/otp", json={"phone": person.phone}), 202)
    [code] = await _queued_codes([person.phone])
    secrets.codes.add(code)
    signed = await ok(await client.post(f"{API}/auth/token", json={"phone": person.phone, "code": code}))
    person.token = signed["token"]
    secrets.tokens[signed["token"]] = label


def _texts(response: httpx.Response) -> Iterator[str]:
    """What a person could read in an answer: its headers, its text, the sheets of an XLSX."""
    yield "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    kind = response.headers.get("content-type", "")
    if kind.startswith("image/"):
        return
    if response.content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(response.content)) as sheet:
            yield from (sheet.read(name).decode("utf-8", "replace") for name in sheet.namelist())
        return
    yield response.content.decode("utf-8", "replace")


async def test_no_answer_and_no_readable_row_carries_a_live_code_or_anothers_token(client: httpx.AsyncClient) -> None:
    brand, other = await support.brand(), await support.brand()
    village = brand.villages[0]
    people = {
        "admin": await support.person(brand.id, Role.ADMIN),
        "coordinator": brand.coordinator,
        "leader": await support.person(brand.id, Role.LEADER, village_id=village),
        "artisan": await support.artisan(brand),
        "villager": await support.artisan(brand, sms_only=True),
        "other": other.coordinator,
    }
    secrets = Secrets()
    answers: list[tuple[str, httpx.Response]] = []  # (reader, answer) of everything done below
    async with support.client_from(client, ADDRESS) as app:
        for label, person in people.items():
            await _sign_in(app, person, secrets, label)
        phones = [person.phone for person in people.values()]
        for person in people.values():  # codes asked for and never used: live ones
            await ok(await app.post(f"{API}/auth/otp", json={"phone": person.phone}), 202)
        secrets.codes |= set(await _queued_codes(phones))
        ids = await _drive_the_loop(app, brand, people, answers)
        await support.drain(ConsoleGateway())  # some codes sent (their digits wiped), others queued after
        for person in people.values():
            await ok(await app.post(f"{API}/auth/otp", json={"phone": person.phone}), 202)
        secrets.codes |= set(await _queued_codes(phones))

        for label, person in people.items():
            for url in _every_get(app, ids, phones):
                answers.append((label, await app.get(url, headers=person.auth)))

    leaks = [
        (reader, str(answer.request.url), found)
        for reader, answer in answers
        for text in _texts(answer)
        if (found := secrets.leaked_in(text, reader))
    ]
    assert not leaks, leaks
    assert len(answers) > 150
    assert len(secrets.codes) == 3 * len(people)
    for table, column in (("outbox_message", "body"), ("audit_event", "detail"), ("idempotency_record", "body")):
        rows = await run(f"SELECT {column} AS text FROM {table}")  # noqa: S608 - our own names
        at_rest = "\n".join(str(row["text"]) for row in rows)
        assert not secrets.leaked_in(at_rest, reader="nobody"), table


async def _drive_the_loop(
    app: httpx.AsyncClient, brand: support.Brand, people: dict[str, Person], answers: list[tuple[str, httpx.Response]]
) -> dict[str, str]:
    """An order dispatched to the artisan and the villager; accepted in the app and by SMS (the
    simulator), submitted, approved, paid, confirmed; every answer kept to be read."""

    async def call(who: str, method: str, url: str, **kwargs: object) -> dict[str, object]:
        response = await app.request(method, f"{API}{url}", headers=people[who].auth, **kwargs)  # type: ignore[arg-type]
        answers.append((who, response))
        assert response.status_code < 300, (url, response.text)
        return response.json() if response.content else {}  # type: ignore[no-any-return]

    artisan, villager = people["artisan"], people["villager"]
    order = await call("coordinator", "POST", "/orders", json=support.order_body(quantity=10))
    dispatched = await call(
        "coordinator",
        "POST",
        f"/orders/{order['id']}/dispatch",
        json={"offers": [{"artisan_id": artisan.id, "quantity": 5}, {"artisan_id": villager.id, "quantity": 5}]},
    )
    job = next(j for j in dispatched["jobs"] if j["artisan_id"] == artisan.id)  # type: ignore[attr-defined]
    await call("coordinator", "POST", "/sms/simulator", json={"phone": villager.phone, "body": "1"})
    await call("artisan", "POST", f"/jobs/{job['id']}/accept", json={"quantity": 5})
    photo = await call(
        "artisan", "POST", "/photos", files={"file": ("a.jpg", support.jpeg_bytes(64, 48), "image/jpeg")}
    )
    submission = await call(
        "artisan", "POST", f"/jobs/{job['id']}/submissions", json={"quantity": 5, "photo_ids": [photo["id"]]}
    )
    await call("coordinator", "POST", f"/submissions/{submission['id']}/review", json={"decision": "approve"})
    payout = await call("coordinator", "POST", f"/jobs/{job['id']}/payout", json={"method": "cash"})
    await call("artisan", "POST", f"/payouts/{payout['id']}/confirm")
    await call("coordinator", "POST", "/sms/simulator", json={"phone": villager.phone, "body": "0"})
    return {
        "order_id": str(order["id"]),
        "photo_id": str(photo["id"]),
        "size": "list",
        "locale": "zh_Hans",
        "member_id": str(artisan.id),
    }


def _every_get(app: httpx.AsyncClient, ids: dict[str, str], phones: list[str]) -> list[str]:
    """Every GET route of the API with its path filled in, and the queries that show the most."""
    schema = app._transport.app.openapi_schema.to_schema()  # type: ignore[attr-defined]
    urls = []
    for path, item in schema["paths"].items():
        if "get" not in item or not path.startswith(API):
            continue
        names = re.findall(r"\{(\w+)\}", path)
        missing = [name for name in names if name not in ids]
        assert not missing, f"{path}: give this sweep a value for {missing}"
        urls.append(re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path))
    today = china_today().isoformat()
    extra = [f"{API}/sms/simulator?phone={phone}" for phone in phones]
    extra += [f"{API}/sms/messages?phone={phone}" for phone in phones]
    extra += [f"{API}/payouts/export?from={today}&to={today}&format={kind}" for kind in ("csv", "xlsx")]
    extra += [f"{API}/sms/messages?status={status}" for status in ("sent", "pending", "failed")]
    return [url for url in urls if url not in {f"{API}/sms/simulator", f"{API}/payouts/export"}] + extra
