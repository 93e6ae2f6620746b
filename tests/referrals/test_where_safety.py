"""Issue 14: answers that are safe and make sense, on the demo data, through the selector, the API and the page.

A maternal and child health nurse in Ballarat (3350) asks for a 7-year-old: family violence, urgent,
ACCO. The family ends up at an ACCO through The Orange Door (which is not one): the constraint judges
the destination, never the step on the way.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.demo import COORDINATOR_EMAIL
from accounts.models import User
from referrals import selectors, services
from referrals.models import NeedRelation, Pathway
from referrals.schemas import WhereOut
from tests.referrals.factories import PathwayFactory, ServiceFactory, need, role
from tests.referrals.test_selectors import ask, names

pytestmark = pytest.mark.django_db

FV_URGENT_ACCO = "partnership=ballarat&need=family-violence&role=mch-nurse&place=3350&urgency=urgent&acco=true"
FV_PAGE = "/directory/where/?role=mch-nurse&need=family-violence&age_years=7&age_extra_months=0&place=3350"
ORANGE_DOOR = "The Orange Door — Central Highlands"
ACCO_FAMILY = "Aboriginal Family Support"
CHILD_PROTECTION = "Child Protection — report a concern"


def text(response) -> str:
    return response.content.decode()


def plain(response) -> str:
    """The page's text without tags, with whitespace collapsed."""
    body = re.sub(r"<[^>]+>", " ", text(response))
    return re.sub(r"\s+", " ", body).replace("&#x27;", "'").replace("&quot;", '"')


def api(client, query: str) -> dict:
    response = client.get(f"/api/referrals/where?{query}")
    assert response.status_code == 200, response.content[:500]
    return conforming(response.json())


def conforming(body: dict) -> dict:
    """The answer is sent as built (not re-validated by ninja): it must be exactly the documented WhereOut,
    no field missing, none extra, every value in the form the schema would give it."""
    assert WhereOut.model_validate(body).model_dump(mode="json") == body
    return body


def target(option: dict) -> str:
    return option["pathway"]["target"]["name"]


# --- Constraints judge where the family ends up ------------------------------------------------------


def test_family_violence_urgent_acco_for_a_7_year_old_is_never_empty(demo, client):
    result = ask(demo["directory"], need_code="family-violence", age=84, urgency="urgent", acco=True)
    assert result.eligible == []  # no ACCO takes this nurse's referral directly
    [route] = [r for r in result.two_step if r.second.service.name == ACCO_FAMILY]
    assert names(route.firsts) == [ORANGE_DOOR]
    assert route.second.service.is_acco and route.second.eligible
    [first] = route.firsts
    assert first.misses == ["Not an Aboriginal Community Controlled Organisation."]  # the step need not be one
    assert first.step_notes == [
        f"Only a step on the way: {ORANGE_DOOR} is not ACCO; {ACCO_FAMILY}, where the family is referred to, is."
    ]
    # No two-step route ends at a service that is not an ACCO.
    assert all(r.second.service.is_acco for r in result.two_step)

    body = api(client, FV_URGENT_ACCO + "&age_months=84")
    [api_route] = [r for r in body["two_step"] if target(r["second_step"]) == ACCO_FAMILY]
    assert [target(o) for o in api_route["first_steps"]] == [ORANGE_DOOR]
    assert api_route["first_steps"][0]["misses"] == ["Not an Aboriginal Community Controlled Organisation."]
    assert api_route["first_steps"][0]["step_notes"][0].startswith("Only a step on the way")

    page = plain(client.get(FV_PAGE + "&urgency=urgent&acco=on"))
    assert f"→ {ORANGE_DOOR} → {ACCO_FAMILY}" in page
    assert "Only a step on the way" in page
    assert "must be ACCO" in page


