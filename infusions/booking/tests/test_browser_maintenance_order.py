"""In Chromium: a clinician orders maintenance; front desk sees the order and books a booster."""

from datetime import UTC, datetime

import pytest
import time_machine
from playwright.sync_api import expect

from infusions.models import InfusionSeries, MaintenanceOrder
from infusions.tests.helpers import bookable_patient, clinic, depression

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clinician_orders_maintenance_and_front_desk_books_it(page, sign_in, clinician, front_desk):
    with time_machine.travel(datetime(2026, 12, 1, 16, 0, tzinfo=UTC), tick=True):  # 08:00 local
        depression()
        clinic(chairs=1)
        patient = bookable_patient(first_name="Ada", last_name="Lovelace")

        sign_in(clinician)
        page.goto(f"/infusions/patients/{patient.pk}/maintenance-order/")
        page.get_by_label("Note for the front desk").fill("boosters every 4 weeks")
        page.get_by_role("button", name="Order maintenance").click()
        expect(page.get_by_test_id("open-order")).to_contain_text("boosters every 4 weeks")

        page.context.clear_cookies()  # sign the clinician out
        sign_in(front_desk)
        page.get_by_role("link", name="Book a series").first.click()
        page.get_by_label("Name or date of birth").fill("Lovelace")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_test_id("maintenance-ordered")).to_be_visible()
        page.get_by_role("link", name="Maintenance", exact=True).click()
        expect(page.get_by_test_id("maintenance-order")).to_contain_text("boosters every 4 weeks")
        expect(page.get_by_test_id("plan-visit")).to_have_count(1)
        page.get_by_role("button", name="Confirm and book 1 visit").click()
        expect(page.get_by_text("Booked 1 visit.")).to_be_visible()
    booster = InfusionSeries.objects.get(kind=InfusionSeries.Kind.MAINTENANCE)
    assert MaintenanceOrder.objects.get().fulfilled_series == booster
