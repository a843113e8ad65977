"""The pages' security policy in a real browser: the API documentation still works under its
own policy, and no other site can show the console in a frame."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

COLLECT_VIOLATIONS = """
window.violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.violations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


async def test_the_api_documentation_runs_its_inline_script_under_its_own_policy(page: Page) -> None:
    await page.add_init_script(COLLECT_VIOLATIONS)

    await page.goto("/api/docs")

    # Swagger UI drew its page: its bundle and the inline script that starts it with the schema ran.
    await expect(page.locator("#swagger-container .swagger-ui").first).to_be_visible()
    await expect(page.locator("#swagger-container .swagger-ui").first).not_to_be_empty()
    # and read Litestar's OpenAPI 3.1 (Swagger UI 4 drew "Unable to render this definition")
    await expect(page.locator(".opblock-summary-path", has_text="/api/v1/orders/{order_id}/dispatch")).to_have_count(1)
    assert await page.evaluate("window.violations") == []


async def test_another_site_cannot_show_the_console_in_a_frame(browser: Browser, server: str) -> None:
    context = await browser.new_context()  # not the page fixture: the refusal is what is expected here
    page = await context.new_page()
    try:
        async with page.expect_console_message(lambda message: "frame-ancestors" in message.text) as refusal:
            await page.set_content(f'<iframe src="{server}/console/"></iframe>')  # a page of another origin
        assert "frame-ancestors 'none'" in (await refusal.value).text
        await expect(page.frame_locator("iframe").locator("[data-action=request-code]")).to_have_count(0)
    finally:
        await context.close()