def test_nothing_meets_every_constraint_shows_the_closest_options_with_what_each_misses(demo, client):
    # Speech pathology that is an ACCO with an interpreter: there is none, but there are routes without them.
    result = ask(demo["directory"], acco=True, interpreter=True)
    assert result.eligible == [] and result.two_step == []
    assert result.nothing_meets_constraints
    assert result.not_eligible, "an empty answer where routes exist without the filters"
    closest = result.not_eligible[0]
    assert closest.reasons == closest.misses  # it misses only constraints: nothing else rules it out
    assert len(closest.misses) <= len(result.not_eligible[-1].reasons)
    for option in result.not_eligible:
        assert set(option.misses) <= {
            "Not an Aboriginal Community Controlled Organisation.",
            "No interpreter service listed.",
        } | set(option.misses)
        assert option.reasons

    body = api(
        client,
        "partnership=ballarat&need=speech-language&role=mch-nurse&age_months=24&place=3350&acco=true&interpreter=true",
    )
    assert body["nothing_meets_constraints"] is True
    assert body["not_eligible"] and body["not_eligible"][0]["misses"]
    page = plain(
        client.get(
            "/directory/where/?role=mch-nurse&need=speech-language&age_years=2&age_extra_months=0&place=3350"
            "&urgency=routine&acco=on&interpreter=on"
        )
    )
    assert "Nothing meets every constraint you chose (ACCO, interpreter)." in page
    assert "Doesn't fit now" in page


def test_without_constraints_the_answer_says_nothing_about_them(demo):
    result = ask(demo["directory"])
    assert not result.nothing_meets_constraints
    assert all(not o.misses for o in result.eligible)


# --- Danger first -------------------------------------------------------------------------------------


def test_safety_answers_open_with_the_immediate_danger_prompt(demo, client):
    assert ask(demo["directory"], need_code="family-violence").danger.number == "000"
    assert ask(demo["directory"], need_code="child-safety-wellbeing").danger is not None
    assert ask(demo["directory"], urgency="urgent").danger is not None  # urgent speech: still danger first
    assert ask(demo["directory"]).danger is None  # routine speech and language

    body = api(client, FV_URGENT_ACCO)
    assert body["danger"]["number"] == "000" and "000" in body["danger"]["prompt"]
    routine = api(client, "partnership=ballarat&need=speech-language&role=mch-nurse")
    assert routine["danger"] is None

    page = text(client.get(FV_PAGE + "&urgency=routine"))
    assert page.index("In immediate danger? Call 000 now") < page.index("Eligible now")
    assert 'href="tel:000"' in page
    assert "In immediate danger" not in text(
        client.get("/directory/where/?role=mch-nurse&need=speech-language&age_years=2&place=3350&urgency=routine")
    )


def test_the_number_and_wording_are_the_partnerships(demo, client):
    directory = demo["directory"]
    services.directory_update(
        partnership=directory.partnership, danger_number="111", danger_prompt="Danger now? Ring 111 first."
    )
    assert api(client, FV_URGENT_ACCO)["danger"] == {"number": "111", "prompt": "Danger now? Ring 111 first."}
    page = text(client.get(FV_PAGE + "&urgency=routine"))
    assert "Call 111 now" in page and "Danger now? Ring 111 first." in page and "Call 000" not in page

    # The coordinators set them on the directory's page.
    client.force_login(User.objects.get(email=COORDINATOR_EMAIL))
    manage = client.get("/manage/ballarat/directory/")
    assert 'name="danger_number"' in text(manage) and 'name="danger_prompt"' in text(manage)
    client.post(
        "/manage/ballarat/directory/",
        {
            "name": directory.name,
            "description": directory.description,
            "is_public": "on",
            "review_interval_days": 365,
            "danger_number": "000",
            "danger_prompt": "Immediate danger: call 000.",
        },
    )
    directory.refresh_from_db()
    assert (directory.danger_number, directory.danger_prompt) == ("000", "Immediate danger: call 000.")


def test_red_flags_and_escalation_come_before_how_to_refer(demo, client):
    result = ask(demo["directory"], need_code="family-violence", age=84, urgency="urgent")
    child_protection = next(o for o in result.eligible if o.service.name == CHILD_PROTECTION)
    assert child_protection.pathway.red_flags and child_protection.pathway.escalation

    body = api(client, FV_URGENT_ACCO.replace("&acco=true", "") + "&age_months=84")
    option = next(o for o in body["eligible"] if target(o) == CHILD_PROTECTION)
    assert option["pathway"]["red_flags"].startswith("Disclosure of abuse")
    assert option["pathway"]["escalation"] == "Police (000) when a child is in immediate danger."

    page = text(client.get(FV_PAGE + "&urgency=urgent"))
    card_start = page.index(f">{CHILD_PROTECTION}</a>")
    card = page[card_start : page.index("</article>", card_start)]
    assert card.index("Red flags") < card.index("Escalation") < card.index("How to refer")

    printed = text(client.get(child_protection.pathway.get_absolute_url()))
    assert printed.index("Red flags and escalation") < printed.index("How to refer")
    assert "In immediate danger? Call 000 now" in printed  # a card for a safety need


