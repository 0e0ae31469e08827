import pytest
from django.core.management import call_command

from infusions.booking.defaults import DEFAULT_PROTOCOLS
from infusions.models import Protocol
from intake.screening import INDICATION_CHOICES

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_indication_has_a_protocol():
    assert set(Protocol.objects.values_list("indication", flat=True)) == {value for value, _ in INDICATION_CHOICES}
    assert set(DEFAULT_PROTOCOLS) == {value for value, _ in INDICATION_CHOICES}


@pytest.mark.migrations
def test_a_flushed_or_missing_protocol_comes_back_and_an_edited_one_is_kept():
    Protocol.objects.filter(indication="migraine").delete()
    Protocol.objects.filter(indication="depression").update(chair_minutes=120)
    call_command("migrate", verbosity=0)
    assert Protocol.objects.get(indication="migraine").chair_minutes == 180
    assert Protocol.objects.get(indication="depression").chair_minutes == 120
