"""Every page each demo role reaches (issue 16, "Done when"): at 390 px and at 320 px none is wider
than the screen, and a chart's text is no smaller than 12 px; at 1280 px axe-core finds no
violation of any impact.

The pages are those the link walk finds (tests/presentation/walk.py: one of each kind of page,
following the links each role sees from the home page), loaded in Chromium as that role.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from accounts.models import User
from tests.auth import VerifiedClient
from tests.e2e.conftest import sign_in
from tests.presentation import walk as walker
from tests.presentation.walk import DEMO_ROLES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}
# The smallest text in a chart on screen: each SVG text's font size scaled by the drawing's
# displayed width over its viewBox width.
CHART_TEXT_PX = """() => Math.min(1000, ...Array.from(document.querySelectorAll('svg[viewBox]'))
  .filter(svg => svg.getBoundingClientRect().width > 0 && svg.querySelector('text[font-size]'))
  .map(svg => Math.min(...Array.from(svg.querySelectorAll('text[font-size]')).map(text =>
    parseFloat(text.getAttribute('font-size'))
    * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width))))"""
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo(monkeypatch):
    from tests.factories import PASSWORD

    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    call_command("seed_demo", "--force", verbosity=0)


def pages_of(email: str) -> list[str]:
    client = VerifiedClient()
    client.force_login(User.objects.get(email=email))
    found = walker.walk(client)
    return [url for url in found.pages if not url.startswith("/accounts/two-step/")]


def signed_in_page(browser, live_server, email, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, email)
    return context, page


@pytest.mark.parametrize("email", DEMO_ROLES)
def test_every_page_fits_a_phone_and_passes_axe(browser, live_server, demo, email, monkeypatch):
    """One pass per role, the demo seeded and walked once: each page is loaded at 1280 px and
    checked by axe-core, then narrowed to 390 px and 320 px and measured."""
    monkeypatch.setattr(walker, "PER_KIND", 1)
    urls = pages_of(email)
    context, page = signed_in_page(browser, live_server, email, DESKTOP)
    axe = Axe()
    violations, too_wide, small_text = [], [], []
    for url in urls:
        page.set_viewport_size(DESKTOP)
        page.goto(url)
        results = axe.run(page)
        if results.violations_count:
            rules = sorted({v["id"] for v in results.response["violations"]})
            violations.append(f"{url}: {', '.join(rules)}")
        for viewport in (PHONE, SMALL_PHONE):
            page.set_viewport_size(viewport)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"]:
                too_wide.append(f"{url} at {viewport['width']} px: {width} px")
            smallest = page.evaluate(CHART_TEXT_PX)
            if smallest < 12:
                small_text.append(f"{url} at {viewport['width']} px: chart text {smallest:.1f} px")
    context.close()
    assert violations == []
    assert too_wide == []
    assert small_text == []
