"""Demo directory for `manage.py seed_demo`: a fictional but plausible Ballarat-region service system.

About 40 services across health, education and care, and community services, and about 80 pathways
between them. Every organisation, service, phone number (ACMA's drama range 03 5550 xxxx) and address
here is made up; the directory is flagged `is_demo`, so every page says so. Idempotent: services are
matched by name and pathways by (source, target), and only what is missing is added.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.demo import COORDINATOR_EMAIL
from accounts.models import Partnership, User

from . import places, services, vocabulary
from .models import (
    Address,
    Attribute,
    Directory,
    Language,
    Location,
    Organization,
    Pathway,
    PathwayRevision,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from .where_index import where_index_rebuild

BALLARAT, GOLDEN_PLAINS, HEPBURN, MOORABOOL = places.BALLARAT, places.GOLDEN_PLAINS, places.HEPBURN, places.MOORABOOL
CENTRAL_HIGHLANDS = [BALLARAT, GOLDEN_PLAINS, HEPBURN, MOORABOOL]
YEARS = 12  # months

ORGANIZATIONS = {
    "council": (
        "Ballarat City Council — Family and Children's Services",
        "Local government: maternal and child health, kindergarten enrolment, supported playgroups.",
    ),
    "gp-sturt": ("Sturt Street Medical Clinic", "A general practice in Ballarat Central."),
    "gp-wendouree": ("Wendouree Family Practice", "A bulk-billing general practice."),
    "gp-buninyong": ("Buninyong Medical Centre", "A general practice in Buninyong."),
    "childrens-clinic": ("Ballarat Children's Clinic", "Private consulting paediatricians."),
    "regional-health": ("Central Highlands Regional Health", "The public hospital and its outpatient clinics."),
    "community-health": (
        "Lakeside Community Health",
        "Community health: allied health, counselling, health promotion.",
    ),
    "talk-together": ("Talk Together Speech Pathology", "A private paediatric speech pathology practice."),
    "little-steps": ("Little Steps Therapy", "Private paediatric occupational therapy."),
    "hearing": ("Goldfields Children's Hearing Centre", "Hearing assessment and support for children."),
    "mental-health": (
        "Central Highlands Infant, Child and Youth Mental Health",
        "Specialist public mental health for 0–25-year-olds.",
    ),
    "acco": (
        "Wadawurrung Community Health and Family Services (fictional ACCO)",
        "An Aboriginal Community Controlled Organisation: health, maternal and child health and family support.",
    ),
    "education": (
        "Department of Education — Central Highlands",
        "Student Support Services and the Preschool Field Officer program.",
    ),
    "kinder-sebastopol": ("Sebastopol Community Kindergarten", "A community-managed kindergarten."),
    "early-learning": ("Wendouree Early Learning", "Long day care with a funded kindergarten program."),
    "access-point": (
        "The Orange Door — Central Highlands (demo)",
        (
            "The access point for family violence support, families needing help with children's wellbeing, and family"
            " services."
        ),
    ),
    "family-services": (
        "Goldfields Child and Family Services",
        "Integrated family services, parenting programs and family violence support.",
    ),
    "dffh": ("Child Protection — Central Highlands", "Statutory child protection (the Department)."),
    "housing": ("Central Highlands Housing Access", "Homelessness entry point and housing support."),
    "financial": ("Ballarat Financial Counselling", "Free, independent financial counselling."),
    "aod": ("Goldfields Alcohol and Drug Service", "Alcohol and other drug treatment and family support."),
    "ndis-partner": ("Brightpath Early Childhood Partners", "The NDIS early childhood partner for the region."),
    "multicultural": (
        "Ballarat Multicultural Family Services",
        "Settlement and family support for migrant and refugee families.",
    ),
    "golden-plains": ("Golden Plains Shire — Family Services", "Maternal and child health in Golden Plains Shire."),
    "hepburn": ("Hepburn Shire — Family Services", "Maternal and child health in Hepburn Shire."),
    "moorabool-health": ("Moorabool Community Health", "Community health for Bacchus Marsh and Ballan."),
    "pantry": ("Ballarat Community Pantry", "Emergency relief and material aid."),
}

# key: service facts. ages in months; verified: days ago (None: never); overdue: review date has passed.
SERVICES: dict[str, dict] = {
    "mch-central": {
        "name": "Maternal and Child Health — Ballarat Central",
        "org": "council",
        "sectors": ["health"],
        "needs": ["development", "parenting", "perinatal", "physical-health", "speech-language", "hearing-vision"],
        "ages": (0, 6 * YEARS),
        "age_groups": ["infants", "toddlers", "preschool", "parents-carers"],
        "self": True,
        "anyprof": True,
        "practitioners": ["mch-nurse"],
        "lgas": [BALLARAT],
        "flags": ["free", "interpreter"],
        "phone": "03 5550 0101",
        "address": ("25 Armstrong Street South", "Ballarat Central", "3350"),
        "description": (
            "Free universal service for families with children from birth to school age: ten Key Ages and Stages "
            "visits, development checks, breastfeeding, sleep and parenting support."
        ),
        "eligibility": "Families living in the City of Ballarat with a child from birth to school age.",
        "intake": "Book through the council's family services line; first home visit follows the birth notification.",
        "verified": 30,
    },
    "mch-sebastopol": {
        "name": "Maternal and Child Health — Sebastopol",
        "org": "council",
        "sectors": ["health"],
        "needs": ["development", "parenting", "perinatal", "physical-health", "speech-language"],
        "ages": (0, 6 * YEARS),
        "age_groups": ["infants", "toddlers", "preschool"],
        "self": True,
        "anyprof": True,
        "practitioners": ["mch-nurse"],
        "lgas": [BALLARAT],
        "flags": ["free"],
        "phone": "03 5550 0102",
        "address": ("12 Albert Street", "Sebastopol", "3356"),
        "description": "The council's maternal and child health centre in Sebastopol, with a weekly drop-in session.",
        "eligibility": "Families living in the City of Ballarat with a child from birth to school age.",
        "verified": 75,
    },
    "enhanced-mch": {
        "name": "Enhanced Maternal and Child Health",
        "org": "council",
        "sectors": ["health"],
        "needs": ["parenting", "perinatal", "child-safety-wellbeing", "family-violence", "development"],
        "ages": (0, 3 * YEARS),
        "referrers": ["mch-nurse"],
        "practitioners": ["mch-nurse"],
        "lgas": [BALLARAT],
        "flags": ["free"],
        "capacity": "waitlist",
        "phone": "03 5550 0103",
        "address": ("25 Armstrong Street South", "Ballarat Central", "3350"),
        "description": (
            "More home visits for families who need extra support: mental health, family violence, disability, young "
            "parents."
        ),
        "eligibility": (
            "Families with a child under 3 and more than one risk factor; referred by their maternal and child health "
            "nurse."
        ),
        "verified": 200,
    },
    "gp-sturt": {
        "name": "Sturt Street Medical Clinic — general practice",
        "org": "gp-sturt",
        "sectors": ["health"],
        "needs": [
            "physical-health",
            "development",
            "speech-language",
            "behaviour",
            "infant-child-mental-health",
            "perinatal",
            "hearing-vision",
        ],
        "self": True,
        "anyprof": True,
        "practitioners": ["gp"],
        "flags": ["bulk-billed"],
        "phone": "03 5550 0201",
        "address": ("402 Sturt Street", "Ballarat Central", "3350"),
        "description": (
            "General practice. Children under 16 are bulk-billed. GPs can write chronic disease management plans and "
            "mental health care plans."
        ),
        "verified": 60,
    },
    "gp-wendouree": {
        "name": "Wendouree Family Practice",
        "org": "gp-wendouree",
        "sectors": ["health"],
        "needs": [
            "physical-health",
            "development",
            "speech-language",
            "behaviour",
            "infant-child-mental-health",
            "perinatal",
        ],
        "self": True,
        "anyprof": True,
        "practitioners": ["gp"],
        "flags": ["bulk-billed", "interpreter"],
        "phone": "03 5550 0202",
        "address": ("8 Howitt Street", "Wendouree", "3355"),
        "languages": ["English", "Arabic", "Dari", "Vietnamese"],
        "description": (
            "Bulk-billing general practice with a practice nurse and telephone interpreters; "
            "Dr Thảo Nguyễn sees families in Vietnamese."
        ),
        "verified": 20,
    },
    "gp-buninyong": {
        "name": "Buninyong Medical Centre",
        "org": "gp-buninyong",
        "sectors": ["health"],
        "needs": ["physical-health", "development", "speech-language", "behaviour", "perinatal"],
        "self": True,
        "anyprof": True,
        "practitioners": ["gp"],
        "phone": "03 5550 0203",
        "address": ("301 Learmonth Street", "Buninyong", "3357"),
        "fees": "Standard consultation $85; Medicare rebate applies.",
        "description": "General practice serving Buninyong and the south of Ballarat.",
        "verified": 400,
        "overdue": True,
    },
    "childrens-clinic": {
        "name": "Ballarat Children's Clinic — paediatricians",
        "org": "childrens-clinic",
        "sectors": ["health"],
        "needs": ["development", "behaviour", "speech-language", "physical-health", "infant-child-mental-health"],
        "ages": (0, 18 * YEARS),
        "referrers": ["gp", "paediatrician"],
        "practitioners": ["paediatrician"],
        "capacity": "waitlist",
        "phone": "03 5550 0301",
        "address": ("1 Drummond Street North", "Ballarat Central", "3350"),
        "fees": "Initial consultation $320, Medicare rebate about $160. Gap applies.",
        "description": "Consulting paediatricians: development, behaviour, sleep, growth and general paediatrics.",
        "eligibility": "Children and young people under 18 with a current GP or specialist referral.",
        "verified": 45,
    },
    "paed-outpatients": {
        "name": "Paediatric Outpatient Clinic",
        "org": "regional-health",
        "sectors": ["health"],
        "needs": ["development", "behaviour", "speech-language", "physical-health"],
        "ages": (0, 18 * YEARS),
        "referrers": ["gp", "paediatrician"],
        "practitioners": ["paediatrician"],
        "lgas": CENTRAL_HIGHLANDS,
        "flags": ["free"],
        "capacity": "waitlist",
        "phone": "03 5550 0302",
        "address": ("102 Drummond Street North", "Ballarat Central", "3350"),
        "description": "Public paediatric outpatients, triaged by urgency. No cost to families.",
        "eligibility": "Children under 18 living in the Central Highlands, with a GP referral.",
        "verified": 100,
    },
    "cdas": {
        "name": "Child Development Assessment Service",
        "org": "regional-health",
        "sectors": ["health"],
        "needs": ["development", "disability", "speech-language", "behaviour"],
        "ages": (0, 7 * YEARS),
        "referrers": ["paediatrician"],
        "practitioners": ["paediatrician", "allied-health"],
        "lgas": CENTRAL_HIGHLANDS,
        "flags": ["free"],
        "capacity": "waitlist",
        "phone": "03 5550 0303",
        "description": (
            "Multidisciplinary assessment (paediatrician, psychologist, speech pathologist) for autism and complex "
            "developmental concerns."
        ),
        "eligibility": "Children under 7 referred by a paediatrician after a first assessment.",
        "verified": 150,
    },
    "ch-speech": {
        "name": "Paediatric Speech Pathology",
        "org": "community-health",
        "sectors": ["health"],
        "needs": ["speech-language", "development"],
        "ages": (0, 6 * YEARS),
        "age_groups": ["toddlers", "preschool"],
        "self": True,
        "anyprof": True,
        "practitioners": ["allied-health"],
        "lgas": [BALLARAT, GOLDEN_PLAINS],
        "flags": ["free"],
        "capacity": "waitlist",
        "phone": "03 5550 0401",
        "address": ("104 Lydiard Street South", "Ballarat Central", "3350"),
        "description": (
            "Assessment and therapy for talking, understanding, stuttering and early literacy, in groups and one to "
            "one."
        ),
        "eligibility": "Children from birth to school entry living in the City of Ballarat or Golden Plains Shire.",
        "ineligibility": (
            "Children at school (see Student Support Services); children with an NDIS plan that funds speech pathology."
        ),
        "verified": 25,
    },
    "ch-ot": {
        "name": "Paediatric Occupational Therapy",
        "org": "community-health",
        "sectors": ["health"],
        "needs": ["development", "disability", "behaviour"],
        "ages": (0, 6 * YEARS),
        "self": True,
        "anyprof": True,
        "practitioners": ["allied-health"],
        "lgas": [BALLARAT, GOLDEN_PLAINS],
        "flags": ["free"],
        "phone": "03 5550 0402",
        "address": ("104 Lydiard Street South", "Ballarat Central", "3350"),
        "description": "Fine motor, play, self-care and sensory processing.",
        "eligibility": "Children from birth to school entry living in the City of Ballarat or Golden Plains Shire.",
        "verified": 90,
    },
    "ch-physio": {
        "name": "Paediatric Physiotherapy",
        "org": "community-health",
        "sectors": ["health"],
        "needs": ["development", "physical-health"],
        "ages": (0, 6 * YEARS),
        "self": True,
        "anyprof": True,
        "practitioners": ["allied-health"],
        "lgas": [BALLARAT],
        "flags": ["free"],
        "phone": "03 5550 0403",
        "description": "Gross motor development: crawling, walking, balance and coordination.",
        "verified": None,
    },
    "talk-together": {
        "name": "Talk Together Speech Pathology",
        "org": "talk-together",
        "sectors": ["health"],
        "needs": ["speech-language"],
        "ages": (18, 18 * YEARS),
        "self": True,
        "anyprof": True,
        "practitioners": ["allied-health"],
        "phone": "03 5550 0501",
        "address": ("20 Camp Street", "Ballarat Central", "3350"),
        "fees": (
            "$180 a session; Medicare rebates for five sessions with a GP chronic disease management plan; NDIS self- "
            "and plan-managed."
        ),
        "description": (
            "Private paediatric speech pathology: language, speech sounds, stuttering, social communication."
        ),
        "verified": 10,
    },
    "little-steps": {
        "name": "Little Steps Therapy — occupational therapy",
        "org": "little-steps",
        "sectors": ["health"],
        "needs": ["development", "behaviour", "disability"],
        "ages": (0, 12 * YEARS),
        "self": True,
        "anyprof": True,
        "practitioners": ["allied-health"],
        "phone": "03 5550 0502",
        "fees": "$190 a session; NDIS registered.",
        "description": "Private paediatric OT: sensory processing, fine motor, play and school readiness.",
        "verified": 50,
    },
    "hearing": {
        "name": "Children's Hearing Assessment",
        "org": "hearing",
        "sectors": ["health"],
        "needs": ["hearing-vision", "speech-language"],
        "ages": (0, 18 * YEARS),
        "self": True,
        "anyprof": True,
        "practitioners": ["allied-health"],
        "flags": ["free"],
        "phone": "03 5550 0601",
        "address": ("7 Mair Street East", "Ballarat Central", "3350"),
        "description": "Hearing tests for babies and children; hearing aids and support. Free for children.",
        "verified": 35,
    },
    "icymhs": {
        "name": "Infant, Child and Youth Mental Health Service",
        "org": "mental-health",
        "sectors": ["health"],
        "needs": ["infant-child-mental-health", "behaviour", "perinatal"],
        "ages": (0, 25 * YEARS),
        "anyprof": True,
        "self": True,
        "practitioners": ["allied-health"],
        "lgas": CENTRAL_HIGHLANDS,
        "flags": ["free", "interpreter"],
        "capacity": "waitlist",
        "phone": "03 5550 0701",
        "description": (
            "Specialist mental health assessment and treatment for infants, children and young people with moderate to"
            " severe concerns."
        ),
        "eligibility": "0–25-year-olds in the Central Highlands with moderate to severe mental health concerns.",
        "ineligibility": "Mild concerns: see a GP for a mental health care plan.",
        "intake": "Triage line, weekdays 9 am to 5 pm. Out of hours: the hospital's emergency department.",
        "verified": 400,
        "overdue": True,
    },
    "perinatal": {
        "name": "Perinatal Emotional Health Program",
        "org": "mental-health",
        "sectors": ["health"],
        "needs": ["perinatal", "infant-child-mental-health", "parenting"],
        "ages": (0, 12),
        "age_groups": ["infants", "parents-carers"],
        "self": True,
        "referrers": ["mch-nurse", "gp"],
        "lgas": CENTRAL_HIGHLANDS,
        "flags": ["free"],
        "phone": "03 5550 0702",
        "description": (
            "Support for parents with moderate to severe anxiety or depression in pregnancy and the first year."
        ),
        "verified": 60,
    },
    "acco-health": {
        "name": "Koorie Maternal and Child Health and Family Health",
        "org": "acco",
        "sectors": ["health"],
        "needs": ["development", "parenting", "perinatal", "physical-health", "speech-language", "hearing-vision"],
        "ages": (0, 6 * YEARS),
        "self": True,
        "anyprof": True,
        "practitioners": ["mch-nurse", "gp"],
        "lgas": CENTRAL_HIGHLANDS,
        "flags": ["acco", "culturally-safe", "free", "bulk-billed"],
        "phone": "03 5550 0801",
        "address": ("40 Peel Street North", "Ballarat Central", "3350"),
        "description": (
            "Culturally safe maternal and child health, GP clinics and ear health checks for Aboriginal and Torres "
            "Strait Islander families."
        ),
        "eligibility": "Aboriginal and Torres Strait Islander children and their families, and children in their care.",
        "verified": 14,
    },
    "acco-family": {
        "name": "Aboriginal Family Support",
        "org": "acco",
        "sectors": ["community-services"],
        "needs": ["parenting", "child-safety-wellbeing", "family-violence", "housing", "financial-hardship"],
        "self": True,
        "anyprof": True,
        "practitioners": ["family-worker"],
        "lgas": CENTRAL_HIGHLANDS,
        "flags": ["acco", "culturally-safe", "free"],
        "phone": "03 5550 0802",
        "description": (
            "Family support by Aboriginal workers: parenting, keeping children safe at home, connection to culture."
        ),
        "verified": 120,
    },
    "kinder-enrolment": {
        "name": "Kindergarten Central Enrolment",
        "org": "council",
        "sectors": ["education-and-care"],
        "needs": ["development", "school-engagement"],
        "ages": (3 * YEARS, 6 * YEARS),
        "age_groups": ["preschool"],
        "self": True,
        "anyprof": True,
        "lgas": [BALLARAT],
        "flags": ["free"],
        "phone": "03 5550 0104",
        "description": (
            "One application for three- and four-year-old kindergarten at any council or community kindergarten. Free "
            "Kinder."
        ),
        "verified": 40,
    },
    "kinder-sebastopol": {
        "name": "Sebastopol Community Kindergarten",
        "org": "kinder-sebastopol",
        "sectors": ["education-and-care"],
        "needs": ["development", "school-engagement"],
        "ages": (3 * YEARS, 6 * YEARS),
        "self": True,
        "practitioners": ["early-childhood-educator"],
        "lgas": [BALLARAT],
        "flags": ["free"],
        "phone": "03 5550 0901",
        "address": ("5 Vickers Street", "Sebastopol", "3356"),
        "description": "Three- and four-year-old kindergarten programs; enrol through Kindergarten Central Enrolment.",
        "verified": 80,
    },
    "early-learning": {
        "name": "Wendouree Early Learning",
        "org": "early-learning",
        "sectors": ["education-and-care"],
        "needs": ["development", "parenting"],
        "ages": (6, 6 * YEARS),
        "self": True,
        "practitioners": ["early-childhood-educator"],
        "phone": "03 5550 0902",
        "address": ("90 Forest Street", "Wendouree", "3355"),
        "fees": "Long day care fees; Child Care Subsidy applies. The kindergarten program is free.",
        "description": "Long day care from 6 months with a funded kindergarten program.",
        "verified": 300,
    },
    "psfo": {
        "name": "Preschool Field Officer Program",
        "org": "education",
        "sectors": ["education-and-care"],
        "needs": ["development", "behaviour", "speech-language", "disability"],
        "ages": (3 * YEARS, 6 * YEARS),
        "referrers": ["early-childhood-educator"],
        "practitioners": ["early-childhood-educator"],
        "lgas": [BALLARAT, GOLDEN_PLAINS],
        "flags": ["free"],
        "phone": "03 5550 1001",
        "description": (
            "Supports kindergarten teachers to include children with additional needs; observation, strategies and "
            "referral advice."
        ),
        "eligibility": "Children enrolled in a funded kindergarten program, with the parent's consent.",
        "verified": 55,
    },
    "sss": {
        "name": "Student Support Services",
        "org": "education",
        "sectors": ["education-and-care"],
        "needs": ["school-engagement", "speech-language", "behaviour", "infant-child-mental-health", "development"],
        "ages": (5 * YEARS, 18 * YEARS),
        "referrers": ["school-wellbeing"],
        "practitioners": ["allied-health"],
        "lgas": CENTRAL_HIGHLANDS,
        "flags": ["free"],
        "phone": "03 5550 1002",
        "description": "Psychologists, speech pathologists and social workers for students at government schools.",
        "eligibility": "Students at government schools, referred by the school.",
        "verified": 110,
    },
    "orange-door": {
        "name": "The Orange Door — Central Highlands",
        "org": "access-point",
        "sectors": ["community-services"],
        "needs": [
            "family-violence",
            "child-safety-wellbeing",
            "parenting",
            "aod-family",
            "housing",
            "financial-hardship",
        ],
        "self": True,
        "anyprof": True,
        "practitioners": ["family-worker"],
        "lgas": CENTRAL_HIGHLANDS,
        "flags": ["free", "interpreter"],
        "phone": "03 5550 1101",
        "address": ("115 Armstrong Street North", "Ballarat Central", "3350"),
        "description": (
            "The access point for family violence support, families who need help with children's wellbeing, and "
            "family services. (A demo stand-in for the real Orange Door.)"
        ),
        "intake": "Phone, walk in or the online professional referral form. Interpreters on request.",
        "verified": 7,
    },
    "family-services": {
        "name": "Integrated Family Services",
        "org": "family-services",
        "sectors": ["community-services"],
        "needs": ["parenting", "child-safety-wellbeing", "behaviour", "aod-family", "family-violence"],
        "ages": (0, 18 * YEARS),
        "access_point": "orange-door",
        "practitioners": ["family-worker"],
        "lgas": CENTRAL_HIGHLANDS,
        "flags": ["free"],
        "capacity": "waitlist",
        "phone": "03 5550 1201",
        "description": "Case management for families with children, to keep children safe and well at home.",
        "eligibility": (
            "Families with children under 18 whose wellbeing is a concern; referrals come through The Orange Door."
        ),
        "verified": 95,
    },
    "fv-service": {
        "name": "Family Violence Support Service",
        "org": "family-services",
        "sectors": ["community-services"],
        "needs": ["family-violence"],
        "access_point": "orange-door",
        "self": True,
        "practitioners": ["family-worker"],
        "lgas": CENTRAL_HIGHLANDS,
        "flags": ["free", "interpreter"],
        "phone": "03 5550 1202",
        "description": (
            "Specialist support for women and children experiencing family violence: safety planning, case management,"
            " counselling."
        ),
        "intake": "In danger now: call 000. Otherwise through The Orange Door, or 1800RESPECT at any hour.",
        "verified": 30,
    },
    "child-protection": {
        "name": "Child Protection — report a concern",
        "org": "dffh",
        "sectors": ["community-services"],
        "needs": ["child-safety-wellbeing", "family-violence"],
        "ages": (0, 18 * YEARS),
        "self": True,
        "anyprof": True,
        "flags": ["free"],
        "lgas": CENTRAL_HIGHLANDS,
        "phone": "03 5550 1301",
        "description": (
            "Report a concern that a child is at risk of significant harm. Mandatory reporters must report a belief of"
            " sexual or physical abuse."
        ),
        "intake": (
            "Intake line during business hours; the after-hours line otherwise. A child in immediate danger: 000."
        ),
        "verified": 20,
    },
    "cos-parenting": {
        "name": "Circle of Security Parenting Group",
        "org": "family-services",
        "sectors": ["community-services"],
        "needs": ["parenting", "behaviour", "infant-child-mental-health"],
        "ages": (0, 6 * YEARS),
        "age_groups": ["parents-carers"],
        "self": True,
        "anyprof": True,
        "lgas": CENTRAL_HIGHLANDS,
        "flags": ["free"],
        "phone": "03 5550 1203",
        "description": "An eight-week group for parents of children under 6 about children's emotional needs.",
        "verified": 180,
    },
    "tuning-in": {
        "name": "Tuning in to Kids",
        "org": "community-health",
        "sectors": ["community-services"],
        "needs": ["parenting", "behaviour", "infant-child-mental-health"],
        "ages": (3 * YEARS, 10 * YEARS),
        "age_groups": ["parents-carers"],
        "self": True,
        "anyprof": True,
        "lgas": [BALLARAT, GOLDEN_PLAINS, HEPBURN],
        "flags": ["free"],
        "phone": "03 5550 0404",
        "description": "A six-session parenting program on emotion coaching for parents of 3–10-year-olds.",
        "verified": None,
    },
    "playgroups": {
        "name": "Supported Playgroups",
        "org": "council",
        "sectors": ["community-services"],
        "needs": ["parenting", "development", "speech-language"],
        "ages": (0, 5 * YEARS),
        "self": True,
        "anyprof": True,
        "lgas": [BALLARAT],
        "flags": ["free"],
        "phone": "03 5550 0105",
        "description": "Weekly facilitated playgroups with a focus on language-rich play, in four neighbourhoods.",
        "verified": 65,
    },
    "housing": {
        "name": "Housing Entry Point",
        "org": "housing",
        "sectors": ["community-services"],
        "needs": ["housing", "financial-hardship", "family-violence"],
        "self": True,
        "anyprof": True,
        "practitioners": ["family-worker"],
        "lgas": CENTRAL_HIGHLANDS,
        "flags": ["free"],
        "phone": "03 5550 1401",
        "description": "Assessment and support for people who are homeless or at risk, including crisis accommodation.",
        "verified": 240,
    },
    "financial": {
        "name": "Financial Counselling",
        "org": "financial",
        "sectors": ["community-services"],
        "needs": ["financial-hardship"],
        "self": True,
        "anyprof": True,
        "flags": ["free", "interpreter"],
        "lgas": CENTRAL_HIGHLANDS,
        "phone": "03 5550 1501",
        "description": "Free, confidential help with debts, bills and money worries.",
        "verified": 100,
    },
    "pantry": {
        "name": "Emergency Relief and Material Aid",
        "org": "pantry",
        "sectors": ["community-services"],
        "needs": ["financial-hardship", "housing"],
        "self": True,
        "anyprof": True,
        "flags": ["free"],
        "phone": "03 5550 1502",
        "description": "Food parcels, vouchers and children's clothing.",
        "verified": 500,
        "overdue": True,
    },
    "aod-family": {
        "name": "Family Alcohol and Drug Support",
        "org": "aod",
        "sectors": ["community-services", "health"],
        "needs": ["aod-family", "parenting"],
        "self": True,
        "anyprof": True,
        "practitioners": ["family-worker"],
        "lgas": CENTRAL_HIGHLANDS,
        "flags": ["free"],
        "phone": "03 5550 1601",
        "description": "Counselling and support for parents using alcohol or other drugs, and for their families.",
        "verified": 70,
    },
    "ndis-partner": {
        "name": "NDIS Early Childhood Partner",
        "org": "ndis-partner",
        "sectors": ["community-services", "health"],
        "needs": ["development", "disability", "speech-language", "behaviour"],
        "ages": (0, 9 * YEARS),
        "self": True,
        "anyprof": True,
        "practitioners": ["allied-health"],
        "lgas": CENTRAL_HIGHLANDS,
        "flags": ["free", "ndis-early-childhood"],
        "phone": "03 5550 1701",
        "address": ("33 Mair Street West", "Ballarat Central", "3350"),
        "description": (
            "Early supports for children under 9 with developmental delay or disability, and help to apply for the "
            "NDIS. No diagnosis needed."
        ),
        "verified": 15,
    },
    "multicultural": {
        "name": "Multicultural Family Support",
        "org": "multicultural",
        "sectors": ["community-services"],
        "needs": ["parenting", "housing", "financial-hardship", "school-engagement", "child-safety-wellbeing"],
        "self": True,
        "anyprof": True,
        "practitioners": ["family-worker"],
        "lgas": [BALLARAT],
        "flags": ["free", "interpreter", "culturally-safe"],
        "phone": "03 5550 1801",
        "languages": ["English", "Arabic", "Dari", "Karen", "Swahili"],
        "description": "Settlement and family support for migrant and refugee families, with bilingual workers.",
        "verified": 130,
    },
    "mch-golden-plains": {
        "name": "Maternal and Child Health — Golden Plains",
        "org": "golden-plains",
        "sectors": ["health"],
        "needs": ["development", "parenting", "perinatal", "speech-language", "physical-health"],
        "ages": (0, 6 * YEARS),
        "self": True,
        "anyprof": True,
        "practitioners": ["mch-nurse"],
        "lgas": [GOLDEN_PLAINS],
        "flags": ["free"],
        "phone": "03 5550 1901",
        "address": ("2 Heales Street", "Smythesdale", "3351"),
        "description": "Maternal and child health for families living in Golden Plains Shire.",
        "verified": 90,
    },
    "mch-hepburn": {
        "name": "Maternal and Child Health — Hepburn",
        "org": "hepburn",
        "sectors": ["health"],
        "needs": ["development", "parenting", "perinatal", "speech-language", "physical-health"],
        "ages": (0, 6 * YEARS),
        "self": True,
        "anyprof": True,
        "practitioners": ["mch-nurse"],
        "lgas": [HEPBURN],
        "flags": ["free"],
        "phone": "03 5550 2001",
        "address": ("68 Albert Street", "Creswick", "3363"),
        "description": "Maternal and child health for families in Hepburn Shire: Creswick, Daylesford and Clunes.",
        "verified": 160,
    },
    "moorabool-speech": {
        "name": "Speech Pathology — Bacchus Marsh",
        "org": "moorabool-health",
        "sectors": ["health"],
        "needs": ["speech-language", "development"],
        "ages": (0, 6 * YEARS),
        "self": True,
        "anyprof": True,
        "practitioners": ["allied-health"],
        "lgas": [MOORABOOL],
        "flags": ["free"],
        "phone": "03 5550 2101",
        "description": "Paediatric speech pathology for families living in Moorabool Shire.",
        "eligibility": "Children from birth to school entry living in Moorabool Shire.",
        "verified": 60,
    },
}

SPEECH_INCLUDE = (
    "Parent's concerns; words or sentences the child uses; hearing test result if known; other services involved; "
    "interpreter needs."
)
DEV_INCLUDE = (
    "Development history, the Key Ages and Stages or ASQ results, concerns from home and kinder, other services "
    "involved."
)

# (key, source: "role:<code>" or a service key, target, needs, facts)
PATHWAYS: list[tuple[str, str, str, list[str], dict]] = [
    # Speech and language, development: the done-when case and its neighbours.
    (
        "mch-ch-speech",
        "role:mch-nurse",
        "ch-speech",
        ["speech-language", "development"],
        {
            "method": "online_form",
            "form_url": "https://example.org/lakeside/referral",
            "how_to_refer": "Lakeside's online referral form, or fax 03 5550 0499.",
            "information_to_include": SPEECH_INCLUDE,
            "pre_referral_workup": (
                "Ask whether the child has had a hearing test; refer to Children's Hearing Assessment at the same time"
                " if not."
            ),
            "consent_basis": "The parent's consent, recorded in the child's MCH record.",
            "cost": "Free.",
            "typical_wait_days": 120,
            "routine_target_days": 120,
            "urgent_target_days": 30,
            "urgent_criteria": "No words at 18 months, loss of words, or stuttering with distress.",
            "alternatives": ["talk-together", "playgroups", "ndis-partner"],
            "alternatives_note": (
                "If the wait is too long: a private speech pathologist (a GP chronic disease management plan gives "
                "Medicare rebates for five sessions), supported playgroups meanwhile, or the NDIS early childhood "
                "partner for delays in more than one area."
            ),
            "evidence_source": "Lakeside Community Health intake criteria, checked by phone with the intake team.",
            "verified": 25,
            "referrers": ["early-childhood-educator", "allied-health"],
            "self_referral": True,
        },
    ),
    (
        "mch-talk-together",
        "role:mch-nurse",
        "talk-together",
        ["speech-language"],
        {
            "method": "email",
            "how_to_refer": "Email referrals@talktogether.example.org, or the family books directly.",
            "information_to_include": SPEECH_INCLUDE,
            "cost": "$180 a session; ask the GP about a chronic disease management plan for Medicare rebates.",
            "typical_wait_days": 21,
            "any_professional": True,
            "self_referral": True,
            "evidence_source": "The practice's website and a call to reception.",
            "verified": 10,
        },
    ),
    (
        "mch-hearing",
        "role:mch-nurse",
        "hearing",
        ["hearing-vision", "speech-language"],
        {
            "method": "phone",
            "how_to_refer": "Call the centre to book; families may book themselves.",
            "information_to_include": "Newborn hearing screen result, ear infections, speech concerns.",
            "cost": "Free.",
            "typical_wait_days": 14,
            "any_professional": True,
            "self_referral": True,
            "evidence_source": "The centre's booking team.",
            "verified": 35,
        },
    ),
    (
        "mch-ndis",
        "role:mch-nurse",
        "ndis-partner",
        ["development", "speech-language", "disability", "behaviour"],
        {
            "method": "online_form",
            "form_url": "https://example.org/brightpath/refer",
            "how_to_refer": "Online form, or the family calls.",
            "information_to_include": DEV_INCLUDE,
            "pre_referral_workup": "No diagnosis needed.",
            "consent_basis": "Parent's consent.",
            "cost": "Free.",
            "typical_wait_days": 28,
            "any_professional": True,
            "self_referral": True,
            "evidence_source": "Brightpath's referral guide.",
            "verified": 15,
        },
    ),
    (
        "mch-playgroups",
        "role:mch-nurse",
        "playgroups",
        ["speech-language", "development", "parenting"],
        {
            "method": "phone",
            "how_to_refer": (
                "Call the council's family services line, or a warm introduction at a Key Ages and Stages visit."
            ),
            "information_to_include": "Family's preferred neighbourhood and day.",
            "cost": "Free.",
            "typical_wait_days": 7,
            "any_professional": True,
            "self_referral": True,
            "evidence_source": "Council's playgroup coordinator.",
            "verified": 65,
        },
    ),
    (
        "mch-moorabool-speech",
        "role:mch-nurse",
        "moorabool-speech",
        ["speech-language", "development"],
        {
            "method": "phone",
            "how_to_refer": "Call intake.",
            "information_to_include": SPEECH_INCLUDE,
            "typical_wait_days": 60,
            "any_professional": True,
            "self_referral": True,
            "evidence_source": "Moorabool Community Health's intake team.",
            "verified": 60,
        },
    ),
    (
        "mch-acco-health",
        "role:mch-nurse",
        "acco-health",
        ["speech-language", "development", "hearing-vision", "parenting", "perinatal"],
        {
            "method": "warm_handover",
            "how_to_refer": "With the family's agreement, call the Koorie MCH team and introduce the family.",
            "information_to_include": "What the family would like help with; who else is involved.",
            "consent_basis": "The family's agreement to the introduction.",
            "cost": "Free.",
            "typical_wait_days": 7,
            "any_professional": True,
            "self_referral": True,
            "evidence_source": "Koorie MCH team leader.",
            "verified": 14,
        },
    ),
    # MCH nurse to GPs (the first step of two-step routes to paediatricians).
    *[
        (
            f"mch-{gp}",
            "role:mch-nurse",
            gp,
            ["speech-language", "development", "behaviour", "physical-health", "hearing-vision"],
            {
                "method": "letter",
                "how_to_refer": "A letter for the family to take to their GP, or a secure message to the practice.",
                "information_to_include": (
                    "The concern, the Key Ages and Stages or ASQ results, and what you are asking the GP to do (e.g. "
                    "refer to a paediatrician)."
                ),
                "cost": "Bulk-billed for children." if gp != "gp-buninyong" else "Standard fees; Medicare rebate.",
                "typical_wait_days": days,
                "any_professional": True,
                "self_referral": True,
                "evidence_source": "Practice managers.",
                "verified": verified,
            },
        )
        for gp, days, verified in (("gp-sturt", 5, 60), ("gp-wendouree", 3, 20), ("gp-buninyong", 7, 400))
    ],
    # GPs (as a role) to paediatrics: the second step.
    (
        "gp-childrens-clinic",
        "role:gp",
        "childrens-clinic",
        ["development", "behaviour", "speech-language", "physical-health", "infant-child-mental-health"],
        {
            "method": "e_referral",
            "how_to_refer": "Secure e-referral (HealthLink) addressed to the clinic, or fax 03 5550 0399.",
            "information_to_include": (
                "The reason, development history, growth chart, hearing and vision results, medications, reports from "
                "MCH, kinder or therapists."
            ),
            "pre_referral_workup": (
                "Hearing test for speech concerns; iron studies and thyroid function where indicated."
            ),
            "consent_basis": "Patient (parent) consent in the consultation.",
            "cost": "Gap fee applies: initial consultation $320, Medicare rebate about $160.",
            "typical_wait_days": 90,
            "urgent_target_days": 14,
            "urgent_criteria": "Regression, suspected neglect or failure to thrive: call to discuss.",
            "routine_target_days": 120,
            "referrers": ["paediatrician"],
            "red_flags": "Loss of skills; no babbling by 12 months; no words by 16 months; any loss of language.",
            "escalation": "Call the clinic's practice nurse and ask for the on-call paediatrician.",
            "alternatives": ["paed-outpatients"],
            "alternatives_note": (
                "If the family cannot meet the cost: the public paediatric outpatient clinic (longer wait)."
            ),
            "evidence_source": "Clinic referral guidelines.",
            "verified": 45,
        },
    ),
    (
        "gp-paed-outpatients",
        "role:gp",
        "paed-outpatients",
        ["development", "behaviour", "speech-language", "physical-health"],
        {
            "method": "e_referral",
            "how_to_refer": (
                "Public outpatient referral via the state referral form, addressed to the Paediatric Clinic."
            ),
            "information_to_include": (
                "Reason, history, examination, results, and whether the family can attend a private clinic."
            ),
            "pre_referral_workup": "Hearing test for speech concerns.",
            "cost": "Free.",
            "typical_wait_days": 180,
            "urgent_target_days": 30,
            "routine_target_days": 365,
            "urgent_criteria": "Category 1: regression or serious concern for health.",
            "red_flags": "Regression; failure to thrive.",
            "escalation": "Call the paediatric registrar through switchboard.",
            "referrers": ["paediatrician"],
            "alternatives": ["childrens-clinic"],
            "evidence_source": "Statewide referral criteria for paediatrics.",
            "verified": 100,
        },
    ),
    (
        "paed-cdas",
        "role:paediatrician",
        "cdas",
        ["development", "disability", "speech-language", "behaviour"],
        {
            "method": "letter",
            "how_to_refer": "Referral letter from the paediatrician after a first assessment.",
            "information_to_include": (
                "Paediatric assessment, questions for the team, reports from kinder and therapists."
            ),
            "cost": "Free.",
            "typical_wait_days": 180,
            "evidence_source": "CDAS referral guidelines.",
            "verified": 150,
        },
    ),
    (
        "childrens-clinic-cdas",
        "childrens-clinic",
        "cdas",
        ["development", "disability", "speech-language", "behaviour"],
        {
            "method": "letter",
            "how_to_refer": "The clinic's paediatrician writes to CDAS.",
            "information_to_include": "Paediatric assessment and reports.",
            "cost": "Free.",
            "typical_wait_days": 180,
            "evidence_source": "CDAS referral guidelines.",
            "verified": 150,
        },
    ),
    (
        "outpatients-cdas",
        "paed-outpatients",
        "cdas",
        ["development", "disability", "speech-language", "behaviour"],
        {
            "method": "e_referral",
            "how_to_refer": "Internal referral within the health service.",
            "information_to_include": "Paediatric assessment.",
            "cost": "Free.",
            "typical_wait_days": 150,
            "evidence_source": "CDAS referral guidelines.",
            "verified": 150,
        },
    ),
    (
        "paed-ch-speech",
        "role:paediatrician",
        "ch-speech",
        ["speech-language"],
        {
            "method": "letter",
            "how_to_refer": "Letter to Lakeside intake.",
            "information_to_include": SPEECH_INCLUDE,
            "typical_wait_days": 120,
            "evidence_source": "Lakeside intake.",
            "verified": 25,
        },
    ),
    (
        "gp-talk-together",
        "role:gp",
        "talk-together",
        ["speech-language"],
        {
            "method": "letter",
            "how_to_refer": "Chronic disease management plan and a referral letter.",
            "information_to_include": "The care plan and the concern.",
            "cost": "Medicare rebate for five sessions with a care plan.",
            "typical_wait_days": 21,
            "evidence_source": "Practice website.",
            "verified": 10,
        },
    ),
    (
        "gp-hearing",
        "role:gp",
        "hearing",
        ["hearing-vision", "speech-language"],
        {
            "method": "phone",
            "how_to_refer": "Call to book.",
            "information_to_include": "Ear history.",
            "typical_wait_days": 14,
            "evidence_source": "Centre booking team.",
            "verified": 35,
        },
    ),
    (
        "gp-icymhs",
        "role:gp",
        "icymhs",
        ["infant-child-mental-health", "behaviour"],
        {
            "method": "phone",
            "how_to_refer": "Call the triage line; send a referral letter after.",
            "information_to_include": "Presenting concerns, risk, current supports, medications.",
            "urgent_target_days": 3,
            "routine_target_days": 60,
            "typical_wait_days": 75,
            "urgent_criteria": "Risk to self or others.",
            "red_flags": "Suicidal thoughts, self-harm, psychosis.",
            "escalation": "Immediate risk: emergency department or 000.",
            "referrers": ["paediatrician", "school-wellbeing", "allied-health"],
            "alternatives": ["cos-parenting", "tuning-in"],
            "alternatives_note": "For mild concerns: a GP mental health care plan, or a parenting program.",
            "evidence_source": "ICYMHS triage guidelines.",
            "verified": 400,
        },
    ),
    (
        "mch-perinatal",
        "role:mch-nurse",
        "perinatal",
        ["perinatal", "infant-child-mental-health"],
        {
            "method": "phone",
            "how_to_refer": "Call the program; the parent can also call.",
            "information_to_include": "EPDS score, supports, risk.",
            "consent_basis": "Parent's consent.",
            "typical_wait_days": 14,
            "urgent_target_days": 2,
            "urgent_criteria": "EPDS item 10 positive.",
            "red_flags": "Thoughts of self-harm or of harming the baby.",
            "escalation": "Mental health triage or 000.",
            "referrers": ["gp"],
            "self_referral": True,
            "evidence_source": "Program coordinator.",
            "verified": 60,
        },
    ),
    (
        "mch-enhanced",
        "role:mch-nurse",
        "enhanced-mch",
        ["parenting", "perinatal", "child-safety-wellbeing", "family-violence"],
        {
            "method": "warm_handover",
            "how_to_refer": "Discuss at the MCH team meeting; the enhanced team lead allocates.",
            "information_to_include": "Risk factors, family's agreement, other services.",
            "consent_basis": "Family's agreement.",
            "typical_wait_days": 21,
            "evidence_source": "Council MCH program guidelines.",
            "verified": 200,
        },
    ),
    # Early childhood educators.
    (
        "educator-psfo",
        "role:early-childhood-educator",
        "psfo",
        ["development", "behaviour", "speech-language", "disability"],
        {
            "method": "online_form",
            "form_url": "https://example.org/psfo/request",
            "how_to_refer": "The kindergarten teacher completes the request with the parent.",
            "information_to_include": "Observations, strategies tried, parent's consent form.",
            "consent_basis": "Written parent consent.",
            "typical_wait_days": 30,
            "cost": "Free.",
            "evidence_source": "PSFO program guidelines.",
            "verified": 55,
        },
    ),
    (
        "educator-ch-speech",
        "role:early-childhood-educator",
        "ch-speech",
        ["speech-language"],
        {
            "method": "online_form",
            "form_url": "https://example.org/lakeside/referral",
            "how_to_refer": "With the parent, complete Lakeside's online form.",
            "information_to_include": SPEECH_INCLUDE,
            "consent_basis": "Parent's consent.",
            "typical_wait_days": 120,
            "evidence_source": "Lakeside intake.",
            "verified": 25,
        },
    ),
    (
        "educator-ndis",
        "role:early-childhood-educator",
        "ndis-partner",
        ["development", "disability", "behaviour", "speech-language"],
        {
            "method": "online_form",
            "form_url": "https://example.org/brightpath/refer",
            "how_to_refer": "Online form with the parent.",
            "information_to_include": DEV_INCLUDE,
            "consent_basis": "Parent's consent.",
            "typical_wait_days": 28,
            "evidence_source": "Brightpath referral guide.",
            "verified": 15,
        },
    ),
    (
        "psfo-ch-ot",
        "psfo",
        "ch-ot",
        ["development", "behaviour"],
        {
            "method": "online_form",
            "how_to_refer": "The field officer refers with the parent.",
            "information_to_include": "PSFO observations.",
            "typical_wait_days": 90,
            "evidence_source": "Lakeside intake.",
            "verified": 90,
        },
    ),
    (
        "educator-kinder",
        "role:early-childhood-educator",
        "kinder-enrolment",
        ["development", "school-engagement"],
        {
            "method": "online_form",
            "form_url": "https://example.org/council/kinder",
            "how_to_refer": "The family applies online; educators can help.",
            "information_to_include": "Child's date of birth, preferred kindergartens.",
            "typical_wait_days": 60,
            "self_referral": True,
            "any_professional": True,
            "evidence_source": "Council kindergarten team.",
            "verified": 40,
        },
    ),
    # School wellbeing.
    (
        "school-sss",
        "role:school-wellbeing",
        "sss",
        ["school-engagement", "speech-language", "behaviour", "infant-child-mental-health"],
        {
            "method": "online_form",
            "how_to_refer": "The school's wellbeing lead submits the request in the department portal.",
            "information_to_include": "Concerns, supports tried, parent consent.",
            "consent_basis": "Parent consent form.",
            "typical_wait_days": 45,
            "evidence_source": "Department guidelines.",
            "verified": 110,
        },
    ),
    (
        "school-orange-door",
        "role:school-wellbeing",
        "orange-door",
        ["child-safety-wellbeing", "family-violence", "parenting"],
        {
            "method": "online_form",
            "form_url": "https://example.org/orange-door/refer",
            "how_to_refer": "Professional referral form, or call.",
            "information_to_include": "The concern, safety, the family's awareness of the referral.",
            "consent_basis": (
                "Consent where safe; without consent where a child's safety requires it (information sharing schemes)."
            ),
            "typical_wait_days": 3,
            "evidence_source": "The Orange Door referral guide.",
            "verified": 7,
        },
    ),
    # Family worker.
    (
        "family-worker-orange-door",
        "role:family-worker",
        "orange-door",
        ["family-violence", "child-safety-wellbeing", "parenting", "aod-family", "housing", "financial-hardship"],
        {
            "method": "online_form",
            "form_url": "https://example.org/orange-door/refer",
            "how_to_refer": "Professional referral form, or call.",
            "information_to_include": "Risk assessment (MARAM), children, the family's view.",
            "consent_basis": "Consent where safe; information sharing schemes otherwise.",
            "typical_wait_days": 3,
            "urgent_target_days": 1,
            "urgent_criteria": "Serious risk: call, do not send a form.",
            "red_flags": "Escalating violence, threats to kill, strangulation.",
            "escalation": "Police (000) for immediate danger.",
            "any_professional": True,
            "self_referral": True,
            "evidence_source": "The Orange Door referral guide.",
            "verified": 7,
        },
    ),
    (
        "family-worker-financial",
        "role:family-worker",
        "financial",
        ["financial-hardship"],
        {
            "method": "phone",
            "how_to_refer": "Call to book an appointment.",
            "information_to_include": "Debts, income, urgent bills.",
            "typical_wait_days": 14,
            "any_professional": True,
            "self_referral": True,
            "evidence_source": "Service coordinator.",
            "verified": 100,
        },
    ),
    (
        "family-worker-housing",
        "role:family-worker",
        "housing",
        ["housing"],
        {
            "method": "phone",
            "how_to_refer": "Call the entry point; same-day assessments for people with nowhere to sleep.",
            "information_to_include": "Where the family is staying tonight, children, safety.",
            "typical_wait_days": 1,
            "urgent_target_days": 0,
            "any_professional": True,
            "self_referral": True,
            "evidence_source": "Entry point team leader.",
            "verified": 240,
        },
    ),
    (
        "family-worker-aod",
        "role:family-worker",
        "aod-family",
        ["aod-family"],
        {
            "method": "phone",
            "how_to_refer": "Call intake.",
            "information_to_include": "Substances, children in the home, other supports.",
            "typical_wait_days": 21,
            "any_professional": True,
            "self_referral": True,
            "evidence_source": "Intake team.",
            "verified": 70,
        },
    ),
    (
        "family-worker-pantry",
        "role:family-worker",
        "pantry",
        ["financial-hardship"],
        {
            "method": "phone",
            "how_to_refer": "Call ahead; bring the family's concession card if they have one.",
            "information_to_include": "Household size.",
            "typical_wait_days": 0,
            "any_professional": True,
            "self_referral": True,
            "evidence_source": "Pantry volunteer coordinator.",
            "verified": 500,
        },
    ),
    (
        "family-worker-cos",
        "role:family-worker",
        "cos-parenting",
        ["parenting", "behaviour"],
        {
            "method": "phone",
            "how_to_refer": "Call to register the family for the next group.",
            "information_to_include": "Children's ages, childcare needs.",
            "typical_wait_days": 30,
            "any_professional": True,
            "self_referral": True,
            "evidence_source": "Program facilitator.",
            "verified": 180,
        },
    ),
    # The access point and what it refers on to.
    (
        "orange-door-family-services",
        "orange-door",
        "family-services",
        ["parenting", "child-safety-wellbeing", "behaviour", "aod-family"],
        {
            "method": "warm_handover",
            "how_to_refer": "The Orange Door allocates to family services after assessment.",
            "information_to_include": "The Orange Door assessment.",
            "typical_wait_days": 30,
            "evidence_source": "Family services program manager.",
            "verified": 95,
        },
    ),
    (
        "orange-door-fv",
        "orange-door",
        "fv-service",
        ["family-violence"],
        {
            "method": "warm_handover",
            "how_to_refer": "Allocated after The Orange Door's risk assessment.",
            "information_to_include": "MARAM assessment, safety plan.",
            "typical_wait_days": 5,
            "urgent_target_days": 1,
            "evidence_source": "Family violence service manager.",
            "verified": 30,
        },
    ),
    (
        "orange-door-acco",
        "orange-door",
        "acco-family",
        ["parenting", "child-safety-wellbeing", "family-violence"],
        {
            "method": "warm_handover",
            "how_to_refer": "For Aboriginal families who choose it.",
            "information_to_include": "The Orange Door assessment.",
            "typical_wait_days": 10,
            "evidence_source": "ACCO family services lead.",
            "verified": 120,
        },
    ),
    (
        "orange-door-child-protection",
        "orange-door",
        "child-protection",
        ["child-safety-wellbeing"],
        {
            "method": "phone",
            "how_to_refer": "The Orange Door consults or reports to Child Protection.",
            "information_to_include": "Risk assessment.",
            "typical_wait_days": 0,
            "evidence_source": "Practice guidance.",
            "verified": 20,
        },
    ),
    (
        "orange-door-housing",
        "orange-door",
        "housing",
        ["housing", "family-violence"],
        {
            "method": "warm_handover",
            "how_to_refer": "Phone handover.",
            "information_to_include": "Safety and housing situation.",
            "typical_wait_days": 1,
            "evidence_source": "Entry point team leader.",
            "verified": 240,
        },
    ),
    (
        "orange-door-aod",
        "orange-door",
        "aod-family",
        ["aod-family"],
        {
            "method": "warm_handover",
            "how_to_refer": "Phone handover.",
            "information_to_include": "Assessment.",
            "typical_wait_days": 21,
            "evidence_source": "Intake team.",
            "verified": 70,
        },
    ),
    (
        "orange-door-financial",
        "orange-door",
        "financial",
        ["financial-hardship"],
        {
            "method": "warm_handover",
            "how_to_refer": "Phone handover.",
            "information_to_include": "Assessment.",
            "typical_wait_days": 14,
            "evidence_source": "Service coordinator.",
            "verified": 100,
        },
    ),
    (
        "family-services-cos",
        "family-services",
        "cos-parenting",
        ["parenting", "behaviour"],
        {
            "method": "warm_handover",
            "how_to_refer": "Case manager enrols the family.",
            "information_to_include": "Case plan goals.",
            "typical_wait_days": 30,
            "evidence_source": "Program facilitator.",
            "verified": 180,
        },
    ),
    (
        "family-services-tuning-in",
        "family-services",
        "tuning-in",
        ["parenting", "behaviour"],
        {
            "method": "phone",
            "how_to_refer": "Case manager registers the family.",
            "information_to_include": "Children's ages.",
            "typical_wait_days": 45,
            "evidence_source": "Program facilitator.",
            "verified": None,
        },
    ),
    # Child safety: every professional, and families.
    *[
        (
            f"{role}-child-protection",
            f"role:{role}",
            "child-protection",
            ["child-safety-wellbeing"],
            {
                "method": "phone",
                "how_to_refer": "Call the intake line. A child in immediate danger: 000.",
                "information_to_include": (
                    "The child's details, what you saw or were told, the family's situation, your contact details."
                ),
                "consent_basis": "No consent needed to report a concern for a child's safety.",
                "typical_wait_days": 0,
                "urgent_target_days": 0,
                "urgent_criteria": "Immediate risk: call, never email.",
                "red_flags": "Disclosure of abuse; injuries without explanation; a child left without care.",
                "escalation": "Police (000) when a child is in immediate danger.",
                "any_professional": True,
                "self_referral": True,
                "alternatives": ["orange-door"],
                "alternatives_note": "A wellbeing concern that is not a significant risk: The Orange Door.",
                "evidence_source": "Department's guidance for mandatory reporters.",
                "verified": 20,
            },
        )
        for role in ("mch-nurse", "gp", "early-childhood-educator", "school-wellbeing")
    ],
    *[
        (
            f"{role}-orange-door-fv",
            f"role:{role}",
            "orange-door",
            ["family-violence", "child-safety-wellbeing", "parenting"],
            {
                "method": "online_form",
                "form_url": "https://example.org/orange-door/refer",
                "how_to_refer": "Professional referral form, or call. Serious risk: call.",
                "information_to_include": (
                    "What you know of the risk, the children, whether the family knows of the referral."
                ),
                "consent_basis": "Consent where safe; information sharing schemes otherwise.",
                "typical_wait_days": 3,
                "urgent_target_days": 1,
                "red_flags": "Threats to kill, strangulation, escalating violence.",
                "escalation": "Police (000).",
                "evidence_source": "The Orange Door referral guide.",
                "verified": 7,
            },
        )
        for role in ("mch-nurse", "gp", "early-childhood-educator")
    ],
    # Families referring themselves.
    *[
        (
            f"self-{target}",
            "role:parent-self",
            target,
            needs,
            {
                "method": "phone",
                "how_to_refer": how,
                "information_to_include": "Your child's age and what worries you.",
                "self_referral": True,
                "typical_wait_days": days,
                "evidence_source": "The service's intake team.",
                "verified": verified,
            },
        )
        for target, needs, how, days, verified in (
            (
                "mch-central",
                ["development", "parenting", "speech-language", "physical-health"],
                "Call to book a visit.",
                7,
                30,
            ),
            (
                "gp-wendouree",
                ["physical-health", "development", "speech-language", "behaviour"],
                "Book an appointment online or by phone.",
                2,
                20,
            ),
            ("ch-speech", ["speech-language"], "Call Lakeside intake.", 120, 25),
            ("ndis-partner", ["development", "disability", "speech-language"], "Call or use the online form.", 28, 15),
            (
                "orange-door",
                [
                    "family-violence",
                    "child-safety-wellbeing",
                    "parenting",
                    "housing",
                    "financial-hardship",
                    "aod-family",
                ],
                "Call, walk in, or email.",
                2,
                7,
            ),
            ("playgroups", ["parenting", "development", "speech-language"], "Call the council.", 7, 65),
            ("kinder-enrolment", ["development", "school-engagement"], "Apply online.", 60, 40),
            ("financial", ["financial-hardship"], "Call to book.", 14, 100),
            ("housing", ["housing"], "Call the entry point.", 1, 240),
            ("cos-parenting", ["parenting", "behaviour"], "Call to register.", 30, 180),
            (
                "acco-health",
                ["development", "parenting", "physical-health", "speech-language"],
                "Call or drop in.",
                3,
                14,
            ),
            (
                "multicultural",
                ["parenting", "housing", "financial-hardship", "school-engagement"],
                "Call; interpreters available.",
                7,
                130,
            ),
            ("hearing", ["hearing-vision", "speech-language"], "Call to book.", 14, 35),
            ("talk-together", ["speech-language"], "Call reception.", 21, 10),
        )
    ],
    # Allied health, GP and MCH: a few more everyday pathways.
    (
        "allied-ndis",
        "role:allied-health",
        "ndis-partner",
        ["development", "disability", "speech-language", "behaviour"],
        {
            "method": "online_form",
            "form_url": "https://example.org/brightpath/refer",
            "how_to_refer": "Online form with the family's consent.",
            "information_to_include": "Assessment reports.",
            "consent_basis": "Parent consent.",
            "typical_wait_days": 28,
            "evidence_source": "Brightpath referral guide.",
            "verified": 15,
        },
    ),
    (
        "allied-childrens-clinic",
        "ch-speech",
        "childrens-clinic",
        ["development", "speech-language"],
        {
            "method": "letter",
            "how_to_refer": "Ask the family's GP to refer; a letter from the speech pathologist supports it.",
            "information_to_include": "Speech pathology assessment.",
            "typical_wait_days": 90,
            "evidence_source": "Clinic referral guidelines.",
            "verified": 400,
        },
    ),
    (
        "mch-cos",
        "role:mch-nurse",
        "cos-parenting",
        ["parenting", "behaviour", "infant-child-mental-health"],
        {
            "method": "phone",
            "how_to_refer": "Call to register the family.",
            "information_to_include": "Child's age.",
            "typical_wait_days": 30,
            "any_professional": True,
            "self_referral": True,
            "evidence_source": "Program facilitator.",
            "verified": 180,
        },
    ),
    (
        "mch-ch-ot",
        "role:mch-nurse",
        "ch-ot",
        ["development", "behaviour"],
        {
            "method": "online_form",
            "form_url": "https://example.org/lakeside/referral",
            "how_to_refer": "Lakeside's online form.",
            "information_to_include": DEV_INCLUDE,
            "typical_wait_days": 90,
            "any_professional": True,
            "self_referral": True,
            "evidence_source": "Lakeside intake.",
            "verified": 90,
        },
    ),
    (
        "mch-ch-physio",
        "role:mch-nurse",
        "ch-physio",
        ["development", "physical-health"],
        {
            "method": "online_form",
            "form_url": "https://example.org/lakeside/referral",
            "how_to_refer": "Lakeside's online form.",
            "information_to_include": "Motor milestones, concerns.",
            "typical_wait_days": 60,
            "any_professional": True,
            "self_referral": True,
            "evidence_source": "Lakeside intake.",
            "verified": None,
        },
    ),
    *[
        (
            f"{role}-tuning-in",
            f"role:{role}",
            "tuning-in",
            ["parenting", "behaviour", "infant-child-mental-health"],
            {
                "method": "phone",
                "how_to_refer": "Call Lakeside to register the family for the next program.",
                "information_to_include": "Children's ages, the family's preferred day and time.",
                "typical_wait_days": 45,
                "any_professional": True,
                "self_referral": True,
                "evidence_source": "Program facilitator.",
                "verified": None,
            },
        )
        for role in ("mch-nurse", "early-childhood-educator", "school-wellbeing")
    ],
    (
        "mch-multicultural",
        "role:mch-nurse",
        "multicultural",
        ["parenting", "financial-hardship", "housing"],
        {
            "method": "phone",
            "how_to_refer": "Call; ask for a bilingual worker.",
            "information_to_include": "Family's language, needs.",
            "typical_wait_days": 7,
            "any_professional": True,
            "evidence_source": "Team leader.",
            "verified": 130,
        },
    ),
    (
        "gp-perinatal",
        "role:gp",
        "perinatal",
        ["perinatal"],
        {
            "method": "letter",
            "how_to_refer": "Referral letter or call.",
            "information_to_include": "Assessment, EPDS, medications.",
            "typical_wait_days": 14,
            "evidence_source": "Program coordinator.",
            "verified": 60,
        },
    ),
    (
        "gp-ndis",
        "role:gp",
        "ndis-partner",
        ["development", "disability"],
        {
            "method": "online_form",
            "form_url": "https://example.org/brightpath/refer",
            "how_to_refer": "Online form.",
            "information_to_include": "Relevant reports.",
            "typical_wait_days": 28,
            "evidence_source": "Brightpath referral guide.",
            "verified": 15,
        },
    ),
    (
        "gp-aod",
        "role:gp",
        "aod-family",
        ["aod-family"],
        {
            "method": "letter",
            "how_to_refer": "Letter or call intake.",
            "information_to_include": "Substance use, children at home.",
            "typical_wait_days": 21,
            "evidence_source": "Intake team.",
            "verified": 70,
        },
    ),
    (
        "mch-golden-plains-ch-speech",
        "mch-golden-plains",
        "ch-speech",
        ["speech-language"],
        {
            "method": "online_form",
            "form_url": "https://example.org/lakeside/referral",
            "how_to_refer": "Lakeside's online form.",
            "information_to_include": SPEECH_INCLUDE,
            "typical_wait_days": 120,
            "evidence_source": "Lakeside intake.",
            "verified": 90,
        },
    ),
    (
        "mch-hepburn-gp",
        "mch-hepburn",
        "gp-sturt",
        ["development", "speech-language"],
        {
            "method": "letter",
            "how_to_refer": "Letter for the family's GP.",
            "information_to_include": "MCH assessment.",
            "typical_wait_days": 5,
            "evidence_source": "Practice manager.",
            "verified": 160,
        },
    ),
    (
        "sss-icymhs",
        "sss",
        "icymhs",
        ["infant-child-mental-health", "behaviour"],
        {
            "method": "phone",
            "how_to_refer": "Call triage.",
            "information_to_include": "Assessment and risk.",
            "typical_wait_days": 75,
            "urgent_target_days": 3,
            "evidence_source": "ICYMHS triage.",
            "verified": 400,
        },
    ),
    (
        "acco-health-acco-family",
        "acco-health",
        "acco-family",
        ["parenting", "child-safety-wellbeing"],
        {
            "method": "warm_handover",
            "how_to_refer": "Internal handover.",
            "information_to_include": "The family's goals.",
            "typical_wait_days": 7,
            "evidence_source": "ACCO team leader.",
            "verified": 120,
        },
    ),
]


def _days_ago(days: int | None):
    return None if days is None else timezone.localdate() - timedelta(days=days)


@transaction.atomic
def seed(stdout) -> dict:
    """The demo directory. What is missing is written in bulk (one insert per table, a few queries in all),
    the rows services.service_create and pathway_create would write, revisions included; per-row service
    calls took thousands of queries. The fixed data here is checked field by field before it is written."""
    partnership = Partnership.objects.get(slug="ballarat")
    coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
    directory = services.directory_update(
        partnership=partnership,
        name="Ballarat region service directory",
        description="Services for children and families in the Ballarat region, and how they refer to each other.",
        is_public=True,
        is_demo=True,
    )
    terms = {(t.taxonomy.key, t.code): t for t in TaxonomyTerm.objects.select_related("taxonomy")}

    def term_list(key, codes):
        return [terms[(key, code)] for code in codes or []]

    organizations = {o.name: o for o in Organization.objects.filter(directory=directory)}
    new_organizations = []
    for key, (name, description) in ORGANIZATIONS.items():
        if name not in organizations:
            organization = Organization(
                directory=directory, name=name, description=description, website=f"https://example.org/{key}"
            )
            organization.full_clean(exclude=["directory"], validate_unique=False, validate_constraints=False)
            new_organizations.append(organization)
            organizations[name] = organization
    Organization.objects.bulk_create(new_organizations)
    organizations = {key: organizations[name] for key, (name, _description) in ORGANIZATIONS.items()}

    existing = {s.name: s for s in Service.objects.filter(directory=directory)}
    made = {}
    rows: dict[type, list] = {}
    for key, facts in SERVICES.items():
        service = existing.get(facts["name"])
        if service is None:
            service = _new_service(directory, _service_fields(facts, organizations, terms, coordinator), rows)
        made[key] = service
    created_services = len(rows.get(Service, []))
    for key, facts in SERVICES.items():  # access points, once every service exists
        if facts.get("access_point") and made[key].access_point_id is None:
            if made[key].name in existing:
                services.service_update(service=made[key], access_point=made[facts["access_point"]])
            else:
                made[key].access_point = made[facts["access_point"]]
    for model in (Service, Attribute, ServiceArea, Phone, Location, ServiceAtLocation, Address, Language):
        model.objects.bulk_create(rows.get(model, []), batch_size=500)

    have = {
        (p.source_service_id or p.source_role_id, p.target_service_id)
        for p in Pathway.objects.filter(directory=directory)
    }
    pathways, links = [], {"needs": [], "referrer_roles": [], "alternatives": []}
    for _key, source, target, needs, facts in PATHWAYS:
        facts = dict(facts)
        source_fields = (
            {"source_role": terms[(vocabulary.REFERRER_ROLES, source.removeprefix("role:"))]}
            if source.startswith("role:")
            else {"source_service": made[source]}
        )
        source_id = next(iter(source_fields.values())).pk
        if (source_id, made[target].pk) in have:
            continue
        verified = _days_ago(facts.pop("verified", None))
        pathway = Pathway(
            directory=directory,
            target_service=made[target],
            last_verified=verified,
            review_due=verified + timedelta(days=directory.review_interval_days) if verified else None,
            wait_as_of=verified,
            **source_fields,
            **{k: v for k, v in facts.items() if k not in ("referrers", "alternatives")},
        )
        lists = {
            "needs": term_list(vocabulary.NEEDS, needs),
            "referrer_roles": term_list(vocabulary.REFERRER_ROLES, facts.get("referrers", [])),
            "alternatives": [made[k] for k in facts.get("alternatives", [])],
        }
        services._validate_pathway(pathway, lists["needs"], lists["referrer_roles"], lists["alternatives"])
        if pathway.typical_wait_days is not None and pathway.wait_as_of is None:
            pathway.wait_as_of = timezone.localdate()
        pathway.full_clean(exclude=PATHWAY_RELATIONS, validate_unique=False, validate_constraints=False)
        pathways.append(pathway)
        for name, items in lists.items():
            links[name] += [(pathway, item) for item in dict.fromkeys(items)]
        have.add((source_id, made[target].pk))
    Pathway.objects.bulk_create(pathways, batch_size=500)
    for name, pairs in links.items():
        field = Pathway._meta.get_field(name)
        through, target_column = field.remote_field.through, field.m2m_reverse_field_name()
        through.objects.bulk_create(
            [through(pathway_id=pathway.pk, **{f"{target_column}_id": item.pk}) for pathway, item in pairs],
            batch_size=500,
        )
    # Each new pathway's first revision, as pathway_create writes it (the snapshot read back from the rows).
    written = (
        Pathway.objects.filter(pk__in=[p.pk for p in pathways])
        .select_related("source_service", "source_role", "target_service", "last_verified_by")
        .prefetch_related("needs", "referrer_roles", "alternatives")
    )
    revisions = []
    for pathway in written:
        snapshot = services.pathway_snapshot(pathway)
        revisions.append(
            PathwayRevision(
                pathway=pathway,
                number=1,
                snapshot=snapshot,
                changed_fields=sorted(snapshot),
                note="Demo data",
                changed_by=coordinator,
            )
        )
    PathwayRevision.objects.bulk_create(revisions, batch_size=500)
    # Bulk writes send no signals: the "where can I refer?" index is rebuilt for the directory here (as
    # `manage.py where_index_rebuild` would), and no network insights are queued: the map's pages compute
    # them when first asked for (insights_store.insights_stored), which spares seeding networkx and the graph.
    where_index_rebuild(directory_id=directory.pk)
    stdout.write(
        f"Directory: {len(made)} services ({created_services} new), "
        f"{Pathway.objects.filter(directory=directory).count()} pathways ({len(pathways)} new) — fictional demo data"
    )
    return {"directory": directory, "services": made}


SERVICE_RELATIONS = ["directory", "organization", "access_point", "assured_by", "terms"]
PATHWAY_RELATIONS = [
    "directory",
    "source_service",
    "source_role",
    "target_service",
    "last_verified_by",
    "needs",
    "referrer_roles",
    "alternatives",
]


def _new_service(directory: Directory, fields: dict, rows: dict) -> Service:
    """A service not yet saved, and in `rows` ({model: [unsaved rows]}) it and the rows service_create
    would write with it: its terms, council areas, main phone, address (a location) and languages."""
    service = Service(directory=directory, last_modified=timezone.now())
    for name, value in fields.items():
        if name not in services.SERVICE_SPECIAL:
            setattr(service, name, value)
    low, high = service.minimum_age_months, service.maximum_age_months
    if low is not None and high is not None and low > high:
        raise ValidationError({"minimum_age_months": services.AGE_RANGE_BACKWARDS})
    service.full_clean(exclude=SERVICE_RELATIONS, validate_unique=False, validate_constraints=False)
    add = lambda row: rows.setdefault(type(row), []).append(row)  # noqa: E731
    add(service)
    common = {"directory_id": directory.pk, "service": service}
    for name, (taxonomy_key, link_type) in services.SERVICE_TERM_LISTS.items():
        for term in services._check_terms(fields.get(name), taxonomy_key, name):
            add(Attribute(taxonomy_term=term, link_type=link_type, **common))
    for lga in services._clean_lgas(fields.get("catchment_lgas")):
        add(
            ServiceArea(
                name=lga,
                description=f"Families living in the {lga} local government area.",
                extent=lga,
                extent_type="text",
                area_type=ServiceArea.AreaType.LGA,
                code=lga,
                **common,
            )
        )
    if (fields.get("phone") or "").strip():
        add(Phone(number=fields["phone"].strip(), type="voice", **common))
    address = fields.get("address")
    if address:
        location = Location(
            directory_id=directory.pk,
            organization=service.organization,
            name=service.name,
            location_type=Location.Type.PHYSICAL,
        )
        add(location)
        add(ServiceAtLocation(location=location, **common))
        add(
            Address(
                directory_id=directory.pk,
                location=location,
                address_1=address["address_1"].strip(),
                city=address["city"].strip(),
                state_province=address["state_province"].strip(),
                postal_code=address["postal_code"].strip(),
                country="AU",
                address_type=Address.Type.PHYSICAL,
            )
        )
    for name in fields.get("languages") or []:
        if name.strip():
            add(Language(name=name.strip(), **common))
    return service


def _service_fields(facts: dict, organizations: dict, terms: dict, coordinator: User | None) -> dict:
    low, high = facts.get("ages", (None, None))
    verified = _days_ago(facts.get("verified"))
    review_due = None
    if verified is not None:
        review_due = (
            timezone.localdate() - timedelta(days=30) if facts.get("overdue") else verified + timedelta(days=365)
        )
    flags = set(facts.get("flags", []))
    fields = {
        "name": facts["name"],
        "organization": organizations[facts["org"]],
        "description": facts.get("description", ""),
        "eligibility_description": facts.get("eligibility", ""),
        "ineligibility_description": facts.get("ineligibility", ""),
        "minimum_age_months": low,
        "maximum_age_months": high,
        "accepts_self_referral": facts.get("self", False),
        "accepts_any_professional": facts.get("anyprof", False),
        "intake_point": facts.get("intake", ""),
        "capacity_status": facts.get("capacity", Service.Capacity.TAKING),
        "capacity_as_of": verified or timezone.localdate(),
        "fees_description": facts.get("fees", "Free." if "free" in flags else ""),
        "email": f"intake@{facts['org']}.example.org",
        "url": f"https://example.org/{facts['org']}",
        "assured_date": verified,
        "assured_by": coordinator if verified else None,
        "assurer_email": coordinator.email if verified and coordinator else "",
        "review_due": review_due,
        "phone": facts.get("phone", ""),
        "languages": facts.get("languages", []),
        "catchment_lgas": facts.get("lgas", []),
        "needs": [terms[(vocabulary.NEEDS, c)] for c in facts.get("needs", [])],
        "sectors": [terms[(vocabulary.SECTORS, c)] for c in facts.get("sectors", [])],
        "age_groups": [terms[(vocabulary.AGE_GROUPS, c)] for c in facts.get("age_groups", [])],
        "referrer_roles": [terms[(vocabulary.REFERRER_ROLES, c)] for c in facts.get("referrers", [])],
        "practitioner_roles": [terms[(vocabulary.REFERRER_ROLES, c)] for c in facts.get("practitioners", [])],
    }
    for code, field in vocabulary.FLAG_FIELDS.items():
        if code in flags:
            fields[field] = True
    if facts.get("address"):
        address_1, city, postcode = facts["address"]
        fields["address"] = {"address_1": address_1, "city": city, "postal_code": postcode, "state_province": "VIC"}
    return fields
