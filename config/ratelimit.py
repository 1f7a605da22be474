"""Per-client rate limits on the public pages that cost the most, and who "a client" is.

One limiter for every app server: the counters live in the cache, so with CACHE_URL on a shared
Redis every server counts the same client together (with the default local-memory cache, each
process counts on its own). A fixed window per client and scope; over the limit, 429 with
Retry-After until the window ends.
"""

import functools
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

PERIODS = {"sec": 1, "min": 60, "hour": 3600, "day": 86400}


def client_id(request):
    """The visitor's address (REMOTE_ADDR, corrected by config.middleware.TrustedProxyMiddleware),
    an IPv6 address as the first address of its /64: one household or server is given a whole
    /64, and rotating addresses inside it must not multiply a limit. The page limits, the API's
    throttle and the sign-in lockout all count by it. None when there is no valid address.

    Always a plain address, never "network/64", because django-axes stores it in an address
    column."""
    try:
        ip = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return None
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def parse_rate(rate):
    """ "120/min" -> (120, 60); an empty or "off" rate -> None (no limit)."""
    if not rate or rate.strip().lower() == "off":
        return None
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()]


def rate_limited(scope):
    """Limit a view to settings.RATE_LIMITS[scope] requests per client (cached answers count)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            limit = parse_rate(settings.RATE_LIMITS.get(scope, ""))
            if limit is not None:
                count, seconds = limit
                now = time.time()
                client = client_id(request) or "unknown"
                key = f"ratelimit:{scope}:{client}:{int(now // seconds)}"
                cache.add(key, 0, seconds + 1)
                try:
                    hits = cache.incr(key)
                except ValueError:  # the window's counter expired in between
                    cache.set(key, 1, seconds + 1)
                    hits = 1
                if hits > count:
                    response = render(request, "429.html", status=429)
                    response["Retry-After"] = str(int(seconds - now % seconds) + 1)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
