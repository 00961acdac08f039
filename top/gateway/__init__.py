"""A local, TOP-compatible gateway for development, demos and tests."""

from top.gateway.server import (
    DEMO_APP_KEY,
    DEMO_APP_SECRET,
    DEMO_SELLER_NICK,
    DEMO_SESSION,
    LocalGateway,
)

__all__ = ["DEMO_APP_KEY", "DEMO_APP_SECRET", "DEMO_SELLER_NICK", "DEMO_SESSION", "LocalGateway"]
