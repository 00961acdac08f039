"""Error envelopes exactly as the TOP gateway prints them."""

import secrets
from typing import Any

from top.errors import ERROR_CODES


class GatewayError(Exception):
    """Raised inside the local gateway; becomes an ``error_response`` envelope."""

    def __init__(
        self,
        code: int,
        sub_code: str | None = None,
        sub_msg: str | None = None,
        msg: str | None = None,
    ) -> None:
        self.code = code
        self.msg = msg or ERROR_CODES[code]
        self.sub_code = sub_code
        self.sub_msg = sub_msg
        super().__init__(f"{code} {self.msg} {sub_code or ''}")

    def envelope(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "msg": self.msg}
        if self.sub_code:
            error["sub_code"] = self.sub_code
        if self.sub_msg:
            error["sub_msg"] = self.sub_msg
        error["request_id"] = new_request_id()
        return {"error_response": error}


def new_request_id() -> str:
    return secrets.token_hex(7)


def missing(name: str) -> GatewayError:
    return GatewayError(40, f"isv.missing-parameter:{name}", f"Missing required arguments:{name}")


def invalid(name: str, why: str) -> GatewayError:
    return GatewayError(41, f"isv.invalid-parameter:{name}", why)
