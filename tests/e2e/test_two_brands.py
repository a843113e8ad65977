"""One artisan, two brands, in the browser: a brand that adds someone who works elsewhere is
told only that she was asked; she sees the invitation in the app and what the brand would see,
says yes (online, or offline through the outbox), then sees each card name its brand; she
leaves the brand from "my brands" once no work for it is in hand."""

from __future__ import annotations

import httpx
from playwright.async_api import Page, expect

from backend.core.types import Role
from backend.db.session import run
from tests import support
from tests.e2e.pages import AppPage, PeoplePage

API = "/api/v1"
OPEN_WORK = "您在这个品牌还有 1 个活没做完，请先做完。"  # the server's open_work refusal, in Chinese


async def _member_in(brand: support.Brand, her: support.Person) -> support.Person:
    """Her as the brand's member (her id there), once she has said yes."""
    [row] = await run(
        "SELECT id FROM member WHERE brand = {} AND person = {}", brand.id, await support.person_of(her.id)
    )
    return support.Person(id=row["id"], phone=her.phone, role=her.role, token=her.token, village_id=brand.villages[0])


async def _invite(client: httpx.AsyncClient, brand: support.Brand, her: support.Person) -> int:
    body = {"name": "王阿姨", "phone": her.phone, "village_id": brand.villages[0], "crafts": ["embroidery"]}
    sent = await support.ok(await client.post(f"{API}/artisans", json=body, headers=brand.coordinator.auth), 202)
    return int(sent["invitation"]["id"])


async def _my_brands(app: AppPage) -> None:
    await app.page.click("[data-action=my-brands]")
    await expect(app.page.locator("[data-action=back]")).to_be_visible()


async def _leave(app: AppPage, brand_id: int) -> None:
    """Leave a brand from "my brands": asked, then confirmed."""
    row = app.page.locator(f"[data-brand-id='{brand_id}']")
    await row.locator("[data-action=leave-brand]").click()
    await expect(row.locator("[data-action=confirm-leave]")).to_have_text("是的，不做了")  # its texts came with it
    await row.locator("[data-action=confirm-leave]").click()


