"""Approved work waiting for its payout."""

from __future__ import annotations

import httpx

from tests import support
from tests.support import ok


async def test_approved_work_waits_for_payment_with_what_it_is_owed_until_paid(client: httpx.AsyncClient) -> None:
    brand, other = await support.brand(), await support.brand()
    artisan = await support.artisan(brand)
    approved = await support.job_in_state(client, brand, artisan, "approved", quantity=6)
    await support.job_in_state(client, brand, artisan, "submitted", quantity=2)
    await support.job_in_state(client, brand, artisan, "paid", quantity=3)
    await support.job_in_state(client, other, await support.artisan(other), "approved")

    [due] = (await ok(await client.get("/api/v1/payouts/due", headers=brand.coordinator.auth)))["due"]
    await ok(
        await client.post(
            f"/api/v1/jobs/{approved.job_id}/payout", json={"method": "wechat"}, headers=brand.coordinator.auth
        ),
        201,
    )
    after = (await ok(await client.get("/api/v1/payouts/due", headers=brand.coordinator.auth)))["due"]

    assert (due["job_id"], due["artisan_id"], due["quantity_approved"]) == (approved.job_id, artisan.id, 6)
    assert due["amount_fen"] == 6 * 4500
    assert after == []
    support.refused(await client.get("/api/v1/payouts/due", headers=artisan.auth), 403, "forbidden")
