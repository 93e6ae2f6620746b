from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals import places, selectors
from referrals.models import Service
from tests.accounts.factories import UserFactory
from tests.referrals.factories import DirectoryFactory, PathwayFactory, ServiceFactory, need, role

pytestmark = pytest.mark.django_db


def where(directory, *, role_code="mch-nurse", need_code="speech-language", age=24, place="3350", **options):
    return selectors.WhereQuery(
        directory=directory,
        need=need(need_code),
        role=role(role_code),
        age_months=age,
        place=places.resolve_place(place),
        **options,
    )


def ask(directory, **kwargs):
    return selectors.where_can_i_refer(where(directory, **kwargs))


def names(options) -> list[str]:
    return [o.service.name for o in options]


# --- The "done when": a maternal and child health nurse, a 2-year-old, speech delay, 3350 -------


def test_mch_nurse_speech_delay_two_year_old_in_3350_gets_eligible_pathways_and_a_two_step_route(demo):
    result = ask(demo["directory"])

    eligible = names(result.eligible)
    assert "Paediatric Speech Pathology" in eligible  # community health, free, City of Ballarat
    assert "Talk Together Speech Pathology" in eligible
    assert "Children's Hearing Assessment" in eligible
    assert "NDIS Early Childhood Partner" in eligible
    assert all(o.eligible for o in result.eligible)
    # Focused pathways (speech, hearing) come before general doors (GPs).
    assert eligible.index("Paediatric Speech Pathology") < eligible.index("Wendouree Family Practice")
    # Each says how to refer, what to include, the wait and when it was verified.
    speech = next(o for o in result.eligible if o.service.name == "Paediatric Speech Pathology")
    assert speech.pathway.get_method_display() == "Online form"
    assert "hearing test" in speech.pathway.information_to_include.lower()
    assert speech.pathway.typical_wait_days == 120
    assert speech.pathway.last_verified is not None
    assert any("Waitlist" in note for note in speech.notes)

    # Two-step: nurse → GP → paediatrician (the paediatricians take referrals from GPs only).
    clinic = "Ballarat Children's Clinic — paediatricians"
    routes = [route for route in result.two_step if route.second.service.name == clinic]
    by_gp = next(route for route in routes if route.second.pathway.source_role == role("gp"))
    assert "Sturt Street Medical Clinic — general practice" in names(by_gp.firsts)
    assert by_gp.second.pathway.get_method_display() == "E-referral (secure messaging)"
    assert "Ballarat Children's Clinic — paediatricians" not in eligible

    # Outside the catchment: said so, with the reason.
    bacchus = next(o for o in result.not_eligible if o.service.name == "Speech Pathology — Bacchus Marsh")
    assert bacchus.reasons == ["3350 is outside the catchment (Moorabool Shire)."]


def test_stale_pathways_are_flagged_and_ranked_after_fresh_ones(demo):
    result = ask(demo["directory"])
    buninyong = next(o for o in result.eligible if o.service.name == "Buninyong Medical Centre")
    assert buninyong.stale  # verified over a year ago, review overdue
    gps = [o for o in result.eligible if "Medical" in o.service.name or "Practice" in o.service.name]
    assert gps[-1] is buninyong


def test_where_can_i_refer_costs_the_same_queries_for_a_small_and_a_big_directory(directory):
    def count(n: int) -> int:
        for i in range(n):
            gp = ServiceFactory(directory=directory, name=f"GP {i}", practitioner_roles=["gp"], lgas=[places.BALLARAT])
            PathwayFactory(directory=directory, target_service=gp, needs=["speech-language", "development"])
            paed = ServiceFactory(directory=directory, name=f"Paediatrician {i}", postcodes=["3350"])
            PathwayFactory(directory=directory, source_role=role("gp"), target_service=paed, alternatives=[gp])
            PathwayFactory(directory=directory, source_role=None, source_service=gp, target_service=paed)
        query = where(directory)
        with CaptureQueriesContext(connection) as queries:
            result = selectors.where_can_i_refer(query)
        assert len(result.two_step) >= n
        return len(queries)

    # The candidates (as rows), their needs, roles and alternatives, the targets' catchments and the roles
    # held there; then the pathways and the alternative services the answer shows.
    assert count(2) == count(20) <= 9


# --- Ranking rules, one at a time --------------------------------------------------------------------


