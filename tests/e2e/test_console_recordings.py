"""A coordinator registers recorded prompts for a language text-to-speech cannot speak: sees which
prompts are missing, registers an Aliyun voice file code, uploads a WAV file."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.async_api import Page, expect

from tests import support
from tests.e2e.pages import ConsolePage
from tests.integration.voice.test_recordings import wav_bytes


async def test_a_coordinator_sees_the_missing_prompts_and_registers_a_code_and_a_file(
    page: Page, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    brand = await support.brand()
    registered = await client.put(
        "/api/v1/voice/recordings/hmn/offer_call", json={"aliyun_code": "offer-hmn.wav"}, headers=brand.coordinator.auth
    )
    assert registered.status_code == 200, registered.text
    console = ConsolePage(page)

    await console.sign_in(brand.coordinator.phone, "/console/voice")
    hmn = page.locator("[data-recording-language=hmn]")
    await expect(hmn.locator("[data-recording=offer_call]")).to_have_attribute("data-missing", "false")
    payout = hmn.locator("[data-recording=payout_call]")
    await expect(payout).to_have_attribute("data-missing", "true")

    await payout.locator("input[name=aliyun_code]").fill("payout-hmn.wav")
    await payout.locator("[data-action=save-code]").click()
    await expect(hmn.locator("[data-recording=payout_call]")).to_have_attribute("data-missing", "false")

    sound = tmp_path / "thanks.wav"
    sound.write_bytes(wav_bytes())
    await hmn.locator("[data-recording=call_answered] input[type=file]").set_input_files(sound)
    await expect(hmn.locator("[data-recording=call_answered] audio")).to_have_count(1)
    await expect(hmn.locator("[data-recording=call_answered]")).to_have_attribute("data-missing", "false")

    await page.fill("input[name=language]", "doc")
    await page.click("[data-action=add-language] button")
    await expect(page.locator("[data-recording-language=doc] [data-missing=true]").first).to_be_visible()
    await console.screenshot("console-recordings")