# --- Related needs --------------------------------------------------------------------------------------


def test_family_violence_offers_child_protection_and_the_orange_door(demo, client):
    result = ask(demo["directory"], need_code="family-violence", age=84)
    assert {CHILD_PROTECTION, ORANGE_DOOR} <= set(names(result.eligible))
    assert [t.code for t in result.related_needs] == ["child-safety-wellbeing"]
    child_protection = next(o for o in result.eligible if o.service.name == CHILD_PROTECTION)
    assert child_protection.related_need == need("child-safety-wellbeing")
    assert "Listed for child safety and wellbeing, a need related to family violence." in child_protection.notes
    # Both ways: child safety offers the family violence pathways too.
    assert [t.code for t in ask(demo["directory"], need_code="child-safety-wellbeing").related_needs] == [
        "family-violence"
    ]

    body = api(client, "partnership=ballarat&need=family-violence&role=mch-nurse&age_months=84&place=3350")
    assert {CHILD_PROTECTION, ORANGE_DOOR} <= {target(o) for o in body["eligible"]}
    assert [t["code"] for t in body["related_needs"]] == ["child-safety-wellbeing"]
    page = plain(client.get(FV_PAGE + "&urgency=routine"))
    assert CHILD_PROTECTION in page and "Also searched: child safety and wellbeing" in page


def test_coordinators_edit_the_related_needs(demo, client):
    directory = demo["directory"]
    url = "/manage/ballarat/directory/needs/"
    assert client.get(url).status_code == 302  # signed out: to the login page
    client.force_login(User.objects.get(email=COORDINATOR_EMAIL))
    page = text(client.get(url))
    assert "Family violence ↔ Child safety and wellbeing" in page

    relation = NeedRelation.objects.get(directory=directory)
    client.post(url, {"remove": relation.pk})
    assert not NeedRelation.objects.filter(directory=directory).exists()
    assert CHILD_PROTECTION not in names(ask(directory, need_code="family-violence", age=84).eligible)

    response = client.post(url, {"need": "housing", "related_need": "housing"})
    assert services.NEED_RELATION_SAME in text(response)
    client.post(url, {"need": "child-safety-wellbeing", "related_need": "family-violence"})
    assert CHILD_PROTECTION in names(ask(directory, need_code="family-violence", age=84).eligible)
    response = client.post(url, {"need": "family-violence", "related_need": "child-safety-wellbeing"})
    assert services.NEED_RELATION_EXISTS in text(response)  # the same pair, the other way round
    assert NeedRelation.objects.filter(directory=directory).count() == 1


def test_other_coordinators_cannot_edit_the_related_needs(demo, client, other_coordinator):
    client.force_login(other_coordinator)
    assert client.get("/manage/ballarat/directory/needs/").status_code == 404
    assert (
        client.post("/manage/ballarat/directory/needs/", {"need": "housing", "related_need": "parenting"}).status_code
        == 404
    )


# --- Alternatives, "doesn't fit now", wording, ranking -----------------------------------------------


def test_alternatives_respect_every_filter(directory):
    acco = ServiceFactory(directory=directory, name="ACCO alternative", is_acco=True)
    mainstream = ServiceFactory(directory=directory, name="Mainstream alternative")
    too_young = ServiceFactory(directory=directory, name="Under-fives alternative", is_acco=True, maximum_age_months=59)
    far = ServiceFactory(directory=directory, name="Far alternative", is_acco=True, postcodes=["3460"])
    full = ServiceFactory(directory=directory, name="Full alternative", is_acco=True, capacity_status="closed")
    public = ServiceFactory(directory=directory, name="Public speech", postcodes=["3356"])
    PathwayFactory(directory=directory, target_service=public, alternatives=[acco, mainstream, too_young, far, full])

    assert [a.name for a in ask(directory, age=84).alternatives] == ["ACCO alternative", "Mainstream alternative"]
    [alternative] = ask(directory, age=84, acco=True).alternatives
    assert alternative.service == acco and alternative.instead_of == [public]