def test_age_outside_the_range_is_not_eligible_with_the_reason(directory):
    service = ServiceFactory(directory=directory, name="Under threes", minimum_age_months=0, maximum_age_months=35)
    PathwayFactory(directory=directory, target_service=service)
    assert names(ask(directory, age=24).eligible) == ["Under threes"]
    result = ask(directory, age=40)
    assert result.eligible == []
    assert result.not_eligible[0].reasons == ["For ages birth to 35 months; the child is 40 months."]


def test_the_pathways_own_age_range_overrides_the_services(directory):
    service = ServiceFactory(directory=directory, minimum_age_months=0, maximum_age_months=216)
    PathwayFactory(directory=directory, target_service=service, min_age_months=36)
    assert ask(directory, age=24).eligible == []


def test_catchment_by_council_postcode_and_suburb(directory):
    council = ServiceFactory(directory=directory, name="Council-wide", lgas=[places.BALLARAT])
    postcode = ServiceFactory(directory=directory, name="Postcode 3356 only", postcodes=["3356"])
    anywhere = ServiceFactory(directory=directory, name="Anywhere")
    for service in (council, postcode, anywhere):
        PathwayFactory(directory=directory, target_service=service)
    assert set(names(ask(directory, place="3350").eligible)) == {"Council-wide", "Anywhere"}
    assert set(names(ask(directory, place="Sebastopol").eligible)) == {"Council-wide", "Postcode 3356 only", "Anywhere"}
    assert set(names(ask(directory, place="3460").eligible)) == {"Anywhere"}  # Daylesford, Hepburn Shire
    unknown = ask(directory, place="Narnia")
    assert set(names(unknown.eligible)) == {"Council-wide", "Postcode 3356 only", "Anywhere"}
    assert any("not a place we know" in note for o in unknown.eligible for note in o.notes)


def test_a_postcode_that_spans_councils_matches_with_a_note(directory):
    service = ServiceFactory(directory=directory, lgas=[places.BALLARAT])
    PathwayFactory(directory=directory, target_service=service)
    option = ask(directory, place="3352").eligible[0]  # Miners Rest (Ballarat) and Dunnstown (Moorabool)
    assert option.notes == ["Postcode 3352 spans City of Ballarat and Moorabool Shire: check the family's council."]
    assert ask(directory, place="Miners Rest").eligible[0].notes == []


def test_the_pathways_catchment_overrides_the_services(directory):
    service = ServiceFactory(directory=directory, lgas=[places.BALLARAT])
    PathwayFactory(directory=directory, target_service=service, catchment_postcodes=["3356"])
    assert ask(directory, place="3350").eligible == []
    assert len(ask(directory, place="3356").eligible) == 1


def test_who_may_refer(directory):
    by_gp = ServiceFactory(directory=directory, name="GP referrals")
    PathwayFactory(directory=directory, source_role=role("gp"), target_service=by_gp, referrer_roles=["paediatrician"])
    any_professional = ServiceFactory(directory=directory, name="Any professional")
    PathwayFactory(directory=directory, source_role=role("gp"), target_service=any_professional, any_professional=True)
    families = ServiceFactory(directory=directory, name="Self-referral")
    PathwayFactory(directory=directory, source_role=role("gp"), target_service=families, self_referral=True)

    assert set(names(ask(directory, role_code="gp").eligible)) == {"GP referrals", "Any professional", "Self-referral"}
    assert set(names(ask(directory, role_code="paediatrician").eligible)) == {"GP referrals", "Any professional"}
    assert names(ask(directory, role_code="mch-nurse").eligible) == ["Any professional"]
    assert names(ask(directory, role_code="parent-self").eligible) == ["Self-referral"]


