"""A phone shared in the village: when a person's sign-in ends, by a refused token or by
another person signing in, nothing of hers stays on it (IndexedDB and the service worker's
caches), as when she signs out."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.async_api import Page, expect

from tests import support
from tests.e2e.pages import AppPage


async def _artisan_with_her_things(client: httpx.AsyncClient, brand: support.Brand) -> tuple[support.Person, int]:
    """An artisan with an offer showing a pattern photo and a payment: her photo id."""
    artisan = await support.artisan(brand)
    pattern = await support.upload_photo(client, brand.coordinator, color=(160, 30, 60))
    order = await support.open_order(client, brand, quantity=10, photo_ids=[pattern])
    await support.job_in_state(client, brand, artisan, "offered", order_id=order["id"], quantity=3)
    await support.job_in_state(client, brand, artisan, "paid", quantity=2)
    return artisan, pattern


async def _her_things_are_kept(app: AppPage, artisan: support.Person, pattern: int) -> dict[str, Any]:
    """Signed in with the service worker in charge, her pattern photo shown: what the phone keeps."""
    await app.sign_in(artisan.phone)
    await app.worker_ready()  # from now on her answers and photos go through the worker's caches
    await expect(app.page.locator("img.pattern")).to_have_js_property("complete", True)
    await expect(app.page.locator("[data-payout-id]")).to_have_count(1)
    kept = await app.kept_on_phone()
    assert {f"/api/v1/photos/{pattern}/list", "/api/v1/payouts", "/api/v1/me"} <= {c["path"] for c in kept["cached"]}
    assert kept["stored"]["jobs"]
    return kept


def _not_hers(kept: dict[str, Any], artisan: support.Person, pattern: int) -> list[str]:
    """What the phone still keeps of her: cached answers naming her or showing her photo, records."""
    found = [c["path"] for c in kept["cached"] if c["path"].startswith(f"/api/v1/photos/{pattern}/")]
    names_her = re.compile(rf'{re.escape(artisan.phone)}|"artisan_id":{artisan.id}[,}}]')
    found += [c["path"] for c in kept["cached"] if names_her.search(c["body"])]
    found += [f"job {job['id']}" for job in kept["stored"].get("jobs", []) if job["artisan_id"] == artisan.id]
    found += [f"meta {meta['name']}" for meta in kept["stored"].get("meta", []) if meta["value"] == artisan.id]
    found += [f"{store} {len(records)}" for store in ("outbox", "photos") if (records := kept["stored"].get(store))]
    return found


async def test_a_refused_token_forgets_her_data_and_photos_on_the_phone(page: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan, pattern = await _artisan_with_her_things(client, brand)
    app = AppPage(page)
    await _her_things_are_kept(app, artisan, pattern)
    token = await page.evaluate("localStorage.getItem('cunjiang.token')")
    # Her sign-in ends elsewhere (here: revoked with the token itself, as a sign-out on another device would).
    await support.ok(await client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"}), 204)

    await page.reload()

    await expect(page.locator("[data-action=request-code]")).to_be_visible()
    kept = await app.kept_on_phone()
    assert [c["path"] for c in kept["cached"] if not c["path"].startswith("/api/v1/i18n/")] == []
    assert {store: records for store, records in kept["stored"].items() if records} == {}
    assert await page.evaluate("localStorage.getItem('cunjiang.token')") is None


async def test_another_persons_sign_in_leaves_nothing_of_the_first_on_the_phone(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    first, pattern = await _artisan_with_her_things(client, brand)
    second = await support.artisan(brand)
    offer = await support.job_in_state(client, brand, second, "offered", quantity=4)
    app = AppPage(page)
    assert _not_hers(await _her_things_are_kept(app, first, pattern), first, pattern)  # the check sees her things
    # Her token is gone but not her things: some WebViews clear localStorage on their own.
    await page.evaluate("localStorage.removeItem('cunjiang.token')")

    await app.sign_in(second.phone)

    await expect(app.job(offer.job_id)).to_be_visible()
    kept = await app.kept_on_phone()
    assert _not_hers(kept, first, pattern) == []
    assert [job["artisan_id"] for job in kept["stored"]["jobs"]] == [second.id]
