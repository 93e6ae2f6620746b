"""The directory's own taxonomies (HSDS taxonomy + terms): needs, sectors, referrer roles, age groups, flags.

Ids are UUIDv5 names under one namespace, so every installation gives a term the same id and an HSDS
file exported here imports elsewhere with its terms intact. A data migration creates them; the
selectors and forms find them by taxonomy key and term code.
"""

import uuid

NAMESPACE = uuid.UUID("6f1d0c1e-5b7a-4c59-9a51-2a8e3c7d4b10")

NEEDS = "needs"
SECTORS = "sectors"
REFERRER_ROLES = "referrer-roles"
AGE_GROUPS = "age-groups"
FLAGS = "flags"

# Attribute link types: what a term says about a service.
LINK_NEED = "need"
LINK_SECTOR = "sector"
LINK_AGE_GROUP = "age_group"
LINK_REFERRER = "referrer_role"  # who may refer to the service
LINK_PRACTITIONER = "practitioner_role"  # the roles the service's own practitioners hold (a GP clinic: GP)
LINK_FLAG = "flag"

PARENT_SELF = "parent-self"  # the referrer role of a family referring itself

TAXONOMIES = {
    NEEDS: ("Crossroads needs", "What a child or family needs help with."),
    SECTORS: ("Crossroads sectors", "The sector a service belongs to."),
    REFERRER_ROLES: ("Crossroads referrer roles", "Who refers: professional roles, and families themselves."),
    AGE_GROUPS: ("Crossroads age groups", "The ages a service is meant for."),
    FLAGS: ("Crossroads service flags", "Facts about a service that matter when choosing where to refer."),
}

TERMS: dict[str, list[tuple[str, str, str]]] = {
    NEEDS: [
        (
            "speech-language",
            "Speech and language",
            "Talking, understanding, stuttering, voice, feeding and swallowing.",
        ),
        ("development", "Development", "Developmental delay or concerns across motor, learning and play."),
        ("behaviour", "Behaviour", "Behaviour that worries the family or the setting."),
        ("infant-child-mental-health", "Infant and child mental health", "Emotional wellbeing, anxiety, trauma."),
        ("parenting", "Parenting", "Parenting support, sleep, settling and routines."),
        ("family-violence", "Family violence", "Safety and support for families experiencing family violence."),
        ("child-safety-wellbeing", "Child safety and wellbeing", "Concerns for a child's safety or wellbeing."),
        ("disability", "Disability", "Disability support, NDIS and early childhood approach."),
        ("housing", "Housing", "Homelessness or housing stress."),
        ("financial-hardship", "Financial hardship", "Money worries, material aid, financial counselling."),
        ("perinatal", "Perinatal", "Pregnancy and the first year: perinatal mental health and support."),
        ("aod-family", "Alcohol and other drugs in the family", "A parent's or carer's alcohol or drug use."),
        ("school-engagement", "School engagement", "School refusal, attendance and engagement."),
        ("hearing-vision", "Hearing and vision", "Hearing or vision checks and assessment."),
        ("physical-health", "Physical health", "General health, growth, feeding and illness."),
    ],
    SECTORS: [
        ("health", "Health", "Medical, nursing and allied health services."),
        ("education-and-care", "Education and care", "Early childhood education and care, kindergartens, schools."),
        (
            "community-services",
            "Community services",
            "Family services, family violence, housing and community support.",
        ),
    ],
    REFERRER_ROLES: [
        ("gp", "General practitioner (GP)", ""),
        ("paediatrician", "Paediatrician", ""),
        ("mch-nurse", "Maternal and child health nurse", ""),
        ("early-childhood-educator", "Early childhood educator", "Kindergarten and long day care educators."),
        ("school-wellbeing", "School wellbeing staff", ""),
        ("allied-health", "Allied health professional", "Speech pathology, OT, physiotherapy, psychology."),
        ("family-worker", "Family worker", "Family services, case management, family violence workers."),
        (PARENT_SELF, "Parent or carer (self-referral)", "The family refers itself."),
    ],
    AGE_GROUPS: [
        ("infants", "Infants (0–12 months)", ""),
        ("toddlers", "Toddlers (1–3 years)", ""),
        ("preschool", "Preschool (3–5 years)", ""),
        ("school-age", "School age (5–12 years)", ""),
        ("adolescents", "Adolescents (12–18 years)", ""),
        ("parents-carers", "Parents and carers", ""),
    ],
    FLAGS: [
        ("acco", "Aboriginal Community Controlled Organisation", ""),
        ("culturally-safe", "Culturally safe", "Works in culturally safe ways with Aboriginal and diverse families."),
        ("interpreter", "Interpreter available", ""),
        ("bulk-billed", "Bulk-billed", "No gap for families with a Medicare card."),
        ("ndis-early-childhood", "NDIS early childhood", "An NDIS early childhood partner or provider."),
        ("free", "Free", "No cost to families."),
        ("self-referral", "Takes self-referrals", ""),
        ("any-professional", "Takes referrals from any professional", ""),
    ],
}

