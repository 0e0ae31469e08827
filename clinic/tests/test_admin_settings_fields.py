"""Every setting of the organisation and of a location can be changed in admin (none left out of a fieldset)."""

import pytest

from clinic.admin import ClinicAdmin, LocationAdmin
from clinic.models import Clinic, Location

pytestmark = pytest.mark.django_db


def _shown(fieldsets) -> set[str]:
    names = set()
    for _, options in fieldsets:
        for entry in options["fields"]:
            names.update(entry if isinstance(entry, tuple) else (entry,))
    return names


@pytest.mark.parametrize(("model", "admin_class"), [(Clinic, ClinicAdmin), (Location, LocationAdmin)])
def test_every_editable_setting_is_in_a_fieldset(model, admin_class):
    editable = {
        f.name for f in model._meta.get_fields() if getattr(f, "editable", False) and f.concrete and not f.auto_created
    }
    editable -= {"id"}
    assert editable - _shown(admin_class.fieldsets) == set()
