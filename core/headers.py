"""Response headers a view sets for itself (the site-wide ones are config.middleware's)."""


def permissions_policy(**features: str):
    """A view's own Permissions-Policy: `@permissions_policy(camera="self")` lets this page use the camera."""
    import functools

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            from django.conf import settings

            response = view(request, *args, **kwargs)
            policy = dict(item.split("=", 1) for item in settings.PERMISSIONS_POLICY.split(", "))
            policy.update({name: f"({value})" for name, value in features.items()})
            response["Permissions-Policy"] = ", ".join(f"{k}={v}" for k, v in policy.items())
            return response

        return wrapped

    return decorate