# Service boolean fields exported (and imported) as attributes of the flags taxonomy.
FLAG_FIELDS = {
    "acco": "is_acco",
    "culturally-safe": "is_culturally_safe",
    "interpreter": "has_interpreter",
    "bulk-billed": "is_bulk_billed",
    "ndis-early-childhood": "is_ndis_early_childhood",
    "free": "is_free",
    "self-referral": "accepts_self_referral",
    "any-professional": "accepts_any_professional",
}

# Which attribute link type each of our taxonomies is used with.
LINK_TYPES = {
    NEEDS: LINK_NEED,
    SECTORS: LINK_SECTOR,
    AGE_GROUPS: LINK_AGE_GROUP,
    REFERRER_ROLES: LINK_REFERRER,
    FLAGS: LINK_FLAG,
}


def taxonomy_id(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"taxonomy:{key}")


def term_id(key: str, code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"term:{key}:{code}")


def derived_id(*parts) -> uuid.UUID:
    """A stable id for a record the export derives (a flag attribute of a service, say)."""
    return uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts))


def sync_vocabulary(Taxonomy, TaxonomyTerm) -> None:
    """Create or update our taxonomies and terms (models passed in, so a migration can call it)."""
    for key, (name, description) in TAXONOMIES.items():
        taxonomy, _ = Taxonomy.objects.update_or_create(
            id=taxonomy_id(key), defaults={"key": key, "name": name, "description": description, "version": "1"}
        )
        for ordering, (code, term_name, term_description) in enumerate(TERMS[key]):
            TaxonomyTerm.objects.update_or_create(
                id=term_id(key, code),
                defaults={
                    "taxonomy": taxonomy,
                    "code": code,
                    "name": term_name,
                    "description": term_description,
                    "taxonomy_name": name,
                    "language": "en",
                    "ordering": ordering,
                },
            )


# Needs about safety: "where can I refer?" opens with the immediate-danger prompt for them (and for urgent requests).
SAFETY_NEEDS = frozenset({"family-violence", "child-safety-wellbeing"})

# Needs that imply each other, given to every new directory (coordinators edit them per directory).
DEFAULT_NEED_RELATIONS = [("family-violence", "child-safety-wellbeing")]


def add_default_need_relations(directory, NeedRelation, TaxonomyTerm) -> None:
    """Give a directory the default related needs (models passed in, so a migration can call it)."""
    for code, related_code in DEFAULT_NEED_RELATIONS:
        need = TaxonomyTerm.objects.filter(id=term_id(NEEDS, code)).first()
        related = TaxonomyTerm.objects.filter(id=term_id(NEEDS, related_code)).first()
        if need is not None and related is not None:
            NeedRelation.objects.get_or_create(directory=directory, need=need, related_need=related)