async def test_invited_by_a_second_brand_she_agrees_works_for_both_and_leaves_it_when_done(
    page: Page, phone: Page, client: httpx.AsyncClient
) -> None:
    a = await support.brand(name="王家手作")
    b = await support.brand(name="苗岭银饰")
    her = await support.artisan(a)
    work_a = await support.job_in_state(client, a, her, "offered", quantity=4)

    # Brand B's coordinator adds her by phone: told that she was asked, and nothing of brand A.
    people = PeoplePage(page)
    await people.sign_in(b.coordinator.phone, "/console/artisans")
    await people.add("artisan")
    await people.fill(name="王阿姨", phone=her.phone, village_id="村0", crafts=["embroidery"])
    await people.save()
    await expect(people.status).to_contain_text("邀请已发出")
    await expect(people.rows("artisan")).to_have_count(0)  # not B's until she says yes
    await people.show("invitations")
    [invitation] = await run("SELECT id FROM invitation WHERE brand = {}", b.id)
    row = people.row("invitation", invitation["id"])
    await expect(row).to_have_attribute("data-invitation-status", "pending")
    await expect(row).to_contain_text("王阿姨")
    body = await page.locator("body").inner_text()
    assert "王家手作" not in body
    assert a.slug not in body
    await people.screenshot("console-invitations")

    # She opens the app: the invitation names brand B and what it would see.
    app = AppPage(phone)
    await app.sign_in(her.phone)
    card = phone.locator(f"[data-invitation-id='{invitation['id']}']")
    await expect(card).to_contain_text("苗岭银饰")
    await expect(card.locator("li")).to_have_count(4)
    await expect(card).to_contain_text("您手上一共有多少件活（不说是给谁做的）")
    await expect(app.job(work_a.job_id).locator(".brand")).to_have_count(0)  # one brand: no name on the card
    await app.screenshot("app-invitation")
    await card.locator("[data-action=agree-invitation]").click()
    await expect(card).to_have_count(0)
    await expect(app.pending).to_have_attribute("data-pending", "0")

    # Work from both brands, each card naming its own.
    in_b = await _member_in(b, her)
    paid_b = await support.job_in_state(client, b, in_b, "paid", quantity=3)
    offer_b = await support.job_in_state(client, b, in_b, "offered", quantity=6)
    await phone.reload()
    await expect(app.job(offer_b.job_id)).to_contain_text("苗岭银饰")
    await expect(app.job(paid_b.job_id)).to_contain_text("苗岭银饰")
    await expect(app.job(work_a.job_id)).to_contain_text("王家手作")
    payout = phone.locator(f"[data-payout-id='{paid_b.payout_id}']")
    await expect(payout).to_contain_text("苗岭银饰")
    await app.screenshot("app-two-brands")

    # Leaving B while its payment is not yet confirmed is refused, and the app says why.
    await _my_brands(app)
    await expect(phone.locator("[data-brand-id]")).to_have_count(2)
    await _leave(app, b.id)
    await expect(app.notice).to_have_text(OPEN_WORK)
    await expect(phone.locator(f"[data-brand-id='{b.id}']")).to_be_visible()
    await phone.click("[data-action=back]")

    await payout.locator("[data-action=confirm]").click()
    await expect(payout).to_have_attribute("data-status", "confirmed")
    await _my_brands(app)
    await _leave(app, b.id)

    await expect(phone.locator("[data-left]")).to_contain_text("苗岭银饰")
    await expect(phone.locator("[data-brand-id]")).to_have_count(1)
    await expect(app.notice).to_be_hidden()
    await phone.click("[data-action=back]")
    await expect(app.job(work_a.job_id)).to_be_visible()
    await expect(app.job(offer_b.job_id)).to_have_count(0)  # B's work is no longer hers to see
    await expect(app.job(work_a.job_id).locator(".brand")).to_have_count(0)
    [declined] = await run("SELECT status FROM job WHERE id = {}", offer_b.job_id)
    assert declined["status"] == "declined"
    assert (await support.ok(await client.get(f"{API}/artisans", headers=b.coordinator.auth)))["artisans"] == []


async def test_a_yes_given_offline_waits_in_the_outbox_and_goes_through_once(
    phone: Page, client: httpx.AsyncClient
) -> None:
    a, b = await support.brand(), await support.brand(name="苗岭银饰")
    her = await support.artisan(a)
    invitation_id = await _invite(client, b, her)
    app = AppPage(phone)
    await app.sign_in(her.phone)
    card = phone.locator(f"[data-invitation-id='{invitation_id}']")
    await expect(card).to_be_visible()
    await app.worker_ready()
    await expect(card).to_be_visible()  # its code fetched through the service worker: kept
    keys: list[str] = []
    phone.on(
        "request",
        lambda request: "/answer" in request.url and keys.append(request.headers.get("idempotency-key", "")),
    )

    await phone.context.set_offline(True)
    await phone.reload()  # the app started again without a network: the card's code was kept
    await expect(card).to_contain_text("苗岭银饰")
    await card.locator("[data-action=agree-invitation]").click()
    await expect(app.pending).to_have_attribute("data-pending", "1")
    await expect(card.locator(".hint")).to_be_visible()  # waiting to send, not asked twice
    await expect(card.locator("[data-action=agree-invitation]")).to_have_count(0)
    await phone.context.set_offline(False)  # the browser fires "online": the outbox replays

    await expect(app.pending).to_have_attribute("data-pending", "0")
    await expect(card).to_have_count(0)
    [answer] = await run("SELECT status, answered_via FROM invitation WHERE id = {}", invitation_id)
    assert answer == {"status": "accepted", "answered_via": "app"}
    joins = await run(
        "SELECT COUNT(*) AS n FROM audit_event WHERE entity = 'member' AND action = 'join' AND brand = {}", b.id
    )
    assert joins[0]["n"] == 1
    assert len(keys) >= 1, keys
    assert len(set(keys)) == 1, keys  # every try carried the one key
    assert keys[0], keys
    await expect(phone.locator("[data-action=my-brands]")).to_be_visible()
    await _my_brands(app)
    await expect(phone.locator("[data-brand-id]")).to_have_count(2)


