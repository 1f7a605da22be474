"""Site-wide middleware: the visitor's address behind proxies, and the Permissions-Policy header."""

from django.conf import settings


class TrustedProxyMiddleware:
    """Put the visitor's address in REMOTE_ADDR when the site runs behind trusted proxies.

    Each proxy appends the address it received the request from to X-Forwarded-For, so behind N
    proxies the visitor is the Nth address from the right; anything further left was written by
    the client and proves nothing. With TRUSTED_PROXY_COUNT at zero the header is ignored.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = settings.TRUSTED_PROXY_COUNT
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
        if count and addresses:
            request.META["REMOTE_ADDR"] = addresses[-min(count, len(addresses))]
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY (Django has no setting of its own for it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class AdminContentSecurityPolicyMiddleware:
    """Give the admin site settings.SECURE_CSP_ADMIN instead of the site's policy.

    Listed after Django's CSP middleware, so that it marks the response before that one writes
    the header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request.resolver_match, "app_name", None) == "admin":
            response._csp_config = settings.SECURE_CSP_ADMIN
        return response
