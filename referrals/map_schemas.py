import uuid
from datetime import date, datetime

from ninja import Field, Schema


class GraphFilters(Schema):
    need: str = Field("", max_length=100, description="A need code, e.g. speech-language.")
    sector: str = Field("", max_length=100, description="A sector code, e.g. health.")
    role: str = Field("", max_length=100, description="A referrer role code: only the pathways it may use.")
    age_months: int | None = Field(None, ge=0, le=300, description="The child's age in months.")
    place: str = Field(
        "", max_length=100, description="The family's postcode or suburb: only the services whose catchment covers it."
    )
    highlight: str = Field("", max_length=4000, description="Comma-separated pathway ids to highlight.")
    limit: int = Field(
        150,
        ge=1,
        le=1000,
        description="Level of detail: the best connected services to return (more with a higher limit; "
        "the whole graph is GET …/graph/export).",
    )
    edge_limit: int = Field(800, ge=1, le=5000, description="At most this many pathways among them.")


class NodeOut(Schema):
    id: str
    kind: str = Field(description="service, or role (a referrer role that is a pathway's source)")
    label: str
    organization: str
    sector: str
    sector_name: str
    needs: list[str]
    is_acco: bool
    capacity: str
    age_min_months: int | None
    age_max_months: int | None
    verification: str
    inbound: int
    outbound: int
    highlighted: bool
    url: str


class EdgeOut(Schema):
    id: str
    source: str
    target: str
    label: str
    needs: list[str]
    method: str
    method_name: str
    urgency: str
    urgent_target_days: int | None
    typical_wait_days: int | None
    highlighted: bool
    url: str


class FiltersOut(Schema):
    need: str | None
    sector: str | None
    age_months: int | None
    role: str | None
    place: str | None = None
    highlight: list[str]


class GraphOut(Schema):
    directory: str
    filters: FiltersOut
    nodes: list[NodeOut]
    edges: list[EdgeOut]
    total_services: int = Field(description="Services the filters keep.")
    shown_services: int = Field(description="Of those, the best connected returned (at most `limit`).")
    total_edges: int = Field(description="Pathways the filters keep (`edges` has at most `edge_limit`).")
    limit: int | None = None
    edge_limit: int | None = None
    more_limit: int | None = Field(
        None, description='Ask again with this limit to see more ("show more"); null when everything is shown.'
    )


class ServiceLinkOut(Schema):
    service_id: str
    service: str
    url: str


class GatekeeperOut(ServiceLinkOut):
    betweenness: float


class DeadEndOut(Schema):
    pathway_id: str
    pathway: str
    url: str
    need: str


class GapOut(Schema):
    need: str
    need_code: str
    postcode: str
    age_group: str
    age_group_code: str


class OverdueOut(ServiceLinkOut):
    kind: str = Field(description="service or pathway")
    pathway_id: str | None = None
    review_due: date


class InsightsOut(Schema):
    gatekeepers: list[GatekeeperOut]
    orphans: list[ServiceLinkOut]
    dead_ends: list[DeadEndOut]
    gaps: list[GapOut]
    overdue: list[OverdueOut]
    betweenness_sampled: bool
    computed_at: datetime = Field(description="When these were computed (UTC).")
    recomputing: bool = Field(False, description="A change since: they are being computed again.")


class InsightsPendingOut(Schema):
    status: str = Field(description="computing")
    detail: str


class FeaturedIn(Schema):
    service_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    pathway_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)


class FeaturedPathwayOut(Schema):
    pathway_id: str
    pathway: str
    url: str


class FeaturedSetOut(Schema):
    event_id: int
    services: list[ServiceLinkOut]
    pathways: list[FeaturedPathwayOut]


class RevisionDigestOut(Schema):
    pathway_id: str
    pathway: str
    url: str
    number: int
    changed_at: datetime
    changed_fields: list[str]
    note: str


class DigestOut(Schema):
    event_id: int
    previous_event_id: int | None
    since: datetime | None
    revisions: list[RevisionDigestOut]
