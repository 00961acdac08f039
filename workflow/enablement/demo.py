"""Demo content for stage 1 (filled in by the enablement area)."""


def fill_seller_request(journey, user) -> None:
    pass


def fill_isv_request(journey, user) -> None:
    pass
