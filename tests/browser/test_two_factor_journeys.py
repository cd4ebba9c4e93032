"""Staff at 1280 px: an administrator without two-factor signs in, is sent to set it up, scans (types) the
key, keeps the recovery codes, signs out and signs back in with a code; then changes their password. Every
page is checked with axe and the keyboard, and screenshotted (``ENGAGE_SCREENSHOTS=dir`` keeps them)."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import expect

from engage.accounts.models import Role
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll, screenshot
from tests.conftest import PASSWORD

STAFF_VIEWPORT = {"width": 1280, "height": 900}


def tab_to(page, selector: str) -> None:
    """Press Tab until ``selector`` has the focus (a few presses at most), as a keyboard user would."""
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def check(page, label: str) -> None:
    assert_accessible(page, label)
    assert_no_horizontal_scroll(page)
    screenshot(page, f"two-factor-{label.replace(' ', '-')}.png")


def test_administrator_sets_up_two_factor_and_signs_in_with_a_code(make_page, make_user):
    admin = make_user(Role.ADMIN, two_factor_on=False, email="sam.admin@council.example")
    page = make_page(viewport=STAFF_VIEWPORT)

    page.goto("/manage/users")
    page.wait_for_url("**/sign-in?next=*")
    page.locator("#email").fill(admin.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")

    # Sent to set up two-factor before anything else, whatever was asked for.
    page.wait_for_url("**/account/two-factor/set-up")
    expect(page.locator("h1")).to_have_text("Set up two-factor authentication")
    qr = page.locator(".app-qr-code svg")
    expect(qr).to_have_attribute("role", "img")
    box = qr.bounding_box()
    assert box and box["width"] >= 150 and box["height"] >= 150  # drawn, at a size a phone can read
    check(page, "set up")

    # The key for typing in, behind "I cannot scan the QR code", opened with the keyboard.
    summary = page.locator("summary", has_text="I cannot scan the QR code")
    summary.focus()
    page.keyboard.press("Enter")
    key = page.locator("#setup-key").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", key)
    screenshot(page, "two-factor-set-up-key-shown.png")

    # A wrong code first: the error summary, focused, and the field's message.
    page.locator("#code").fill("000000" if pyotp.TOTP(key).now() != "000000" else "111111")
    page.locator("#code").press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator("#code-error")).to_contain_text("The code is not right")
    check(page, "set up wrong code")

    page.locator("#code").fill(pyotp.TOTP(key).now())
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    codes = page.locator(".app-recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    check(page, "recovery codes")
    page.get_by_role("button", name="I have saved my recovery codes").click()
    page.wait_for_url("**/manage")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: url.endswith("/"))

    # Signing in again: the password, then a recovery code (the setup code's step is used up).
    page.goto("/sign-in")
    page.locator("#email").fill(admin.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url("**/sign-in/code")
    expect(page.locator("#code")).to_have_attribute("autocomplete", "one-time-code")
    check(page, "enter code")
    page.locator("#code").fill("12345")
    page.locator("#code").press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check(page, "enter code wrong")
    page.locator("#code").fill(codes[0].upper())
    page.locator("#code").press("Enter")
    page.wait_for_url("**/manage")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have 9 left")

    # Your account: two-factor on, then change the password with the keyboard alone.
    page.get_by_role("link", name="Your account").click()
    expect(page.locator("main")).to_contain_text("9 recovery codes left")
    check(page, "your account")
    page.get_by_role("link", name="Change your password").click()
    check(page, "change password")
    page.locator("#current_password").fill(PASSWORD)
    tab_to(page, "#new_password")  # past the password's "Show" button
    page.keyboard.type("password1234")
    tab_to(page, "#confirm_password")
    page.keyboard.type("password1234")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator("#new_password-error")).to_contain_text("most common passwords")
    check(page, "change password refused")
    page.locator("#current_password").fill(PASSWORD)
    page.locator("#new_password").fill("violet kettle under moonlight")
    page.locator("#confirm_password").fill("violet kettle under moonlight")
    page.locator("#confirm_password").press("Enter")
    page.wait_for_url("**/account")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your password is changed")
    screenshot(page, "two-factor-password-changed.png")
