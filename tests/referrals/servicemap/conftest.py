from datetime import timedelta

import pytest
from django.utils import timezone

from referrals import vocabulary
from referrals.models import Attribute
from tests.referrals.factories import DirectoryFactory, PathwayFactory, ServiceFactory, role, term


def _sector(service, code):
    Attribute.objects.create(
        directory=service.directory,
        service=service,
        taxonomy_term=term(vocabulary.SECTORS, code),
        link_type=vocabulary.LINK_SECTOR,
    )


@pytest.fixture
def network(partnership):
    """A small network worked out by hand (see test_selectors):

    GP ──development──▶ Access ──speech──▶ Speech
    GP ──development──▶ Paeds ◀──development── Access (alternative: Speech)
    MCH ──speech──▶ Access (review overdue)
    Orphan (nobody refers to it; review overdue)
    """
    directory = DirectoryFactory(partnership=partnership, name="Ballarat directory")
    past = timezone.localdate() - timedelta(days=5)
    access = ServiceFactory(
        directory=directory, name="Access", minimum_age_months=0, maximum_age_months=59, is_acco=True
    )
    speech = ServiceFactory(
        directory=directory, name="Speech", needs=["speech-language"], minimum_age_months=0, maximum_age_months=72
    )
    paeds = ServiceFactory(directory=directory, name="Paeds", needs=["development"], postcodes=["3350"])
    orphan = ServiceFactory(directory=directory, name="Orphan", review_due=past)
    for service, code in ((access, "community-services"), (speech, "health"), (paeds, "health")):
        _sector(service, code)
    _sector(orphan, "community-services")
    p = {
        "gp_access": PathwayFactory(
            directory=directory, source_role=role("gp"), target_service=access, needs=["development"]
        ),
        "gp_paeds": PathwayFactory(
            directory=directory, source_role=role("gp"), target_service=paeds, needs=["development"]
        ),
        "mch_access": PathwayFactory(
            directory=directory,
            source_role=role("mch-nurse"),
            target_service=access,
            needs=["speech-language"],
            review_due=past,
            urgent_target_days=7,
        ),
        "access_speech": PathwayFactory(
            directory=directory, source_role=None, source_service=access, target_service=speech, method="online_form"
        ),
        "access_paeds": PathwayFactory(
            directory=directory,
            source_role=None,
            source_service=access,
            target_service=paeds,
            needs=["development"],
            alternatives=[speech],
        ),
    }
    return {"directory": directory, "access": access, "speech": speech, "paeds": paeds, "orphan": orphan, **p}
