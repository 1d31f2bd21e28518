"""The report page refuses counts and coordinates out of range with form errors, not a 500."""

from typing import Any

import pytest
from django.urls import reverse

from incidents.models import Incident
from tests.incidents.test_pages import _form


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"female_children": "3000000000"}, "less than or equal to 100000"),
        ({"latitude": "91", "longitude": "31.5"}, "less than or equal to 90"),
        ({"latitude": "9.5", "longitude": "-181"}, "greater than or equal to -180"),
        ({"description": "Shelters burned.\x00"}, "Null characters are not allowed."),
        ({"occurred_at": "10000-01-01T00:00"}, "Enter the date and time as dd/mm/yyyy hh:mm"),
    ],
)
def test_out_of_range_input_is_a_form_error_and_nothing_is_written(
    client: Any, officer: Any, site: Any, overrides: dict[str, str], message: str
) -> None:
    client.force_login(officer)

    response = client.post(reverse("incidents:report"), _form(site, **overrides))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved." in text
    assert message in text
    assert not Incident.objects.exists()
