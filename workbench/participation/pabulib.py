"""pabulib ``.pb`` files (META / PROJECTS / VOTES): read and write.

The format (pabulib.org) is three ``;``-separated sections. META holds ``key;value``
rows (``budget``, ``vote_type`` — approval, cumulative, scoring or ordinal — ``rule``,
``currency``, …); PROJECTS one row per project (``project_id;cost;…``); VOTES one row
per voter (``voter_id;vote[;points]…``) where ``vote`` lists project ids separated by
commas (in preference order for ordinal ballots) and ``points`` the matching points.

>>> text = '''META
... key;value
... budget;100
... vote_type;approval
... PROJECTS
... project_id;cost;name
... a;60;Trees
... b;50;Shade
... VOTES
... voter_id;vote
... 1;a,b
... 2;b
... '''
>>> pb = parse_pabulib(text)
>>> pb.meta["budget"], pb.projects["project_id"].tolist(), len(pb.ballots)
('100', ['a', 'b'], 3)
>>> parse_pabulib(write_pabulib(pb)).ballots.equals(pb.ballots)
True
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from workbench.errors import InputError
from workbench.participation.table import NUMBER_RANGES, first_out_of_range

if TYPE_CHECKING:
    from workbench.participation.table import Participation

VOTE_TYPES = ("approval", "cumulative", "scoring", "ordinal")
SECTIONS = ("META", "PROJECTS", "VOTES")


class PabulibError(InputError):
    """A malformed .pb file; the message names the file, line and what was expected."""


@dataclass
class PabulibInstance:
    """A parsed .pb file.

    ``projects`` keeps every PROJECTS column as text (``cost`` as float); ``ballots`` is
    long: ``voter_id, project_id, points, position`` (points 1 for approval ballots;
    position = order on the ballot, 0 first); ``voters`` the VOTES columns other than
    ``vote``/``points`` (e.g. age), one row per voter.
    """

    meta: dict[str, str]
    projects: pd.DataFrame
    ballots: pd.DataFrame
    voters: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def budget(self) -> float:
        return float(self.meta.get("budget", "nan").replace(",", "."))

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "approval")


def parse_pabulib(text: str, source: str = "<string>") -> PabulibInstance:
    """Parse the text of a .pb file.

    Raises
    ------
    PabulibError
        Naming ``source``, the line and what was expected.
    """
    lines = text.lstrip("\ufeff").splitlines()
    blocks: dict[str, list[tuple[int, list[str]]]] = {}
    current: str | None = None
    for no, row in enumerate(csv.reader(lines, delimiter=";"), start=1):
        if not row or all(not c.strip() for c in row):
            continue
        head = row[0].strip()
        if len(row) == 1 and head.upper() in SECTIONS:
            current = head.upper()
            if current in blocks:
                raise PabulibError(f"{source}, line {no}: section {current} appears twice")
            blocks[current] = []
            continue
        if current is None:
            raise PabulibError(f"{source}, line {no}: expected a section header META, got {head!r}")
        blocks[current].append((no, [c.strip() for c in row]))
    for sec in SECTIONS:
        if sec not in blocks or not blocks[sec]:
            raise PabulibError(f"{source}: section {sec} is missing or empty")

    meta: dict[str, str] = {}
    for no, row in blocks["META"][1:]:
        if len(row) < 2:
            raise PabulibError(f"{source}, line {no}: META row needs 'key;value', got {row!r}")
        meta[row[0]] = ";".join(row[1:])
    vote_type = meta.get("vote_type", "approval")
    if vote_type not in VOTE_TYPES:
        raise PabulibError(
            f"{source}: META vote_type must be one of {VOTE_TYPES}, got {vote_type!r}"
        )
    if "budget" in meta:
        try:
            float(meta["budget"].replace(",", "."))
        except ValueError:
            raise PabulibError(
                f"{source}: META budget must be a number, got {meta['budget']!r}"
            ) from None

    projects = _table(blocks["PROJECTS"], source, "PROJECTS", required=("project_id", "cost"))
    costs: list[float] = []
    for (no, _), c in zip(blocks["PROJECTS"][1:], projects["cost"], strict=True):
        try:
            costs.append(float(c.replace(",", ".")))
        except ValueError:
            raise PabulibError(
                f"{source}, line {no}, field 'cost': expected a number, got {c!r}"
            ) from None
    projects["cost"] = costs
    if projects["project_id"].duplicated().any():
        dup = projects.loc[projects["project_id"].duplicated(), "project_id"].iloc[0]
        raise PabulibError(f"{source}: project_id {dup!r} appears twice in PROJECTS")
    known = set(projects["project_id"])

    votes = _table(blocks["VOTES"], source, "VOTES", required=("voter_id", "vote"))
    has_points = "points" in votes.columns
    rows: list[tuple[str, str, float, int]] = []
    for (no, _), rec in zip(blocks["VOTES"][1:], votes.to_dict("records"), strict=True):
        ids = [p.strip() for p in rec["vote"].split(",") if p.strip()]
        pts: list[float]
        if has_points and rec["points"]:
            try:
                pts = [float(p) for p in rec["points"].split(",")]
            except ValueError:
                raise PabulibError(
                    f"{source}, line {no}, field 'points': expected numbers, got {rec['points']!r}"
                ) from None
            bad = first_out_of_range(pts, "points", missing_ok=False)
            if bad is not None:
                raise PabulibError(
                    f"{source}, line {no}, field 'points': expected "
                    f"{NUMBER_RANGES['points'][2]}, got {pts[bad]}"
                )
            if len(pts) != len(ids):
                raise PabulibError(
                    f"{source}, line {no}: {len(ids)} projects in 'vote' but {len(pts)} 'points'"
                )
        else:
            pts = [1.0] * len(ids)
        for pos, (pid, pt) in enumerate(zip(ids, pts, strict=True)):
            if pid not in known:
                raise PabulibError(
                    f"{source}, line {no}, field 'vote': project {pid!r} is not in PROJECTS"
                )
            rows.append((rec["voter_id"], pid, pt, pos))
    ballots = pd.DataFrame(rows, columns=["voter_id", "project_id", "points", "position"])
    voters = votes.drop(columns=[c for c in ("vote", "points") if c in votes.columns])
    return PabulibInstance(meta=meta, projects=projects, ballots=ballots, voters=voters)


def _table(
    block: list[tuple[int, list[str]]], source: str, name: str, required: tuple[str, ...]
) -> pd.DataFrame:
    header = block[0][1]
    missing = [c for c in required if c not in header]
    if missing:
        raise PabulibError(
            f"{source}, line {block[0][0]}: {name} header needs {list(required)}, missing {missing}"
        )
    rows = []
    for no, row in block[1:]:
        if len(row) != len(header):
            raise PabulibError(
                f"{source}, line {no}: {name} row has {len(row)} fields, header has {len(header)}"
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=header, dtype=object)


def read_pabulib(path: str | Path) -> PabulibInstance:
    """Read a .pb file (UTF-8)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PabulibError(f"{p}: not UTF-8 text") from None
    return parse_pabulib(text, source=str(p))


