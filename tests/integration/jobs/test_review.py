"""The review queue: what a reviewer sees, and rework told to the artisan in the app and by SMS."""

from __future__ import annotations

import json

import httpx

from backend.db.session import run
from tests import support
from tests.support import ok


async def test_the_queue_shows_whose_work_for_which_order_against_which_pattern(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    pattern = await support.upload_photo(client, brand.coordinator)
    order = await support.open_order(client, brand, photo_ids=[pattern], quality_notes="针脚细密")
    work = await support.job_in_state(client, brand, artisan, "submitted", order_id=order["id"], quantity=4)

    [item] = (await ok(await client.get("/api/v1/submissions", headers=brand.coordinator.auth)))["submissions"]

    assert item["id"] == work.submission_id
    assert item["photo_ids"] == [work.photo_id]
    assert {key: item[key] for key in ("artisan_id", "order_id", "order_title", "quality_notes", "village")} == {
        "artisan_id": artisan.id,
        "order_id": order["id"],
        "order_title": order["title"],
        "quality_notes": "针脚细密",
        "village": "村0",
    }
    assert (item["reference_photo_ids"], item["quantity_accepted"]) == ([pattern], 4)
    assert item["job_code"].startswith("K")


async def test_rework_is_told_in_the_app_with_its_reason_and_by_sms(client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    work = await support.job_in_state(client, brand, artisan, "submitted", quantity=4)

    await ok(
        await client.post(
            f"/api/v1/submissions/{work.submission_id}/review",
            json={"decision": "rework", "reason": "边缘线头太多"},
            headers=brand.coordinator.auth,
        )
    )

    [job] = [
        j for j in (await ok(await client.get("/api/v1/jobs", headers=artisan.auth)))["jobs"] if j["id"] == work.job_id
    ]
    assert (job["status"], job["review_reason"]) == ("rework", "边缘线头太多")
    [sms] = await run(
        "SELECT body, variables FROM outbox_message WHERE to_phone = {} AND kind = 'rework'",
        artisan.phone,
    )
    assert json.loads(str(sms["variables"]))["reason"] == "边缘线头太多"
    assert sms["body"] == f"{job['code']}需返工：边缘线头太多。改好后请重新提交。"
