"""Page objects: what a person does on a page, through the hooks of CONTRACT.md only."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from playwright.async_api import Locator, Page, expect

from backend.core.phones import mask_phone
from tests.servers import ServerLog

SCREENSHOTS = Path(__file__).parent / "screenshots"
KEPT_ON_PHONE = """async () => {
  const cached = [];
  for (const name of await caches.keys()) {
    if (name.startsWith("shell-")) continue;
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const answer = await cache.match(request);
      const picture = (answer.headers.get("content-type") || "").startsWith("image/");
      cached.push({ cache: name, path: new URL(request.url).pathname, body: picture ? "" : await answer.text() });
    }
  }
  const stored = {};
  if (!(await indexedDB.databases()).some((found) => found.name === "cunjiang")) return { cached, stored };
  const db = await new Promise((resolve, reject) => {
    const opening = indexedDB.open("cunjiang");
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
  const blobless = (key, value) => (value instanceof Blob ? "[blob]" : value);
  const plain = (record) => JSON.parse(JSON.stringify(record, blobless));
  for (const store of db.objectStoreNames) {
    stored[store] = await new Promise((resolve, reject) => {
      const reading = db.transaction(store).objectStore(store).getAll();
      reading.onsuccess = () => resolve(reading.result.map(plain));
      reading.onerror = () => reject(reading.error);
    });
  }
  db.close();
  return { cached, stored };
}"""


async def latest_code(page: Page, phone: str, since: int) -> str:
    """The sign-in code texted to ``phone`` after ``since`` (a position in the log of the server
    behind ``page``), read as a demo's operator reads it: from the console gateway's line
    ``SMS to +86139****1234: 村匠登录验证码：123456…``, where the phone is masked. The worker
    sends it a moment after the request: the log is watched until the line is there."""
    line = re.compile(rf"SMS to {re.escape(mask_phone(phone))}: \D*(\d{{6}})(?!\d)")
    found = await ServerLog.of(page.url).wait_for(line, since)
    return found[-1][1]


async def request_code(page: Page, phone: str) -> str:
    """Ask for a sign-in code for ``phone`` on the sign-in form, and read it."""
    since = ServerLog.of(page.url).end()
    await page.fill("input[name=phone]", phone)
    await page.click("[data-action=request-code]")
    await expect(page.locator("input[name=code]")).to_be_focused()
    return await latest_code(page, phone, since)


class ConsolePage:
    def __init__(self, page: Page) -> None:
        self.page = page

    async def sign_in(self, phone: str, path: str = "/console/") -> None:
        await self.page.goto(path)
        await self.page.fill("input[name=code]", await request_code(self.page, phone))
        await self.page.click("[data-action=sign-in]")
        await expect(self.page.locator("[data-nav]").first).to_be_visible()

    async def seen_again(self) -> None:
        """The coordinator comes back to the tab: what a section shows is asked for again."""
        await seen_again(self.page)

    async def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        await self.page.screenshot(path=SCREENSHOTS / f"{name}.png")


async def seen_again(page: Page) -> None:
    """What the browser tells a page that is looked at again (another tab, the phone woken):
    pages refresh on it at once, so a test need not wait for their timers."""
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")


class SmsSimulatorPage(ConsolePage):
    async def open(self) -> None:
        await self.page.click("[data-nav=sms]")
        await expect(self.page.locator("[data-action=send]")).to_be_visible()

    async def text_as(self, phone: str, body: str) -> None:
        """Type ``body`` as the villager ``phone``, and wait for Cunjiang's answer to show."""
        await self.page.fill("input[name=phone]", phone)
        await self.page.dispatch_event("input[name=phone]", "change")
        await expect(self.page.locator(f'[data-phone="{phone}"]')).to_be_attached()  # its messages so far
        answers = await self.messages("out").count()
        await self.page.fill("[name=body]", body)
        await self.page.click("[data-action=send]")
        await expect(self.messages("out")).to_have_count(answers + 1)

    def messages(self, direction: str | None = None) -> Locator:
        selector = "[data-message]" + (f"[data-direction={direction}]" if direction else "")
        return self.page.locator(selector)

    def dead_letters(self) -> Locator:
        """The pushed items that could not be read, shown below the simulator."""
        return self.page.locator("[data-dead-letter]")

    def call(self, call_id: int) -> Locator:
        """A call to the villager simulated, in the call view (``data-status``: queued, calling…)."""
        return self.page.locator(f'[data-calls] [data-call-id="{call_id}"]')

    async def press(self, call_id: int, key: str) -> None:
        """Press ``key`` on the ringing call's keypad, as the villager."""
        await self.call(call_id).locator(f"[data-key='{key}']").click()


class AppPage:
    """The artisan's app at ``/``."""

    def __init__(self, page: Page) -> None:
        self.page = page

    async def sign_in(self, phone: str) -> None:
        await self.page.set_viewport_size({"width": 412, "height": 860})  # a phone
        await self.page.goto("/")
        await self.page.fill("input[name=code]", await request_code(self.page, phone))
        await self.page.click("[data-action=sign-in]")
        # Signed in once her jobs and payments are on screen: a reload before then (a test
        # waiting for the service worker) would lose the token still on its way.
        await expect(self.page.locator("[data-action=sign-out]")).to_be_visible()

    def job(self, job_id: int) -> Locator:
        return self.page.locator(f"[data-job-id='{job_id}']")

    def card(self, job_id: int) -> JobCard:
        return JobCard(self.job(job_id))

    @property
    def pending(self) -> Locator:
        return self.page.locator("[data-sync]")

    @property
    def notice(self) -> Locator:
        return self.page.locator("[data-notice]")

    async def seen_again(self) -> None:
        """The artisan looks at the app again: new offers and changes show."""
        await seen_again(self.page)

    async def retry_now(self) -> None:
        """What the browser does when the signal comes back: the outbox tries again."""
        await self.page.evaluate("window.dispatchEvent(new Event('online'))")

    async def kept_on_phone(self) -> dict[str, Any]:
        """What the app keeps on this phone besides its own files: ``cached``, every answer the
        service worker keeps (``cache``, ``path``, ``body``; a picture's body left out), and
        ``stored``, the records of each IndexedDB store (blobs as ``"[blob]"``)."""
        kept: dict[str, Any] = await self.page.evaluate(KEPT_ON_PHONE)
        return kept

    async def worker_ready(self) -> None:
        """The service worker is installed (its shell cached) and controls a fresh load."""
        await self.page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        await self.page.reload()
        await self.page.wait_for_function("navigator.serviceWorker.controller !== null")

    async def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        await self.page.screenshot(path=SCREENSHOTS / f"{name}.png")


class StatementPage:
    """ "My income" (收入明细) in the artisan's app: a month's lines and totals, and its printable page."""

    def __init__(self, app: AppPage) -> None:
        self.page = app.page

    async def open(self) -> None:
        await self.page.click("[data-action=my-income]")
        await expect(self.page.locator("select[name=month]")).to_be_visible()

    def total(self, name: str, whose: str) -> Locator:
        """A total (earned, paid, confirmed, disputed, awaiting) of a brand (its id) or of ``all``."""
        return self.page.locator(f"[data-totals='{whose}'] [data-total={name}]")

    def lines(self, kind: str) -> Locator:
        return self.page.locator(f"[data-line-kind={kind}]")

    async def choose_month(self, month: str) -> None:
        await self.page.select_option("select[name=month]", month)

    async def printable(self) -> Locator:
        """The page to print, as paper shows it (print styles)."""
        await self.page.click("[data-action=printable]")
        printed = self.page.locator("[data-printable]")
        await expect(printed).to_be_visible()
        await expect(printed.locator("[data-action=print]")).to_be_visible()
        await self.page.emulate_media(media="print")
        return printed


class JobCard:
    """One job on the artisan's app, through its hooks."""

    def __init__(self, root: Locator) -> None:
        self.root = root

    async def accept(self, quantity: int | None = None) -> None:
        if quantity is not None:
            await self.root.locator("input[name=quantity]").fill(str(quantity))
        await self.root.locator("[data-action=accept]").click()

    async def decline(self) -> None:
        await self.root.locator("[data-action=decline]").click()

    async def submit(self, quantity: int, *photos: bytes) -> None:
        """Finished pieces with photos, chosen as files on the phone."""
        await self.root.locator("input[name=quantity]").fill(str(quantity))
        files = [{"name": f"IMG_{i}.jpg", "mimeType": "image/jpeg", "buffer": data} for i, data in enumerate(photos)]
        await self.root.locator("input[type=file]").set_input_files(files)  # type: ignore[arg-type]
        await self.root.locator("[data-action=submit]").click()

    async def price_too_low(self, yuan: str = "") -> None:
        """ "Price too low" (价低), with the price she would take a piece if she names one."""
        await self.root.locator("[data-action=price-too-low]").click()
        await self.root.locator("input[name=price_asked]").fill(yuan)
        await self.root.locator("[data-action=send-price]").click()

    @property
    def hourly(self) -> Locator:
        """The hourly rate the order's estimated hours imply, beside the piece rate."""
        return self.root.locator("[data-hourly]")

    @property
    def pattern(self) -> Locator:
        """The order's reference photo."""
        return self.root.locator("img.pattern")


class PeoplePage(ConsolePage):
    """The console's artisans section: artisans and villages; for admins also leaders and
    coordinators, crafts and the brand's settings, each on its own tab."""

    async def open(self, tab: str = "artisans") -> None:
        """From another section of the console (sign in at ``/console/``), through the navigation."""
        await self.page.click("[data-nav=artisans]")
        await self.page.wait_for_url("**/console/artisans")
        await self.show(tab)

    async def show(self, tab: str) -> None:
        await self.page.click(f"[data-tab={tab}]")
        await expect(self.page.locator(f"[data-tab={tab}]")).to_have_attribute("aria-selected", "true")
        await expect(self.page.locator("[data-count], form[data-form=settings]")).to_be_visible()

    def tab(self, name: str) -> Locator:
        return self.page.locator(f"[data-tab={name}]")

    def row(self, kind: str, item_id: int) -> Locator:
        """One artisan, village, member or craft of its table: ``[data-KIND-id=ID]``."""
        return self.page.locator(f"[data-{kind}-id='{item_id}']")

    def rows(self, kind: str) -> Locator:
        return self.page.locator(f"[data-{kind}-id]")

    @property
    def form(self) -> Locator:
        return self.page.locator("form[data-form]")

    @property
    def notice(self) -> Locator:
        return self.page.locator("[data-notice]")

    @property
    def status(self) -> Locator:
        return self.page.locator("[data-status]")

    async def add(self, kind: str) -> None:
        """Open the form of a new artisan, village, member or craft."""
        await self.page.click(f"[data-action=add-{kind}]")
        await expect(self.page.locator(f"form[data-form={kind}]")).to_be_visible()

    async def change(self, kind: str, item_id: int) -> None:
        await self.row(kind, item_id).locator("[data-action=edit]").click()
        await expect(self.page.locator(f"form[data-form={kind}]")).to_be_visible()

    async def fill(self, **values: str | bool | list[str]) -> None:
        """Fill the open form by field name: text, a select's label, a checkbox, crafts by code."""
        for name, value in values.items():
            control = self.form.locator(f"[name={name}]")
            if name == "crafts":
                assert isinstance(value, list)
                for box in await control.all():
                    await box.set_checked(await box.get_attribute("value") in value)
            elif isinstance(value, bool):
                await control.set_checked(value)
            elif await control.evaluate("e => e.tagName") == "SELECT":
                await control.select_option(label=str(value))
            else:
                await control.fill(str(value))

    async def save(self) -> None:
        await self.form.locator("[data-action=save]").click()

    async def set_active(self, kind: str, item_id: int, active: bool) -> None:
        await self.row(kind, item_id).locator(f"[data-action={'reactivate' if active else 'deactivate'}]").click()
        await expect(self.row(kind, item_id)).to_have_attribute("data-active", "true" if active else "false")

    async def sign_out_everywhere(self, kind: str, item_id: int) -> None:
        """Sign a person out of every device (the browser's confirmation accepted)."""
        self.page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
        await self.row(kind, item_id).locator("[data-action=sign-out]").click()

    async def download_template(self) -> bytes:
        await self.page.click("[data-action=show-import]")
        async with self.page.expect_download() as info:
            await self.page.click("[data-action=download-template]")
        path = await (await info.value).path()
        return await asyncio.to_thread(Path(path).read_bytes)

    async def send_file(self, name: str, data: bytes, *, dry_run: bool) -> None:
        """Choose a spreadsheet and check it (dry run) or import it."""
        importer = self.page.locator("[data-import]")
        if await importer.is_hidden():
            await self.page.click("[data-action=show-import]")
        mime = "text/csv" if name.endswith(".csv") else "application/octet-stream"
        await importer.locator("input[name=file]").set_input_files(
            files=[{"name": name, "mimeType": mime, "buffer": data}]
        )
        await importer.locator("[data-action=check-import]" if dry_run else "[data-action=import]").click()

    @property
    def problems(self) -> Locator:
        """The import's report: one row per cell at fault, ``[data-row=N]``."""
        return self.page.locator("[data-import-report] tr[data-row]")

    @property
    def import_result(self) -> Locator:
        return self.page.locator("[data-import-result]")
