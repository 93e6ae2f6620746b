from datetime import datetime

from ninja import Field, Schema

from core.types import DbId

from .models import MAX_SEED, MAX_TABLE_SIZE, MIN_TABLE_SIZE


class PlanIn(Schema):
    min_size: int = Field(6, ge=MIN_TABLE_SIZE, le=MAX_TABLE_SIZE, description="The smallest table.")
    max_size: int = Field(8, ge=MIN_TABLE_SIZE, le=MAX_TABLE_SIZE, description="The largest table.")
    seed: int | None = Field(
        None,
        ge=0,
        le=MAX_SEED,
        description="Leave out for a new arrangement; the same seed and people give the same plan.",
    )


class MoveIn(Schema):
    registration_id: DbId
    group_id: DbId
    pin: bool = Field(True, description="Pin the person at the new table, so a re-plan keeps them there.")


class PinIn(Schema):
    registration_id: DbId
    pinned: bool = True


class GroupPatch(Schema):
    label: str | None = Field(None, max_length=80)
    prompt: str | None = Field(None, max_length=1000)


class SectorCountOut(Schema):
    sector: str | None = Field(..., description="The sector's slug (null: not given).")
    name: str
    count: int


class SeatOut(Schema):
    registration_id: int
    full_name: str
    organisation: str
    sector: str | None
    pinned: bool
    coming: bool = Field(..., description="False: cancelled or marked as no-show since; a re-plan frees the seat.")


class GroupOut(Schema):
    id: int
    number: int
    label: str
    prompt: str
    locked: bool
    size: int
    all_sectors: bool = Field(..., description="Every sector present in the room sits at this table.")
    pairs: int
    first_time_pairs: int
    sectors: list[SectorCountOut]
    seats: list[SeatOut]
    prompts: list[str] = Field(..., description="Services and pathways of the table, from the referral directory.")


class UnseatedOut(Schema):
    registration_id: int
    full_name: str
    organisation: str
    sector: str | None


class BaselineOut(Schema):
    first_time_pairs: int
    pairs: int
    first_time_share: float | None
    groups_with_all_sectors: int
    same_organisation_pairs: int


class ExplanationOut(Schema):
    first_time_pairs: int
    pairs: int
    first_time_share: float | None = Field(..., description="Pairs at a table who never shared one before.")
    groups_with_all_sectors: int
    group_count: int
    sector_count: int
    same_organisation_pairs: int
    earlier_sessions: int = Field(..., description="Earlier sessions of the partnership with a table plan.")
    baseline: BaselineOut = Field(..., description="The same figures for a random seating (same seed, same sizes).")


class PlanOut(Schema):
    id: int
    event_id: int
    min_size: int
    max_size: int
    seed: int
    generated_at: datetime | None
    updated_at: datetime
    groups: list[GroupOut]
    unseated: list[UnseatedOut] = Field(..., description="Confirmed people without a table (walk-ins since).")
    explanation: ExplanationOut


class TablemateOut(Schema):
    full_name: str
    organisation: str
    sector: str | None
    talk_about: str


class MyTableOut(Schema):
    available: bool = Field(..., description="True once the session has ended, for people who had a table.")
    group_number: int | None
    group_label: str
    tablemates: list[TablemateOut] = Field(..., description="Tablemates who were there and agreed to be listed.")
    hidden: int = Field(..., description="Tablemates who did not agree to be listed.")
