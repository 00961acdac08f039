"""What a TOP API method name looks like, so a name someone typed is checked before it is kept.

A TOP method is named by dotted segments: a namespace (the platform that offers it), then the
object and the verb, as in ``taobao.item.seller.get``, ``tmall.item.update.schema.get``,
``alibaba.wholesale.goods.search`` or ``cainiao.waybill.ii.get``. The pattern is strict:

- the namespace is one of :data:`NAMESPACES`;
- two to eleven more segments follow (three to twelve in all; ``taobao.time.get`` is the
  shortest kind, and no TOP name has more than twelve);
- every segment starts with a lower-case ASCII letter, followed by ASCII letters and digits.
  A handful of TOP names carry an upper-case letter inside a segment
  (``alibaba.retail.device.payUrl.get``), so one is allowed there, never at a segment's start;
- no spaces, hyphens, underscores, slashes, or empty segments; at most :data:`MAX_LENGTH`
  characters (the longest TOP name is under 80).

Method names are case-sensitive on TOP, so ``Taobao.Trades.Sold.Get`` is refused rather than
folded: the gateway would not know it.
"""

from __future__ import annotations

import re

#: The namespaces TOP method names start with.
NAMESPACES: tuple[str, ...] = (
    "taobao",
    "tmall",
    "alibaba",
    "cainiao",
    "aliexpress",
    "alitrip",
    "aliyun",
    "alipay",
    "yunos",
    "youku",
    "wdk",
    "xiami",
)
MAX_LENGTH = 100
MIN_SEGMENTS, MAX_SEGMENTS = 3, 12

_SEGMENT = re.compile(r"[a-z][a-zA-Z0-9]*")
METHOD_PATTERN = re.compile(
    rf"(?:{'|'.join(NAMESPACES)})(?:\.[a-z][a-zA-Z0-9]*){{{MIN_SEGMENTS - 1},{MAX_SEGMENTS - 1}}}"
)


def is_method_name(name: str) -> bool:
    return len(name) <= MAX_LENGTH and METHOD_PATTERN.fullmatch(name) is not None


def method_problem(name: str) -> str | None:
    """Why ``name`` is not a TOP method name, said for the person who typed it; None if it is."""
    if is_method_name(name):
        return None
    if not name:
        return "no method name given"
    if len(name) > MAX_LENGTH:
        return f"a TOP method name has at most {MAX_LENGTH} characters"
    segments = name.split(".")
    if segments[0] not in NAMESPACES:
        if segments[0].lower() in NAMESPACES:
            return "TOP method names are lower case (for example taobao.item.seller.get)"
        return f"a TOP method name starts with {', '.join(NAMESPACES[:4])}, … (see L7)"
    if not MIN_SEGMENTS <= len(segments) <= MAX_SEGMENTS:
        return (
            f"a TOP method name has {MIN_SEGMENTS} to {MAX_SEGMENTS} dotted parts, "
            "such as taobao.item.seller.get"
        )
    bad = next(s for s in segments if not _SEGMENT.fullmatch(s))
    if not bad:
        return "a TOP method name has no empty part between dots"
    if bad[0].isupper():
        return "TOP method names are lower case (for example taobao.item.seller.get)"
    return f"“{bad}” is not a part of a TOP method name (letters and digits only)"
