"""Exceptions raised by the TOP client."""

#: Error codes of the TOP platform (the ``code`` of an ``error_response``).
ERROR_CODES: dict[int, str] = {
    7: "App Call Limited",
    10: "Service currently unavailable",
    11: "Insufficient isv permissions",
    12: "Insufficient user permissions",
    15: "Remote service error",
    21: "Missing method",
    22: "Invalid method",
    24: "Missing signature",
    25: "Invalid signature",
    26: "Missing session",
    27: "Invalid session",
    28: "Missing app key",
    29: "Invalid app key",
    30: "Missing timestamp",
    31: "Invalid timestamp",
    32: "Missing version",
    33: "Invalid version",
    40: "Missing required arguments",
    41: "Invalid arguments",
    43: "Parameter error",
}


class TopError(Exception):
    """The gateway answered with an ``error_response`` envelope."""

    def __init__(
        self,
        code: int,
        sub_code: str | None = None,
        msg: str | None = None,
        sub_msg: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.code = code
        self.sub_code = sub_code
        self.msg = msg or ERROR_CODES.get(code, "")
        self.sub_msg = sub_msg
        self.request_id = request_id
        super().__init__(self.describe())

    @property
    def retryable(self) -> bool:
        """``isp.*`` sub-codes and code 10 are server-side trouble that may pass on retry."""
        return self.code == 10 or (self.sub_code or "").startswith("isp.")

    def describe(self) -> str:
        parts = [f"code {self.code}: {self.msg}"]
        if self.sub_code:
            parts.append(f"{self.sub_code}: {self.sub_msg or ''}".rstrip(": "))
        if self.request_id:
            parts.append(f"request_id {self.request_id}")
        return "; ".join(parts)

    def __repr__(self) -> str:
        return f"TopError(code={self.code}, sub_code={self.sub_code!r}, msg={self.msg!r})"


class TopTransportError(Exception):
    """The gateway could not be reached or did not answer like a TOP gateway."""


class InvalidRequestError(ValueError):
    """A request was refused locally, before anything was sent (for example a too-wide window)."""
