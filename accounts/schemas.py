from datetime import datetime

from ninja import Field, Schema

from core.types import DbId


class SectorOut(Schema):
    id: int
    name: str
    slug: str


class SectorIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)


class MeOut(Schema):
    id: int
    email: str
    email_verified: bool
    full_name: str
    organisation: str
    sector: SectorOut | None
    role_title: str
    calendar_invites: bool
    coordinator_of: list[str] = Field(..., description="Slugs of the partnerships this person coordinates.")


class MeIn(Schema):
    full_name: str | None = Field(None, min_length=1, max_length=150)
    organisation: str | None = Field(None, max_length=150)
    sector_id: DbId | None = None
    role_title: str | None = Field(None, max_length=150)
    calendar_invites: bool | None = None


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The secret. It is shown only once; store it safely.")


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)


class PartnershipOut(Schema):
    id: int
    name: str
    slug: str
    locality: str
    time_zone: str
    contact_email: str


class CoordinatorOut(Schema):
    id: int
    full_name: str
    email: str
    organisation: str
