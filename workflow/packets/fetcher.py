"""The only way a packet template can load anything: a closed list of the app's own assets.

Templates name assets as ``packet-asset:<name>``. The fetcher maps each name to a file it resolves
itself; ``file:``, ``http:``, ``data:`` and every unknown name are refused. A refusal is fatal, so
a template that reaches outside the list fails loudly instead of rendering a packet with a hole.
"""

from collections.abc import Mapping
from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSET_SCHEME = "packet-asset:"

#: Where the fonts come from. Debian packages: fonts-dejavu-core and fonts-wqy-microhei.
#: WenQuanYi Micro Hei covers CJK, so Chinese company names render as real glyphs.
FONT_FILES: Mapping[str, Path] = {
    "fonts/sans.ttf": Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    "fonts/sans-bold.ttf": Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    "fonts/mono.ttf": Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),
    "fonts/cjk.ttc": Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
}

_MEDIA_TYPES = {".ttf": "font/ttf", ".ttc": "font/collection", ".css": "text/css"}


class RefusedURL(ValueError):
    """A packet tried to load something outside its asset list."""


class PacketAssetFetcher(URLFetcher):
    """Serves ``packet-asset:`` names from a fixed mapping and refuses every other URL."""

    def __init__(self, assets: Mapping[str, Path] | None = None) -> None:
        super().__init__(fail_on_errors=True)
        self.assets = dict(FONT_FILES if assets is None else assets)

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        path = self.resolve(url)
        media_type = _MEDIA_TYPES.get(path.suffix, "application/octet-stream")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})

    def resolve(self, url: str) -> Path:
        if not url.startswith(ASSET_SCHEME):
            raise RefusedURL(f"packets load only {ASSET_SCHEME} assets, not {url!r}")
        name = url.removeprefix(ASSET_SCHEME)
        if name not in self.assets:
            raise RefusedURL(f"unknown packet asset {name!r}")
        path = self.assets[name]
        if not path.is_file():
            raise FileNotFoundError(f"packet asset {name!r} is missing at {path}")
        return path
