def navigation(request):
    """Whether to show the coordinator's area in the header."""
    user = getattr(request, "user", None)
    is_coordinator = bool(user and user.is_authenticated and (user.is_staff or user.coordinated_partnership_ids))
    return {"nav_is_coordinator": is_coordinator}