def test_doesnt_fit_now_lists_each_service_once_with_all_its_reasons(directory):
    small = ServiceFactory(directory=directory, name="Small clinic", maximum_age_months=35, postcodes=["3356"])
    for source in ("mch-nurse", "gp"):
        PathwayFactory(directory=directory, source_role=role(source), target_service=small, any_professional=True)
    PathwayFactory(
        directory=directory,
        source_role=role("mch-nurse"),
        target_service=small,
        needs=["speech-language", "development"],
    )
    result = ask(directory, age=84, place="3350")
    assert names(result.not_eligible) == ["Small clinic"]
    [option] = result.not_eligible
    assert option.reasons == [
        "For ages up to 35 months; the child is 7 years.",
        "3350 is outside the catchment (3356).",
    ]


def test_the_demo_answer_never_repeats_a_service_and_words_days_and_verification_right(demo, client):
    for kwargs in (
        {"need_code": "family-violence", "age": 84, "urgency": "urgent", "acco": True},
        {},
        {"need_code": "parenting"},
    ):
        result = ask(demo["directory"], **kwargs)
        shown = names(result.not_eligible)
        assert len(shown) == len(set(shown))
        assert len(names(result.eligible)) == len(set(names(result.eligible)))

    page = plain(client.get(FV_PAGE + "&urgency=urgent"))
    assert "within 1 day" in page and not re.search(r"\b1 days", page)
    assert "None" not in page
    # A pathway never verified says so in words (never "verified None"), and ranks after verified ones.
    Pathway.objects.filter(target_service__name=ORANGE_DOOR).update(last_verified=None, review_due=None)
    page = plain(client.get(FV_PAGE + "&urgency=urgent"))
    assert "Not yet verified" in page and "None" not in page
    assert "not yet verified (ranked after verified pathways)" in page


def test_each_answer_says_why_it_is_ranked_there(demo, client):
    result = ask(demo["directory"], need_code="family-violence", age=84, urgency="urgent")
    for option in result.eligible:
        assert option.ranking
        assert option.ranking[0].startswith(("urgent:", "no urgent tier"))
        assert any(r.startswith(("wait", "no wait")) for r in option.ranking)
        assert any("catchment" in r for r in option.ranking)
        assert any("verified" in r for r in option.ranking)
    orange_door = next(o for o in result.eligible if o.service.name == ORANGE_DOOR)
    assert orange_door.ranking[:2] == ["urgent: seen within 1 day", "wait about 3 days"]
    assert "in the catchment (City of Ballarat)" in orange_door.ranking

    body = api(
        client, "partnership=ballarat&need=family-violence&role=mch-nurse&age_months=84&place=3350&urgency=urgent"
    )
    assert all(option["ranking"] for option in body["eligible"])
    page = plain(client.get(FV_PAGE + "&urgency=urgent"))
    assert "Ranked here: urgent: seen within 1 day; wait about 3 days; in the catchment (City of Ballarat)" in page


def test_where_costs_the_same_queries_with_related_needs_and_constraints(demo):
    directory = demo["directory"]
    query = selectors.WhereQuery(
        directory=directory, need=need("family-violence"), role=role("mch-nurse"), age_months=84, acco=True
    )
    with CaptureQueriesContext(connection) as small:
        selectors.where_can_i_refer(query)
    for service in list(demo["services"].values())[:10]:
        Pathway.objects.filter(target_service=service).update(is_active=True)
        PathwayFactory(directory=directory, target_service=service, needs=["family-violence"])
    with CaptureQueriesContext(connection) as big:
        selectors.where_can_i_refer(query)
    assert len(small) == len(big) <= 13


# --- Accent-insensitive search ---------------------------------------------------------------------


def test_search_is_accent_insensitive(demo, client):
    for word in ("nguyen", "Nguyễn", "NGUYEN", "thao nguyen"):
        found = [s.name for s in selectors.service_search(user=None, q=word)]
        assert found == ["Wendouree Family Practice"], word
    assert "Wendouree Family Practice" in text(client.get("/directory/?q=nguyen"))
    hsds = client.get("/api/hsds/services?search=nguyen").json()
    assert [s["name"] for s in hsds["contents"]] == ["Wendouree Family Practice"]