def write_pabulib(pb: PabulibInstance) -> str:
    """The .pb text of an instance (the inverse of :func:`parse_pabulib`)."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    out.write("META\n")
    w.writerow(["key", "value"])
    for k, v in pb.meta.items():
        w.writerow([k, v])
    out.write("PROJECTS\n")
    w.writerow(list(pb.projects.columns))
    for rec in pb.projects.itertuples(index=False):
        w.writerow([str(v) for v in rec])
    out.write("VOTES\n")
    extra = [c for c in pb.voters.columns if c != "voter_id"] if not pb.voters.empty else []
    points = pb.vote_type != "approval"
    w.writerow(["voter_id", "vote", *(["points"] if points else []), *extra])
    by_voter = pb.ballots.sort_values(["voter_id", "position"], kind="stable").groupby(
        "voter_id", sort=False
    )
    info = pb.voters.set_index("voter_id") if extra else None
    order = pb.voters["voter_id"].tolist() if not pb.voters.empty else list(by_voter.groups)
    for vid in order:
        if vid not in by_voter.groups:
            continue
        g = by_voter.get_group(vid)
        row = [vid, ",".join(g["project_id"])]
        if points:
            row.append(",".join(f"{p:g}" for p in g["points"]))
        if info is not None:
            row.extend(str(info.at[vid, c]) for c in extra)
        w.writerow(row)
    return out.getvalue()


def to_participation(pb: PabulibInstance, source: str = "<pabulib>") -> Participation:
    """Proposals and ballots of a pabulib instance in the workbench's canonical form.

    Every voter of the VOTES section is kept (an empty ballot still owns a share of the
    budget under Equal Shares); voter attributes such as age or sex are not imported.
    """
    from workbench.participation.table import Participation, finish

    p = pb.projects.rename(
        columns={"project_id": "proposal_id", "name": "title", "cost": "cost_eur",
                 "latitude": "lat", "longitude": "lon"}
    )  # fmt: skip
    if "title" not in p:
        p["title"] = p["proposal_id"]
    counts = pb.ballots.groupby("project_id")["points"].sum()
    if "votes" in p:
        p = p.rename(columns={"votes": "votes_reported"})
    p["votes"] = p["proposal_id"].map(counts).fillna(0.0)
    if "selected" in p:
        p["selected"] = p["selected"].astype(str).str.strip().isin({"1", "true", "True"})
    ballots = pb.ballots.rename(columns={"project_id": "proposal_id"})[
        ["voter_id", "proposal_id", "points"]
    ]
    meta = {
        "source": source,
        "platform": "pabulib",
        "budget": pb.budget,
        "vote_type": pb.vote_type,
        "currency": pb.meta.get("currency", ""),
        "voters": len(pb.voters) if not pb.voters.empty else int(ballots["voter_id"].nunique()),
        "voter_ids": pb.voters["voter_id"].astype(str).tolist() if not pb.voters.empty else None,
        "description": pb.meta.get("description", ""),
    }
    return Participation(proposals=finish(p, source), ballots=ballots, meta=meta)
