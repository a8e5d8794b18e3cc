"""Staff work through the demo business's back office in headless Chromium at 1400 px: every list and change page
opens without a server error and reads like a bookkeeper's tool (amounts in the business currency format, the
activity trail as field: old → new), a business admin and a clerk who sees only their own contacts."""

import base64
import os
import re
from urllib.parse import urljoin

import pytest
from django.core.management import call_command

from browser.conftest import HEIGHT, MAX_HEIGHT, SCREENSHOTS, WIDTH
from contacts.models import Contact
from core.models import Business, User
from demo.management.commands.seed_demo import ADMIN_PASSWORD, ADMIN_USERNAME, CLERK_USERNAME, DEMO_NAME

# an amount as the database stores it (19.9000, 7950.10000000000): never shown to staff
RAW_AMOUNT = re.compile(r"(?<![\d,.\-])\d+\.\d{4,}\b(?!,)")
MONEY = re.compile(r"\$ -?\d{1,3}(,\d{3})*\.\d{2}")
CHANGE_PAGES_PER_LIST = 1

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    return Business.objects.get(name=DEMO_NAME)


class Staff:
    """One staff member's browser session."""

    def __init__(self, browser, live_server, username, folder):
        self.browser, self.base, self.folder = browser, live_server.url, SCREENSHOTS / folder
        self.folder.mkdir(parents=True, exist_ok=True)
        browser.delete_all_cookies()
        browser.set_window_size(WIDTH, HEIGHT)
        self.open("/admin/login/")
        browser.find_element("name", "username").send_keys(username)
        browser.find_element("name", "password").send_keys(ADMIN_PASSWORD)
        browser.find_element("css selector", "input[type=submit]").click()
        self.wait_for("#logout-form")

    def wait_for(self, selector):
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self.browser, 20).until(lambda b: b.find_elements("css selector", selector))

    def open(self, path):
        self.browser.get(urljoin(self.base, path))
        return self

    @property
    def text(self) -> str:
        return self.browser.find_element("tag name", "body").text

    def css(self, selector):
        return self.browser.find_elements("css selector", selector)

    def check(self, path, *, status=200, shot=None):
        """Open the page: its HTTP status (Navigation Timing), no server error, no amount as stored."""
        self.open(path)
        got, text = self.browser.execute_script(
            "const nav = performance.getEntriesByType('navigation')[0];"
            "return [nav ? nav.responseStatus : null, document.body.innerText];"
        )
        assert got == status, f"{path}: {got}"
        assert "Server Error" not in text and "Traceback" not in text, path
        assert "Value(" not in text, f"{path} shows an internal value"
        if shot:
            self.screenshot(shot)
        raw = [line for line in text.splitlines() if RAW_AMOUNT.search(line)]
        assert not raw, f"{path} shows amounts as stored: {raw[:5]}"
        return text

    def screenshot(self, name):
        """The whole page at 1400 px (up to MAX_HEIGHT), through Chromium's DevTools protocol."""
        height = self.browser.execute_script("return document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": WIDTH, "height": max(HEIGHT, min(height, MAX_HEIGHT)), "scale": 1}
        shot = self.browser.execute_cdp_cmd(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
        )
        (self.folder / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))

    def changelists(self) -> list[str]:
        self.open("/admin/")
        links = [a.get_attribute("href") for a in self.css("#content-main table th[scope=row] a")]
        return [link.removeprefix(self.base) for link in links]

    def change_links(self, count) -> list[str]:
        links = [a.get_attribute("href") for a in self.css("#result_list tbody tr th a, #result_list tbody tr td a")]
        pages = [link.removeprefix(self.base) for link in links if re.search(r"/\d+/change/$", link)]
        return list(dict.fromkeys(pages))[:count]

    def walk(self, pages_per_list=CHANGE_PAGES_PER_LIST):
        """Every list of the index, and the first change pages of each: what the walk saw, by list path."""
        seen = {}
        for path in self.changelists():
            name = path.strip("/").replace("admin/", "").replace("/", "-")
            text = self.check(path, shot=f"{name}-list")
            assert "0 results" not in text or "contact" not in path, path
            pages = self.change_links(pages_per_list)
            for index, page in enumerate(pages):
                self.check(page, shot=f"{name}-page-{index + 1}")
            seen[path] = pages
        return seen