async def test_an_admin_sets_the_short_name_sms_use_and_is_told_what_is_wrong(page: Page) -> None:
    brand = await support.brand(name="苗岭银饰")
    admin = await support.person(brand.id, Role.ADMIN)
    people = PeoplePage(page)
    await people.sign_in(admin.phone, "/console/artisans")
    await people.show("settings")
    short = page.locator("input[name=short_name]")

    await short.fill("！！")
    await page.click("form[data-form=settings] [data-action=save]")
    await expect(page.locator("[data-error-for=short_name]")).to_have_text("简称需要至少一个文字或数字。")
    await short.fill("苗岭")
    await page.click("form[data-form=settings] [data-action=save]")

    await expect(page.locator("form[data-form=settings] [data-status]")).to_have_text("已保存。")
    [row] = await run("SELECT short_name FROM brand WHERE id = {}", brand.id)
    assert row["short_name"] == "苗岭"


async def test_an_import_counts_the_people_it_invited_and_names_no_other_brand(page: Page) -> None:
    a = await support.brand(name="王家手作")
    b = await support.brand()
    her = await support.artisan(a)
    sheet = f"姓名,手机,村,手艺\r\n王阿姨,{her.phone},村0,embroidery\r\n李姐,{support.new_phone()},村0,embroidery\r\n"
    people = PeoplePage(page)
    await people.sign_in(b.coordinator.phone, "/console/artisans")

    await people.send_file("people.csv", sheet.encode(), dry_run=False)

    await expect(people.import_result).to_contain_text("已导入1位手艺人")
    await expect(people.import_result).to_contain_text("已发出1个邀请")
    await expect(people.rows("artisan")).to_have_count(1)
    assert "王家手作" not in await page.locator("body").inner_text()


async def test_leaving_the_brand_she_signed_in_as_keeps_what_waits_to_be_sent(
    phone: Page, client: httpx.AsyncClient
) -> None:
    a, b = await support.brand(name="王家手作"), await support.brand(name="苗岭银饰")
    her = await support.artisan(a)
    invitation_id = await _invite(client, b, her)
    answer = f"{API}/me/invitations/{invitation_id}/answer"
    await support.ok(await client.post(answer, json={"accept": True}, headers=her.auth))
    offer_b = await support.job_in_state(client, b, await _member_in(b, her), "offered", quantity=2)
    app = AppPage(phone)
    await app.sign_in(her.phone)
    await expect(app.job(offer_b.job_id)).to_contain_text("苗岭银饰")
    # Her accept cannot get through for now (the signal drops on the way), so it waits.
    await phone.route("**/api/v1/jobs/*/accept", lambda route: route.abort("internetdisconnected"))
    await app.card(offer_b.job_id).accept()
    await expect(app.pending).to_have_attribute("data-pending", "1")

    # She leaves brand A, whose membership the server took her as until now.
    await _my_brands(app)
    await _leave(app, a.id)
    await expect(phone.locator("[data-left]")).to_contain_text("王家手作")
    await phone.unroute("**/api/v1/jobs/*/accept")
    await phone.reload()

    # Still her on this phone: the accept was kept and goes through, and B's card stays.
    await expect(app.job(offer_b.job_id)).to_have_attribute("data-status", "accepted")
    await expect(app.pending).to_have_attribute("data-pending", "0")
    [row] = await run("SELECT status FROM job WHERE id = {}", offer_b.job_id)
    assert row["status"] == "accepted"
