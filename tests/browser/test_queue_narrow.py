"""The work queue on a phone: the compact assign form stacks the officer
select and its button with no gap between them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, off_the_event_loop
from tests.workflow.conftest import Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# From the select's bottom edge to the button's top edge, in CSS pixels.
GAP = """form => {
  const select = form.querySelector("select").getBoundingClientRect();
  const button = form.querySelector("button[type=submit]").getBoundingClientRect();
  return button.top - select.bottom;
}"""


def test_the_assign_button_sits_under_its_select_on_a_phone(open_as):
    def setup():
        cast = Cast()
        return cast.act(cast.in_review(), "propose", cast.specialist)

    dossier = off_the_event_loop(setup)

    for viewport in (PHONE, DESKTOP):
        head = open_as("sxd.head", viewport)
        # The log-in lands on the queue already: wait for the click's own page, or the
        # form measured could be the one of the page being left.
        with head.expect_navigation():
            head.get_by_role("link", name="Work queue").click()
        assign = head.locator(f'tr[data-code="{dossier.code}"] form[data-action="assign"]')
        expect(assign).to_be_visible()
        assert 0 <= assign.evaluate(GAP) < 24, viewport
        assert fits_the_screen(head, viewport["width"])
