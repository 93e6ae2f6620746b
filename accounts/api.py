from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from accounts.auth import PUBLIC
from core.schemas import ErrorOut
from core.types import DbId

from . import selectors, services
from .models import ApiToken, Partnership, Sector
from .schemas import (
    CoordinatorOut,
    MeIn,
    MeOut,
    PartnershipOut,
    SectorIn,
    SectorOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)

router = Router(tags=["people"])

SECTOR_UNKNOWN = "Unknown sector."
ONLY_COORDINATORS = "Only coordinators can do this."


def _me(user) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "email_verified": user.email_verified,
        "full_name": user.full_name,
        "organisation": user.organisation,
        "sector": user.sector,
        "role_title": user.role_title,
        "calendar_invites": user.calendar_invites,
        "coordinator_of": list(
            Partnership.objects.filter(pk__in=user.coordinated_partnership_ids).values_list("slug", flat=True)
        ),
    }


@router.get("/me", response={200: MeOut, 401: ErrorOut})
def get_me(request):
    """The signed-in person's profile."""
    return _me(request.auth)


@router.patch("/me", response={200: MeOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut})
def update_me(request, payload: MeIn):
    """Change one's own details; fields left out stay as they are."""
    changes = payload.dict(exclude_unset=True)
    if "sector_id" in changes:
        sector_id = changes.pop("sector_id")
        if sector_id is None:
            changes["sector"] = None
        else:
            sector = Sector.objects.filter(pk=sector_id).first()
            if sector is None:
                raise ValidationError({"sector_id": SECTOR_UNKNOWN})
            changes["sector"] = sector
    for key in ("full_name", "organisation", "role_title", "calendar_invites"):
        if key in changes and changes[key] is None:
            raise ValidationError({key: "This field may not be null."})
    user = services.user_update_profile(user=request.auth, **changes)
    return _me(user)


@router.get("/me/tokens", response={200: list[TokenOut], 401: ErrorOut})
@paginate
def list_tokens(request):
    """One's own API tokens, newest first. Secrets are never shown again."""
    return selectors.api_token_list(user=request.auth)


@router.post("/me/tokens", response={201: TokenCreatedOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut})
def create_token(request, payload: TokenIn):
    """Create a personal token. The response carries the secret, once."""
    token, raw = services.api_token_create(user=request.auth, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete("/me/tokens/{token_id}", response={200: TokenOut, 401: ErrorOut, 404: ErrorOut})
def revoke_token(request, token_id: DbId):
    """Revoke one of one's own tokens; it stops working at once."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.auth)
    return services.api_token_revoke(token=token)


@router.get("/sectors", response=list[SectorOut], auth=PUBLIC)
@paginate
def list_sectors(request):
    return selectors.sector_list()


@router.post("/sectors", response={201: SectorOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut})
def create_sector(request, payload: SectorIn):
    """Coordinators (of any partnership) extend the list of sectors."""
    user = request.auth
    if not (user.is_staff or user.coordinated_partnership_ids):
        raise PermissionDenied(ONLY_COORDINATORS)
    return Status(201, services.sector_create(name=payload.name))


@router.get("/partnerships", response=list[PartnershipOut], auth=PUBLIC)
@paginate
def list_partnerships(request):
    return selectors.partnership_list()


@router.get("/partnerships/{slug}", response={200: PartnershipOut, 404: ErrorOut}, auth=PUBLIC)
def get_partnership(request, slug: str):
    return get_object_or_404(Partnership, slug=slug)


@router.get(
    "/partnerships/{slug}/coordinators",
    response={200: list[CoordinatorOut], 401: ErrorOut, 404: ErrorOut},
)
@paginate
def list_partnership_coordinators(request, slug: str):
    """The partnership's coordinators, for its own coordinators only (others get 404)."""
    partnership = get_object_or_404(Partnership, slug=slug)
    if not request.auth.is_coordinator_of(partnership):
        raise Http404
    return selectors.partnership_coordinators(partnership=partnership)