def test_capacity_status_and_constraints(directory):
    closed = ServiceFactory(directory=directory, name="Closed", capacity_status=Service.Capacity.CLOSED)
    fees = ServiceFactory(directory=directory, name="Fees")
    free = ServiceFactory(directory=directory, name="Free", is_free=True, is_acco=True, has_interpreter=True)
    bulk = ServiceFactory(directory=directory, name="Bulk-billed", is_bulk_billed=True)
    closed_temporarily = ServiceFactory(directory=directory, name="Shut", status=Service.Status.TEMPORARILY_CLOSED)
    gone = ServiceFactory(directory=directory, name="Defunct", status=Service.Status.DEFUNCT)
    for service in (closed, fees, free, bulk, closed_temporarily, gone):
        PathwayFactory(directory=directory, target_service=service)

    result = ask(directory)
    assert set(names(result.eligible)) == {"Fees", "Free", "Bulk-billed"}
    reasons = {o.service.name: o.reasons for o in result.not_eligible}
    assert reasons["Closed"][0].startswith("Closed to new referrals")
    assert reasons["Shut"] == ["The service is temporarily closed."]
    assert "Defunct" not in reasons  # inactive and defunct services are not offered at all

    assert set(names(ask(directory, free=True).eligible)) == {"Free", "Bulk-billed"}
    assert names(ask(directory, acco=True).eligible) == ["Free"]
    assert names(ask(directory, interpreter=True).eligible) == ["Free"]
    bulk_option = next(o for o in ask(directory, free=True).eligible if o.service.name == "Bulk-billed")
    assert bulk_option.notes == ["Bulk-billed: free with a Medicare card."]


def test_urgent_requests_rank_pathways_with_an_urgent_tier_first(directory):
    slow_but_urgent = ServiceFactory(directory=directory, name="Has an urgent tier")
    PathwayFactory(directory=directory, target_service=slow_but_urgent, typical_wait_days=90, urgent_target_days=7)
    quick = ServiceFactory(directory=directory, name="Quick, routine only")
    PathwayFactory(directory=directory, target_service=quick, typical_wait_days=10)
    assert names(ask(directory).eligible) == ["Quick, routine only", "Has an urgent tier"]
    urgent = ask(directory, urgency="urgent")
    assert names(urgent.eligible) == ["Has an urgent tier", "Quick, routine only"]
    assert urgent.eligible[1].notes == ["No urgent tier: call the service to ask how it handles urgent referrals."]


def test_two_step_routes_through_a_service_or_the_roles_its_practitioners_hold(directory):
    gp = ServiceFactory(directory=directory, name="GP clinic", practitioner_roles=["gp"])
    kinder = ServiceFactory(directory=directory, name="Kinder")
    PathwayFactory(directory=directory, target_service=gp)
    PathwayFactory(directory=directory, target_service=kinder)
    paediatrician = ServiceFactory(directory=directory, name="Paediatrician")
    PathwayFactory(directory=directory, source_role=role("gp"), target_service=paediatrician)
    field_officer = ServiceFactory(directory=directory, name="Field officer")
    PathwayFactory(directory=directory, source_role=None, source_service=kinder, target_service=field_officer)
    too_old = ServiceFactory(directory=directory, name="Adolescent clinic", minimum_age_months=144)
    PathwayFactory(directory=directory, source_role=role("gp"), target_service=too_old)

    routes = {r.second.service.name: names(r.firsts) for r in ask(directory).two_step}
    assert routes == {"Paediatrician": ["GP clinic"], "Field officer": ["Kinder"]}


def test_a_first_step_shared_by_two_routes_says_each_route_s_own_destination(directory, client):
    """One intermediary (not an ACCO) refers on to two ACCOs: each route's step note names its own one,
    on the selector, the API and the page (the first step is one option, shown in both routes)."""
    hub = ServiceFactory(directory=directory, name="Intake hub", is_acco=False)
    PathwayFactory(directory=directory, target_service=hub)
    for name in ("ACCO one", "ACCO two"):
        PathwayFactory(directory=directory, source_role=None, source_service=hub,
                       target_service=ServiceFactory(directory=directory, name=name, is_acco=True))  # fmt: skip

    def note(name):
        return f"Only a step on the way: Intake hub is not ACCO; {name}, where the family is referred to, is."

    routes = {r.second.service.name: r for r in ask(directory, acco=True).two_step}
    assert sorted(routes) == ["ACCO one", "ACCO two"]
    for name, route in routes.items():
        [first] = route.firsts
        assert first.step_notes == [note(name)]

    body = client.get(
        f"/api/referrals/where?partnership={directory.partnership.slug}&need=speech-language&role=mch-nurse"
        "&age_months=24&place=3350&acco=true"
    ).json()
    notes = {r["second_step"]["pathway"]["target"]["name"]: r["first_steps"][0]["step_notes"] for r in body["two_step"]}
    assert notes == {name: [note(name)] for name in routes}


