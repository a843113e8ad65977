"""A coordinator keeps the brand's artisans and villages in the console; an admin its staff and settings."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import Page, expect

from backend.accounts.queries import MEMBER_READ
from backend.accounts.service import add_member
from backend.accounts.tables import Brand, Member
from backend.core.types import Role
from tests import support
from tests.e2e.pages import PeoplePage

HEADER = "姓名,手机,村,手艺,仅短信,语言"


async def member(phone: str) -> dict[str, Any]:
    row = await Member.select(*MEMBER_READ).where(Member.person.phone == phone).first()
    assert row is not None, f"nobody has the phone {phone}"
    return row


def local(phone: str) -> str:
    """A Chinese mobile as a coordinator types it."""
    return phone.removeprefix("+86")


async def test_a_coordinator_adds_an_artisan_and_sees_it_in_the_list_and_the_database(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand(villages=2)
    people = PeoplePage(page)
    phone = support.new_phone()
    await people.sign_in(brand.coordinator.phone)
    await people.open()
    await expect(people.rows("artisan")).to_have_count(0)

    await people.add("artisan")
    await people.fill(name="龙阿妹", phone="12345", village_id="村1", crafts=["batik", "embroidery"], sms_only=True)
    await people.save()
    await expect(people.notice).to_have_text("手机号不对。")
    await expect(people.form.locator("[data-error-for=phone]")).to_have_text("手机号不对。")
    await expect(people.form.locator("input[name=phone]")).to_have_attribute("aria-invalid", "true")

    await people.fill(phone=local(phone))
    await people.save()

    await expect(people.status).to_have_text("已添加：龙阿妹")
    await expect(people.notice).to_be_hidden()
    saved = await member(phone)
    assert (saved["brand"], saved["role"], saved["name"]) == (brand.id, Role.ARTISAN.value, "龙阿妹")
    assert (saved["village"], saved["crafts"], saved["sms_only"]) == (brand.villages[1], "embroidery,batik", True)
    row = people.row("artisan", saved["id"])
    await expect(row).to_contain_text("龙阿妹")
    await expect(row).to_contain_text(local(phone))
    await expect(row).to_contain_text("村1")
    await expect(row).to_contain_text("刺绣、蜡染")


async def test_a_coordinator_filters_changes_and_deactivates_artisans(page: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand(villages=2)
    first = await support.artisan(brand)
    second = await support.person(brand.id, Role.ARTISAN, village_id=brand.villages[0], crafts=["batik"])
    people = PeoplePage(page)
    await people.sign_in(brand.coordinator.phone)
    await people.open()
    await expect(people.rows("artisan")).to_have_count(2)

    await page.fill("input[name=search]", local(second.phone)[-6:])
    await expect(people.rows("artisan")).to_have_count(1)
    await expect(people.row("artisan", second.id)).to_be_visible()
    await page.fill("input[name=search]", "")
    await page.select_option("select[name=craft]", "embroidery")
    await expect(people.rows("artisan")).to_have_count(1)
    await expect(people.row("artisan", first.id)).to_be_visible()
    await page.select_option("select[name=craft]", "")

    await people.change("artisan", first.id)
    await people.fill(name="杨秀兰", village_id="村1", locale="English")
    await people.save()
    await expect(people.row("artisan", first.id)).to_contain_text("杨秀兰")
    await expect(people.row("artisan", first.id)).to_contain_text("English")
    changed = await member(first.phone)
    assert (changed["name"], changed["village"], changed["locale"]) == ("杨秀兰", brand.villages[1], "en")
    assert changed["crafts"] == "embroidery"  # what the form did not change stays

    await people.set_active("artisan", second.id, False)
    assert (await member(second.phone))["active"] is False
    await expect(people.status).to_contain_text("已停用")
    await people.set_active("artisan", second.id, True)
    assert (await member(second.phone))["active"] is True


async def test_an_import_reports_each_bad_row_then_a_good_file_is_imported(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand(villages=2)
    for name, village, crafts, sms_only in [
        ("杨阿妹", 0, ["embroidery"], False),
        ("吴秀英", 0, ["embroidery", "batik"], True),
        ("龙金花", 1, ["batik"], False),
    ]:
        await add_member(
            brand.id,
            role=Role.ARTISAN,
            phone=support.new_phone(),
            name=name,
            village_id=brand.villages[village],
            crafts=crafts,
            sms_only=sms_only,
        )
    people = PeoplePage(page)
    await people.sign_in(brand.coordinator.phone)
    await people.open()
    await expect(people.rows("artisan")).to_have_count(3)

    template = await people.download_template()
    assert template.decode("utf-8") == f"\ufeff{HEADER}\r\n"  # a BOM, so that Excel reads UTF-8
    good, bad = support.new_phone(), support.new_phone()
    rows = [f"王小梅,{local(good)},村0,刺绣,否,", f"李二妹,{local(bad)}9,村9,竹编,也许,zh_Hans"]
    await people.send_file("artisans.csv", template + "\r\n".join(rows).encode(), dry_run=True)

    await expect(people.notice).to_contain_text("有问题的行：1")
    await expect(people.problems).to_have_count(4)  # phone, village, craft and yes/no of row 3
    await expect(people.problems.first).to_contain_text("手机号不对。")
    for problem in await people.problems.all():
        await expect(problem).to_have_attribute("data-row", "3")
    await page.set_viewport_size({"width": 1200, "height": 1024})  # the report and the list, for the README
    await people.screenshot("console-artisans")
    assert await Member.count().where(Member.person.phone.is_in([good, bad])) == 0

    mended = [rows[0], f"李二妹,{local(bad)},村1,蜡染、刺绣,是,zh_Hans"]
    await people.send_file("artisans.csv", template + "\r\n".join(mended).encode(), dry_run=True)
    await expect(people.import_result).to_contain_text("检查了2行")
    await expect(people.problems).to_have_count(0)
    assert await Member.count().where(Member.person.phone.is_in([good, bad])) == 0

    await people.send_file("artisans.csv", template + "\r\n".join(mended).encode(), dry_run=False)
    await expect(people.import_result).to_contain_text("已导入2位手艺人")
    await expect(people.rows("artisan")).to_have_count(5)
    imported = await member(bad)
    assert (imported["name"], imported["village"], imported["crafts"], imported["sms_only"]) == (
        "李二妹",
        brand.villages[1],
        "batik,embroidery",
        True,
    )
    await expect(people.row("artisan", imported["id"])).to_contain_text("李二妹")


async def test_only_admins_manage_staff_and_settings(page: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand(villages=2)
    admin = await support.person(brand.id, Role.ADMIN)
    people = PeoplePage(page)
    await people.sign_in(brand.coordinator.phone)
    await people.open()
    await expect(people.tab("villages")).to_be_visible()
    for tab in ("people", "crafts", "settings"):
        await expect(people.tab(tab)).to_have_count(0)

    await page.click("[data-action=sign-out]")
    await expect(page.locator("[data-action=request-code]")).to_be_visible()
    await people.sign_in(admin.phone)
    await people.open("people")
    await expect(people.row("member", brand.coordinator.id)).to_be_visible()
    await expect(people.row("member", admin.id).locator("[data-action=deactivate]")).to_have_count(0)  # not oneself
    leader_phone = support.new_phone()
    await people.add("member")
    await people.fill(role="带头人", name="杨村长", phone=local(leader_phone), village_id="村1")
    await people.save()
    await expect(people.status).to_have_text("已添加：杨村长")
    leader = await member(leader_phone)
    assert (leader["brand"], leader["role"], leader["village"]) == (brand.id, Role.LEADER.value, brand.villages[1])
    await expect(people.row("member", leader["id"])).to_contain_text("带头人")

    await people.show("settings")
    await people.fill(offer_window_hours="48", advance_percent="40")
    await people.save()
    await expect(people.status).to_have_text("已保存。")
    row = await Brand.select(Brand.offer_window_hours, Brand.advance_percent).where(Brand.id == brand.id).first()
    assert row == {"offer_window_hours": 48, "advance_percent": 40}


async def test_a_coordinator_renames_and_deactivates_a_village(page: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand(villages=2)
    people = PeoplePage(page)
    await people.sign_in(brand.coordinator.phone)
    await people.open("villages")

    await people.change("village", brand.villages[0])
    await people.fill(name="控拜村")
    await people.save()
    await expect(people.row("village", brand.villages[0])).to_contain_text("控拜村")
    await people.set_active("village", brand.villages[1], False)
    await people.add("village")
    await people.fill(name="季刀村", county="雷山县", province="贵州省")
    await people.save()
    await expect(people.rows("village")).to_have_count(3)

    await people.show("artisans")
    await people.add("artisan")
    options = people.form.locator("select[name=village_id] option")
    await expect(options).to_have_text(["选择村寨", "控拜村", "季刀村"])  # no new artisans in a closed village


async def test_the_artisans_page_speaks_english(page: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    await support.artisan(brand)
    people = PeoplePage(page)
    await people.sign_in(brand.coordinator.phone)
    await people.open()

    await page.select_option("select[name=locale]", "en")

    await expect(page.locator("[data-nav=artisans]")).to_have_text("Artisans")
    await expect(people.tab("villages")).to_have_text("Villages")
    await expect(page.get_by_role("columnheader", name="Phone number")).to_be_visible()
    await expect(people.rows("artisan").first).to_contain_text("Embroidery")
    await expect(page.locator("[data-action=add-artisan]")).to_have_text("Add an artisan")


async def test_a_coordinator_signs_an_artisan_out_of_every_device(page: Page, client: httpx.AsyncClient) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    people = PeoplePage(page)
    await people.sign_in(brand.coordinator.phone)
    await people.open()
    assert (await client.get("/api/v1/me", headers=artisan.auth)).status_code == 200

    await people.sign_out_everywhere("artisan", artisan.id)

    await expect(people.status).to_contain_text("已在所有设备退出登录")
    assert (await client.get("/api/v1/me", headers=artisan.auth)).status_code == 401


async def calls_of(client: httpx.AsyncClient, brand: support.Brand, artisan_id: int) -> tuple[bool, str | None]:
    """Whether the artisan takes calls, and in which spoken language, as the API says."""
    listed = await client.get("/api/v1/artisans", headers=brand.coordinator.auth)
    assert listed.status_code == 200, listed.text
    artisan = next(a for a in listed.json()["artisans"] if a["id"] == artisan_id)
    return artisan["takes_calls"], artisan["voice_language"]


async def test_a_coordinator_sets_who_takes_calls_and_in_which_recorded_language(
    page: Page, client: httpx.AsyncClient
) -> None:
    brand = await support.brand()
    artisan = await support.artisan(brand)
    recorded = await client.put(
        "/api/v1/voice/recordings/hmn/offer_call", json={"aliyun_code": "offer-hmn.wav"}, headers=brand.coordinator.auth
    )
    assert recorded.status_code == 200, recorded.text
    people = PeoplePage(page)
    await people.sign_in(brand.coordinator.phone)
    await people.open()

    await people.change("artisan", artisan.id)
    await expect(people.form.locator("select[name=voice_language] option")).to_have_text(
        ["她的语言（电脑朗读）", "hmn：录音提示"]
    )
    await people.fill(takes_calls=True, voice_language="hmn：录音提示")
    await people.save()
    await expect(people.row("artisan", artisan.id)).to_contain_text("hmn")
    assert await calls_of(client, brand, artisan.id) == (True, "hmn")

    await people.change("artisan", artisan.id)
    await people.fill(takes_calls=False, voice_language="她的语言（电脑朗读）")
    await people.save()
    await expect(people.row("artisan", artisan.id).locator("td").nth(6)).to_have_text("")
    assert await calls_of(client, brand, artisan.id) == (False, None)
