"""Demo content for stage 2: the enabled demo seller's APP, pointing at the local gateway."""

from __future__ import annotations

from workflow.apps.operations import register_app, request_api_access
from workflow.models import Audience, Journey, User

#: The local gateway's demo APP (top/gateway); it opens nothing on the real platform.
DEMO_APP_KEY = "12345678"


def register_demo_app(journey: Journey, user: User, app_key: str = DEMO_APP_KEY) -> None:
    """Register the demo APP and ask for two order APIs; the journey stays in ``app_draft``.

    An APP key identifies one APP on the desk: a second demo APP needs a key of its own.
    """
    register_app(
        journey,
        user,
        app_key=app_key,
        name="Demo order sync",
        description="Pulls the shop's Tmall Global orders into the warehouse system and "
        "sends tracking numbers back. Runs against the desk's local demo gateway.",
        is_new=True,
        audience=Audience.own_shop,
    )
    request_api_access(
        journey,
        user,
        {
            "taobao.trades.sold.get": "Import new orders into the warehouse every few minutes.",
            "taobao.logistics.offline.send": "Send the tracking number once a parcel ships.",
        },
    )