def test_a_service_reachable_directly_is_not_repeated_as_a_two_step_route(directory):
    gp = ServiceFactory(directory=directory, practitioner_roles=["gp"])
    paediatrician = ServiceFactory(directory=directory, name="Paediatrician")
    PathwayFactory(directory=directory, target_service=gp)
    PathwayFactory(directory=directory, source_role=role("gp"), target_service=paediatrician)
    PathwayFactory(directory=directory, target_service=paediatrician)  # the nurse may refer directly too
    result = ask(directory)
    assert "Paediatrician" in names(result.eligible)
    assert result.two_step == []


def test_alternatives_come_from_the_pathways_that_do_not_fit(directory):
    private = ServiceFactory(directory=directory, name="Private speech pathology")
    public = ServiceFactory(directory=directory, name="Public speech", postcodes=["3356"])
    PathwayFactory(
        directory=directory, target_service=public, alternatives=[private], alternatives_note="Costs $180 a session."
    )
    result = ask(directory, place="3350")
    assert result.eligible == []
    assert names(result.not_eligible) == ["Public speech"]
    [alternative] = result.alternatives
    assert alternative.service == private
    assert alternative.instead_of == [public]
    assert alternative.notes == ["Costs $180 a session."]


def test_only_the_asked_directory_and_active_pathways_count(directory, other_partnership):
    elsewhere = DirectoryFactory(partnership=other_partnership)
    PathwayFactory(directory=elsewhere, target_service=ServiceFactory(directory=elsewhere))
    PathwayFactory(directory=directory, target_service=ServiceFactory(directory=directory), is_active=False)
    PathwayFactory(directory=directory, target_service=ServiceFactory(directory=directory), needs=["housing"])
    assert ask(directory).eligible == []


def test_stale_means_review_overdue_or_never_verified(directory):
    overdue = ServiceFactory(directory=directory, name="Overdue")
    PathwayFactory(directory=directory, target_service=overdue, review_due=timezone.localdate() - timedelta(days=1))
    never = ServiceFactory(directory=directory, name="Never verified")
    PathwayFactory(directory=directory, target_service=never, last_verified=None, review_due=None)
    fresh = ServiceFactory(directory=directory, name="Fresh")
    PathwayFactory(directory=directory, target_service=fresh)
    result = ask(directory)
    assert [(o.service.name, o.stale) for o in result.eligible] == [
        ("Fresh", False),
        ("Never verified", True),
        ("Overdue", True),
    ]


# --- Search -----------------------------------------------------------------------------------------


def test_service_search_filters(directory):
    speech = ServiceFactory(
        directory=directory, name="Speech Co", needs=["speech-language"], minimum_age_months=0, maximum_age_months=72
    )
    ServiceFactory(directory=directory, name="Housing help", needs=["housing"], lgas=[places.HEPBURN])
    ServiceFactory(directory=directory, name="Teen clinic", minimum_age_months=144)

    def search(**kwargs):
        return [s.name for s in selectors.service_search(user=None, directory=directory, **kwargs)]

    assert search(q="speech") == ["Speech Co"]
    assert search(need=need("housing")) == ["Housing help"]
    assert search(age_months=24) == ["Housing help", "Speech Co"]
    assert search(place=places.resolve_place("3350")) == ["Speech Co", "Teen clinic"]
    assert search(q="co", need=need("speech-language"), age_months=30) == [speech.name]


def test_service_search_costs_the_same_queries_for_ten_or_forty_services(directory):
    def count(n: int) -> int:
        for i in range(n):
            ServiceFactory(directory=directory, name=f"S{n}-{i}", needs=["speech-language"], lgas=[places.BALLARAT])
        with CaptureQueriesContext(connection) as queries:
            list(selectors.service_search(user=None, directory=directory, need=need("speech-language")))
        return len(queries)

    assert count(10) == count(30)


def test_private_directories_and_hidden_services_are_for_their_coordinators_only(
    directory, coordinator, other_coordinator
):
    directory.is_public = False
    directory.save()
    ServiceFactory(directory=directory, name="Listed")
    ServiceFactory(directory=directory, name="Gone", status=Service.Status.DEFUNCT)
    assert list(selectors.service_search(user=None)) == []
    assert list(selectors.service_search(user=other_coordinator)) == []
    assert {s.name for s in selectors.service_search(user=coordinator)} == {"Listed", "Gone"}
    staff = UserFactory(is_staff=True)
    assert {s.name for s in selectors.service_search(user=staff)} == {"Listed", "Gone"}
