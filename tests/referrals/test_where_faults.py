"""Issue 14: "where can I refer?" under faults and hostile input, on both paths (the one statement on
PostgreSQL, the ORM on SQLite): a poisoned index row, and place, need and role text an attacker chose."""

import logging

import pytest

from referrals.models import Pathway, Service
from tests.referrals.test_selectors import ask

pytestmark = pytest.mark.django_db

WHERE_API = "/api/referrals/where"
API = {"partnership": "ballarat", "need": "speech-language", "role": "mch-nurse", "age_months": 24}
WHERE_PAGE = "/directory/where/"
PAGE = {"role": "mch-nurse", "need": "speech-language", "age_years": 2, "age_extra_months": 0, "urgency": "routine"}


def test_an_index_row_changed_behind_the_apps_back_still_answers_with_the_pathways_own_service(demo, client, caplog):
    """A pathway's target changed by bulk SQL (no signal, so its where-index rows still name the old one): the
    answer shows the service the pathway now leads to, and the log says to rebuild the index."""
    directory = demo["directory"]
    first = ask(directory).eligible[0]
    shown = {o.row.target_service_id for o in ask(directory).eligible}
    elsewhere = Service.objects.filter(directory=directory).exclude(pk__in=shown).order_by("name").first()
    Pathway.objects.filter(pk=first.pathway.pk).update(target_service=elsewhere)  # .update(): no signals

    with caplog.at_level(logging.WARNING, logger="referrals.selectors"):
        result = ask(directory)
        api = client.get(WHERE_API, {**API, "place": "3350"})
        page = client.get(WHERE_PAGE, {**PAGE, "place": "3350"})

    (moved,) = [o for o in result.eligible if o.pathway.pk == first.pathway.pk]
    assert moved.service.pk == elsewhere.pk
    assert api.status_code == 200 and page.status_code == 200
    (moved_out,) = [o for o in api.json()["eligible"] if o["pathway"]["id"] == str(first.pathway.pk)]
    assert moved_out["pathway"]["target"]["name"] == elsewhere.name
    assert elsewhere.name in page.content.decode()
    assert "where_index_rebuild" in caplog.text and str(first.pathway.pk) in caplog.text


@pytest.mark.parametrize(
    "place",
    [
        "%(p0)s",  # the one statement's own placeholder syntax
        "%s%s%s",
        "'; DELETE FROM referrals_pathway; --",
        '3350" OR "1"="1',
        '=HYPERLINK("http://x")',
        "Nguyễn ✓ 3350",
        "{p:3350,l:City of Ballarat}",  # an array literal
        '["l:City of Ballarat"]',  # a JSON list
    ],
)
def test_hostile_place_text_is_a_value_never_sql(demo, client, place):
    before = Pathway.objects.count()
    api = client.get(WHERE_API, {**API, "place": place})
    page = client.get(WHERE_PAGE, {**PAGE, "place": place})
    assert api.status_code == 200, api.content[:300]
    assert page.status_code == 200
    assert api.json()["query"]["place"]["text"] == place.strip()
    assert Pathway.objects.count() == before


@pytest.mark.parametrize("field, value", [("need", "%(p0)s"), ("role", "' OR 1=1 --")])
def test_hostile_codes_are_a_clear_4xx_naming_the_field(demo, client, field, value):
    response = client.get(WHERE_API, {**API, field: value})
    assert 400 <= response.status_code < 500
    assert field in response.json()["errors"]


def test_a_hostile_partnership_is_not_found_as_json(demo, client):
    """An unknown partnership (or one whose directory the caller may not read) is a JSON 404, saying nothing
    about which it is."""
    response = client.get(WHERE_API, {**API, "partnership": "%(p0)s' OR 1=1 --"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
