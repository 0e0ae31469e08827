import pytest
from django.core import mail

from infusions.reminders import sms


@pytest.fixture
def locmem_outboxes(settings):
    """E-mail and SMS into memory, empty before and after."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "infusions.reminders.sms.LocmemBackend"
    mail.outbox = []
    sms.outbox.clear()
    yield
    sms.outbox.clear()
