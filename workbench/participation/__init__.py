"""Participation data: proposals and ballots from CONSUL, Decidim, pabulib, CSV, GeoJSON.

:func:`read` detects the format (or takes ``format``) and returns a
:class:`~workbench.participation.table.Participation` in canonical form, with columns
that identify people already removed. Voter ids are pseudonymised when the workspace
stores the data (:mod:`workbench.participation.privacy`).
"""

from __future__ import annotations

from pathlib import Path

from workbench.importers import check_columns
from workbench.importers.limits import current as current_limits
from workbench.participation import consul, decidim, generic
from workbench.participation.pabulib import PabulibError, parse_pabulib, to_participation
from workbench.participation.table import Participation, ParticipationError, read_rows

FORMATS = ("auto", "consul", "decidim", "pabulib", "csv", "geojson")


def detect(path: str | Path, data: bytes) -> str:
    """The format of a participation file, from its name and first bytes."""
    name = str(path).lower()
    head = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    if name.endswith(".pb") or head.upper().startswith("META"):
        return "pabulib"
    if name.endswith((".geojson", ".json")) or head.startswith("{"):
        return "geojson"
    # the whole first line counts (a 64 KiB sample would undercount 10⁶ columns)
    check_columns(data, str(path), current_limits().max_columns)
    header, _ = read_rows(data[: 64 * 1024].rsplit(b"\n", 1)[0] or data, str(path))
    # Decidim first: its language-suffixed columns ("title/de") are unmistakable, while a
    # Decidim export also carries CONSUL-like columns ("id", "supports")
    if decidim.looks_like(header):
        return "decidim"
    if consul.looks_like(header):
        return "consul"
    return "csv"


def read(path: str | Path, *, format: str = "auto", data: bytes | None = None) -> Participation:
    """Read one participation file.

    Raises
    ------
    ParticipationError
        Naming the file, line and field of the first problem.
    """
    if format not in FORMATS:
        raise ParticipationError(f"format must be one of {FORMATS}, got {format!r}")
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ParticipationError(f"{path}: cannot read ({exc.strerror})") from None
    fmt = detect(path, data) if format == "auto" else format
    source = str(path)
    if fmt == "pabulib":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ParticipationError(f"{source}: a .pb file must be UTF-8") from None
        try:
            return to_participation(parse_pabulib(text, source), source)
        except PabulibError as exc:
            raise ParticipationError(str(exc)) from None
    parser = {
        "consul": consul.parse_consul,
        "decidim": decidim.parse_decidim,
        "csv": generic.parse_generic_csv,
        "geojson": generic.parse_geojson,
    }[fmt]
    out = parser(data, source)
    out.meta.setdefault("format", fmt)
    return out


__all__ = ["FORMATS", "Participation", "ParticipationError", "detect", "read"]