def test_a_business_admin_works_through_every_page(browser, live_server, demo):
    staff = Staff(browser, live_server, ADMIN_USERNAME, "admin")
    header = staff.open("/admin/").browser.find_element("id", "site-name").text
    assert DEMO_NAME in header and "Django administration" not in header
    assert staff.css("#user-tools a[href='/api/docs/']"), "View site opens the API documentation"
    staff.screenshot("index")

    seen = staff.walk()
    for model in ("contact", "selldocument", "purchasedocument", "transactionpayment", "account", "subscription"):
        assert any(model in path for path in seen), f"no {model} list on the index: {sorted(seen)}"

    # The contacts list fits the screen, dues formatted, with the list's totals.
    staff.open("/admin/contacts/contact/")
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= WIDTH, f"contacts list is {width} px wide"
    totals = staff.css(".changelist-totals")[0].text
    assert "Customers listed owe" in totals and MONEY.search(totals), totals
    assert any(MONEY.search(cell.text) for cell in staff.css("#result_list td.field-due_money")), "due column"
    staff.open("/admin/contacts/contact/?owed=overdue")
    staff.screenshot("contacts-overdue")

    # The contact page is the hub: balance, documents, payments, ledger; an edit shows in the activity trail.
    contact = (
        Contact.objects.for_business(demo)
        .filter(type="customer", is_default=False, transactions__type="opening_balance")
        .first()
    )
    page = f"/admin/contacts/contact/{contact.pk}/change/"
    text = staff.check(page)
    for heading in ("BALANCE", "LAST DOCUMENTS", "LAST PAYMENTS", "LEDGER, LAST 90 DAYS"):
        assert heading in text.upper(), heading
    assert "They owe us" in text or "We owe them" in text
    assert "Date of birth" in text and "Dob" not in text
    mobile = browser.find_element("name", "mobile")
    old = mobile.get_attribute("value")
    mobile.clear()
    mobile.send_keys("+44 7700 900999")
    browser.find_element("name", "_continue").click()
    staff.wait_for(".messagelist .success")
    trail = staff.css("#core-activity-subject_type-subject_id-group")[0].text
    assert f"mobile: {old} → +44 7700 900999" in trail, trail
    staff.screenshot("contact-hub")

    # A contact with documents: the real reason and the way out, on a styled page.
    text = staff.check(f"/admin/contacts/contact/{contact.pk}/delete/", status=403, shot="contact-delete-refused")
    assert "cannot be deleted" in text and re.search(r"it has \d+ documents?", text), text
    browser.find_element("css selector", ".refusal input[type=submit]").click()
    staff.wait_for(".messagelist .success")
    contact.refresh_from_db()
    assert contact.contact_status == "inactive"

    # A sell: products by name, amounts formatted, payments by method label.
    sell = seen[next(p for p in seen if "selldocument" in p)][0]
    text = staff.check(sell, shot="sell-detail")
    assert "×" not in text and MONEY.search(text)

    # A payment account: details as labels and values, the balance formatted.
    account = seen[next(p for p in seen if "/account/" in p)][0]
    staff.open(account)
    labels = [i.get_attribute("value") for i in staff.css("table.label-value-editor input[name$='-label-0']")]
    assert labels in (["BIC"], [""]), labels
    assert "null" not in [t.get_attribute("value") for t in staff.css("textarea")]

    # The site's front door and its error pages.
    staff.open("/")
    assert staff.css("a[href='/admin/']") and staff.css("a[href='/api/docs/']")
    staff.screenshot("landing")
    text = staff.check("/admin/no-such-page/", status=404, shot="not-found")
    assert "This page does not exist" in text


def test_a_clerk_sees_only_their_own_contacts(browser, live_server, demo):
    clerk = User.objects.get(username=CLERK_USERNAME)
    own = set(Contact.objects.for_business(demo).visible_to(clerk).values_list("name", flat=True))
    others = Contact.objects.for_business(demo).exclude(name__in=own).exclude(is_default=True).first()
    assert own and others is not None

    staff = Staff(browser, live_server, CLERK_USERNAME, "clerk")
    seen = staff.walk(pages_per_list=1)
    assert any("contacts/contact" in p for p in seen)
    assert not any("/core/" in p for p in seen), "a clerk does not manage users, roles or credentials"
    staff.open("/admin/contacts/contact/?all=")
    listed = {a.text for a in staff.css("#result_list td.field-name a, #result_list th.field-name a")}
    assert listed == own, (listed, own)

    # Another staff member's contact is not there for the clerk; roles are not theirs to open.
    text = staff.check(f"/admin/contacts/contact/{others.pk}/change/")  # redirected to the index
    assert browser.current_url.endswith("/admin/") and "doesn’t exist" in text, text[:500]
    text = staff.check("/admin/core/role/", status=403, shot="forbidden")
    assert "You are not allowed to do this" in text
