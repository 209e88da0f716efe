"""What the report says, as data: sections of paragraphs, tables and figures.

:func:`build_content` reads a finished run (``results/<run>/``) and returns a
:class:`ReportContent`; the renderers (:mod:`.html`, :mod:`.pdf`, :mod:`.xlsx`) only lay it
out. Tables carry raw values plus a format per column, so the spreadsheet keeps numbers as
numbers while the PDF and HTML show them in the reader's language.

Only whitelisted columns of the proposals reach the report: no author, e-mail or voter id
can leak, whatever the participation export contained; vote counts below 5 are shown as
"fewer than 5".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench import i18n
from workbench.i18n import fmt_dec, fmt_eur, fmt_int, fmt_pct, t

METHODS = ("votes_greedy", "need_optimal", "equal_shares", "equal_shares_need")
# formats a table column can have; renderers know each of them
FORMATS = ("text", "int", "eur", "pct", "dec1", "dec2", "votes", "range", "check")


@dataclass
class Table:
    """A titled table: raw values in ``frame``, one format per column (see :data:`FORMATS`)."""

    key: str
    title: str
    frame: pd.DataFrame
    formats: dict[str, str]
    note: str = ""

    def __post_init__(self) -> None:
        bad = {c: f for c, f in self.formats.items() if f not in FORMATS}
        if bad or set(self.formats) != set(self.frame.columns):
            raise ValueError(f"table {self.key}: formats {bad or self.formats} do not fit columns")

    def formatted(self, lang: str) -> list[list[str]]:
        """Every cell as display text in ``lang``."""
        cols = list(self.frame.columns)
        return [
            [format_value(v, self.formats[c], lang) for c, v in zip(cols, row, strict=True)]
            for row in self.frame.itertuples(index=False)
        ]


@dataclass
class Figure:
    """A map or chart: PNG bytes with a title and a text alternative."""

    key: str
    title: str
    png: bytes
    alt: str


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass
class ReportContent:
    lang: str
    title: str
    subtitle: str
    run_id: str
    simulated: bool
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def table(self, key: str) -> Table:
        return next(tb for s in self.sections for tb in s.tables if tb.key == key)


def format_value(v: Any, fmt: str, lang: str) -> str:
    """Display text of one table value.

    >>> format_value(94000.0, "eur", "de"), format_value(0.5, "pct", "en")
    ('94.000 €', '50%')
    >>> format_value((2, 6), "range", "de"), format_value(3, "votes", "en")
    ('2–6', 'fewer than 5')
    """
    if fmt == "text":
        return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
    if fmt == "range":
        lo, hi = v
        return "–" if lo is None or pd.isna(lo) else f"{int(lo)}–{int(hi)}"
    if fmt == "check":
        return "✓" if bool(v) else ""
    if v is None or pd.isna(v):
        return "–"
    if fmt == "int":
        return fmt_int(float(v), lang)
    if fmt == "eur":
        return fmt_eur(float(v), lang)
    if fmt == "pct":
        return fmt_pct(float(v), lang)
    if fmt == "dec1":
        return fmt_dec(float(v), lang, 1)
    if fmt == "dec2":
        return fmt_dec(float(v), lang, 2)
    if fmt == "votes":
        return i18n.fmt_votes(float(v), lang)
    raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")


def _de_en(lang: str, de: str, en: str) -> str:
    return de if lang == "de" else en


# ------------------------------------------------------------------------ sections
def proposal_table(props: pd.DataFrame, areas: pd.DataFrame | None, lang: str) -> Table:
    """The ranked proposals with the evidence for each rank."""
    names = dict(zip(areas["area_id"], areas["name"], strict=True)) if areas is not None else {}
    p = props.sort_values("rank")
    expl = p["explanation_de" if lang == "de" else "explanation_en"]
    frame = pd.DataFrame(
        {
            t("rank", lang): p["rank"].astype(int).to_numpy(),
            t("rank_range", lang): list(zip(p["rank_lo"], p["rank_hi"], strict=True)),
            t("proposal", lang): p["title"].astype(str).to_numpy(),
            t("category", lang): [i18n.category(c, lang) for c in p["category"]],
            t("district", lang): [
                names.get(a, t("not_placed", lang)) if isinstance(a, str) else t("not_placed", lang)
                for a in p["area_id"]
            ],
            t("cost", lang): p["cost_eur"].to_numpy(float),
            t("votes", lang): p["votes"].to_numpy(float),
            t("need", lang): p["need_at_site"].to_numpy(float),
            t("people", lang): p["beneficiaries"].to_numpy(float),
            t("why", lang): expl.astype(str).to_numpy(),
        }
    )
    formats = dict(
        zip(
            frame.columns,
            ["int", "range", "text", "text", "text", "eur", "votes", "dec2", "int", "text"],
            strict=True,
        )
    )
    return Table("ranking", t("ranking", lang), frame, formats)


def scenario_table(summary: pd.DataFrame, lang: str) -> Table:
    """Allocation methods side by side (one column per method)."""
    s = summary.set_index("method").reindex([m for m in METHODS if m in set(summary["method"])])
    rows = [
        (t("funded", lang), "funded", "int"),
        (t("spent", lang), "spent_eur", "eur"),
        (t("to_hotspots", lang) + " (€)", "to_hotspots_eur", "eur"),
        (t("to_hotspots", lang) + " (%)", "to_hotspots_share", "pct"),
        (t("voters_served", lang), "voters_with_funded_project_share", "pct"),
        (t("need_funded", lang), "need_at_funded_sites", "dec2"),
    ]
    # one format per column: keep values as text so each row can use its own format
    data = {t("item", lang): [r[0] for r in rows]}
    for m in s.index:
        data[i18n.method(m, lang)] = [
            format_value(s.loc[m, col], fmt, lang) for _, col, fmt in rows
        ]
    frame = pd.DataFrame(data)
    return Table(
        "scenarios",
        t("scenarios", lang),
        frame,
        dict.fromkeys(frame.columns, "text"),
        note=_de_en(lang, "Budget: ", "Budget: ") + fmt_eur(float(s["budget_eur"].iloc[0]), lang),
    )


def scenario_numbers(summary: pd.DataFrame, lang: str) -> Table:
    """The same comparison with raw numbers (for the spreadsheet)."""
    s = summary[summary["method"].isin(METHODS)].copy()
    frame = pd.DataFrame(
        {
            t("method", lang): [i18n.method(m, lang) for m in s["method"]],
            t("funded", lang): s["funded"].to_numpy(int),
            t("spent", lang): s["spent_eur"].to_numpy(float),
            "budget_eur": s["budget_eur"].to_numpy(float),
            t("to_hotspots", lang) + " (€)": s["to_hotspots_eur"].to_numpy(float),
            t("to_hotspots", lang) + " (%)": s["to_hotspots_share"].to_numpy(float),
            t("voters_served", lang): s["voters_with_funded_project_share"].to_numpy(float),
            t("need_funded", lang): s["need_at_funded_sites"].to_numpy(float),
        }
    )
    formats = dict(
        zip(frame.columns, ["text", "int", "eur", "eur", "eur", "pct", "pct", "dec2"], strict=True)
    )
    return Table("scenario_numbers", t("scenarios", lang), frame, formats)


def district_table(districts: pd.DataFrame, areas: pd.DataFrame | None, lang: str) -> Table:
    """Money per district and method."""
    names = dict(zip(areas["area_id"], areas["name"], strict=True)) if areas is not None else {}
    w = districts.pivot_table(
        index="area_id", columns="method", values="eur", aggfunc="sum", fill_value=0.0
    )
    w = w.reindex(columns=[m for m in METHODS if m in w.columns])
    w = w.loc[w.sum(axis=1).sort_values(ascending=False).index]
    frame = pd.DataFrame({t("district", lang): [names.get(a, a) for a in w.index]})
    for m in w.columns:
        frame[i18n.method(m, lang)] = w[m].to_numpy(float)
    formats = {c: ("text" if i == 0 else "eur") for i, c in enumerate(frame.columns)}
    return Table("districts", t("districts_money", lang), frame, formats)


def funded_matrix(props: pd.DataFrame, alloc: pd.DataFrame, lang: str) -> Table:
    """Which method funds which proposal (proposals funded by at least one method)."""
    sel = (
        alloc[alloc["selected"]]
        .assign(v=True)
        .pivot_table(
            index="proposal_id", columns="method", values="v", aggfunc="any", fill_value=False
        )
    )
    sel = sel.reindex(columns=[m for m in METHODS if m in sel.columns], fill_value=False)
    p = props.sort_values("rank").set_index("proposal_id")
    p = p[p.index.isin(sel.index)]
    frame = pd.DataFrame(
        {
            t("rank", lang): p["rank"].astype(int).to_numpy(),
            t("proposal", lang): p["title"].astype(str).to_numpy(),
            t("cost", lang): p["cost_eur"].to_numpy(float),
        }
    )
    for m in sel.columns:
        frame[i18n.method(m, lang)] = sel.reindex(p.index)[m].fillna(False).to_numpy(bool)
    formats = {c: f for c, f in zip(frame.columns, ["int", "text", "eur"], strict=False)}
    formats.update({c: "check" for c in frame.columns[3:]})
    title = _de_en(lang, "Geförderte Vorschläge je Verfahren", "Funded proposals by method")
    return Table("funded", title, frame, formats)


def validation_table(metrics: dict[str, Any], lang: str) -> Table:
    """Cross-validated RMSE of the model and both baselines, per quantity and scheme."""
    rows = []
    label = {
        "heat": _de_en(lang, "Wärmeinsel nachts (K)", "nocturnal UHI (K)"),
        "pm2_5": "PM2.5 (µg/m³)",
        "pm10": "PM10 (µg/m³)",
    }
    blocks = [("heat", metrics.get("heat", {}))]
    blocks += [(q, metrics.get("air", {}).get(q, {})) for q in ("pm2_5", "pm10")]
    for q, m in blocks:
        if m.get("status") != "ok":
            continue
        for scheme, name in (("loso", t("cv_loso", lang)), ("block", t("cv_block", lang))):
            cv = m["cv"][scheme]
            rows.append(
                {
                    t("quantity", lang): label[q],
                    "CV": name,
                    _de_en(lang, "Modell", "Model"): cv["regression_kriging"]["rmse"],
                    "IDW": cv["idw"]["rmse"],
                    _de_en(lang, "nur Kovariaten", "covariates only"): cv["covariates_only"][
                        "rmse"
                    ],
                    "R²": cv["regression_kriging"]["r2"],
                    "n": cv["regression_kriging"]["n"],
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame({t("quantity", lang): [], "CV": []})
    formats = {c: "text" for c in frame.columns[:2]}
    formats.update({c: "dec2" for c in frame.columns[2:6]})
    if "n" in frame:
        formats["n"] = "int"
    title = _de_en(
        lang,
        "Validierung: Fehler (RMSE) im Vergleich mit einfachen Verfahren",
        "Validation: error (RMSE) against simple baselines",
    )
    return Table("validation", title, frame, formats)


def _kv_table(key: str, title: str, items: list[tuple[str, Any]], lang: str) -> Table:
    frame = pd.DataFrame(
        {t("item", lang): [k for k, _ in items], t("value", lang): [str(v) for _, v in items]}
    )
    return Table(key, title, frame, dict.fromkeys(frame.columns, "text"))


def summary_paragraphs(
    metrics: dict[str, Any],
    props: pd.DataFrame,
    summary: pd.DataFrame,
    areas: pd.DataFrame | None,
    area_res: pd.DataFrame,
    lang: str,
) -> list[str]:
    """The one-page summary in plain language."""
    de = lang == "de"
    names = dict(zip(areas["area_id"], areas["name"], strict=True)) if areas is not None else {}
    out = []
    h = metrics.get("heat", {})
    if h.get("status") == "ok":
        top = area_res.sort_values("heat_uhi_k", ascending=False).head(3)
        warm = ", ".join(
            f"{names.get(r.area_id, r.area_id)} ({fmt_dec(r.heat_uhi_k, lang, 1)} K)"
            for r in top.itertuples()
        )
        hs = metrics.get("hotspots", {}).get("heat", {}).get("hotspot_cells", 0)
        cells = metrics.get("coverage", {}).get("grid_cells", 0) or 1
        rmse = fmt_dec(h["cv"]["loso"]["regression_kriging"]["rmse"], lang)
        out.append(
            _de_en(
                lang,
                f"Hitze: {h['n_sensors']} Sensoren zeigen, wie viel wärmer die Stadt nachts "
                f"ist als "
                f"ihr Umland. Am wärmsten sind {warm}. {fmt_pct(hs / cells, lang)} der Stadtfläche "
                f"sind statistisch gesicherte Hitze-Hotspots. Das Modell trifft die Messungen "
                f"unabhängiger Sensoren auf {rmse} K genau.",
                f"Heat: {h['n_sensors']} sensors show how much warmer the city is at night "
                f"than its "
                f"surroundings. Warmest are {warm}. {fmt_pct(hs / cells, lang)} of the city "
                f"area are "
                f"statistically significant heat hotspots. The model predicts held-out sensors to "
                f"within {rmse} K.",
            )
        )
    a = metrics.get("air", {}).get("pm2_5", {})
    if a.get("status") == "ok":
        out.append(
            _de_en(
                lang,
                f"Luft: {a['n_sensors']} Feinstaub-Sensoren; {a['sensors_over_who_annual']} liegen "
                f"im Mittel über dem WHO-Richtwert für PM2,5 (5 µg/m³), "
                f"{a['sensors_over_eu_annual']} über dem EU-Grenzwert ab 2030 (10 µg/m³) – "
                f"ein Hinweis, denn der Zeitraum ist kürzer als ein Jahr.",
                f"Air: {a['n_sensors']} fine-dust sensors; {a['sensors_over_who_annual']} "
                f"exceed the "
                f"WHO PM2.5 guideline (5 µg/m³) on average, {a['sensors_over_eu_annual']} the EU "
                f"2030 limit (10 µg/m³) – an indication only, as the period is shorter than "
                f"a year.",
            )
        )
    ranking = metrics.get("need", {}).get("area_ranking", [])[:3]
    if ranking:
        top = ", ".join(names.get(a, a) for a in ranking)
        out.append(
            _de_en(
                lang,
                f"Den höchsten Bedarf an Grün haben {top}.",
                f"Need for green is highest in {top}.",
            )
        )
    if not props.empty:
        best = props.sort_values("rank").head(3)
        lst = "; ".join(f"{int(r.rank)}. {r.title}" for r in best.itertuples())
        out.append(
            _de_en(
                lang,
                f"{len(props)} Vorschläge wurden nach gemessenem Bedarf, erreichten Menschen, "
                f"erwarteter Wirkung und Kosten gereiht. Vorne liegen: {lst}.",
                f"{len(props)} proposals were ranked by measured need, people reached, expected "
                f"effect and cost. Leading: {lst}.",
            )
        )
    s = summary.set_index("method")
    if {"votes_greedy", "equal_shares_need"} <= set(s.index):
        v, n = s.loc["votes_greedy"], s.loc["equal_shares_need"]
        out.append(
            _de_en(
                lang,
                f"Budget {fmt_eur(v['budget_eur'], lang)}: Nach Stimmen allein (bisheriges "
                f"Verfahren) fließen {fmt_pct(v['to_hotspots_share'], lang)} an Hotspots und "
                f"{fmt_pct(v['voters_with_funded_project_share'], lang)} der Abstimmenden "
                f"erhalten ein "
                f"Projekt; mit Equal Shares und Bedarf sind es "
                f"{fmt_pct(n['to_hotspots_share'], lang)} und "
                f"{fmt_pct(n['voters_with_funded_project_share'], lang)}.",
                f"Budget {fmt_eur(v['budget_eur'], lang)}: by votes alone (current practice) "
                f"{fmt_pct(v['to_hotspots_share'], lang)} goes to hotspots and "
                f"{fmt_pct(v['voters_with_funded_project_share'], lang)} of voters get a funded "
                f"project; with need-informed Equal Shares it is "
                f"{fmt_pct(n['to_hotspots_share'], lang)} and "
                f"{fmt_pct(n['voters_with_funded_project_share'], lang)}.",
            )
        )
    if not de and not out:
        out.append("No results yet.")
    return out


def method_paragraphs(metrics: dict[str, Any], lang: str) -> list[str]:
    w = metrics.get("need", {}).get("weights", {})
    wtxt = ", ".join(f"{k} {fmt_dec(v, lang)}" for k, v in w.items())
    hs = metrics.get("hotspots", {})
    return [
        _de_en(
            lang,
            "Qualitätskontrolle: Plausibilität, Sprünge, Hänger, Nachbarvergleich, Drift; "
            "Feinstaub wird für Luftfeuchte korrigiert (κ-Köhler) und an den Messstationen "
            "DENW022 und DENW208 kalibriert. Nichts wird gelöscht, nur markiert.",
            "Quality control: range, spikes, stuck values, neighbour comparison, drift; fine "
            "dust is corrected for humidity (κ-Köhler) and calibrated against the stations "
            "DENW022 and DENW208. Nothing is deleted, only flagged.",
        ),
        _de_en(
            lang,
            "Hitze: nächtliche Wärmeinsel gegenüber einem Referenzsensor im Umland; Karte durch "
            "Regression auf Versiegelung, Grün, Wasser und Gebäudehöhe plus Kriging der Reste "
            "(Gauß-Prozess), mit Standardfehler je Zelle. Validiert durch Weglassen je eines "
            "Sensors und 2-km-Blöcke, im Vergleich mit IDW und reiner Regression.",
            "Heat: nocturnal urban heat island against a rural reference sensor; mapped by "
            "regression on sealing, green, water and building height plus kriging of the "
            "residuals (Gaussian process), with a standard error per cell. Validated by leaving "
            "out one sensor at a time and 2 km blocks, against IDW and regression alone.",
        ),
        _de_en(
            lang,
            f"Hotspots: lokales Getis-Ord Gi* im Umkreis von "
            f"{fmt_int(hs.get('distance_m', 500), lang)} m, "
            f"{hs.get('permutations', 999)} Permutationen, Falscherkennungsrate 5 % "
            f"(Benjamini-Hochberg).",
            f"Hotspots: local Getis-Ord Gi* within {fmt_int(hs.get('distance_m', 500), lang)} m, "
            f"{hs.get('permutations', 999)} permutations, false discovery rate 5% "
            f"(Benjamini-Hochberg).",
        ),
        _de_en(
            lang,
            f"Bedarfsindex: normierte Hitze, Luft, Grünmangel, Bevölkerung und Verletzlichkeit "
            f"(über 65, unter 6), gewichtet ({wtxt}). Die Spannen der Ränge kommen aus "
            f"{metrics.get('need', {}).get('draws', 500)} Ziehungen von Gewichten, "
            f"Normierungen und Modellfehlern.",
            f"Need index: normalised heat, air, green deficit, population and vulnerability "
            f"(over 65, under 6), weighted ({wtxt}). Rank ranges come from "
            f"{metrics.get('need', {}).get('draws', 500)} draws of weights, normalisations and "
            f"model errors.",
        ),
        _de_en(
            lang,
            "Rangliste: Bedarf am Ort × erreichte Menschen × erwartete Wirkung der Kategorie ÷ "
            "Kosten. Budget-Verfahren: nur Stimmen (gierig, wie bisher), optimal nach Bedarf, "
            "Method of Equal Shares auf den Stimmen, und Equal Shares, bei dem der gemessene "
            "Bedarf 30 % des Budgets als eigene Stimme vertritt.",
            "Ranking: need at the site × people reached × expected effect of the category ÷ "
            "cost. Budget methods: votes only (greedy, current practice), optimal by need, "
            "Method of Equal Shares on the votes, and Equal Shares in which measured need holds "
            "30% of the budget as its own constituency.",
        ),
    ]


def caveat_paragraphs(metrics: dict[str, Any], health: pd.DataFrame | None, lang: str) -> list[str]:
    out = []
    if metrics.get("simulated"):
        out.append(t("simulated", lang))
    cov = metrics.get("coverage", {})
    if cov.get("qc_readings"):
        share = cov["qc_passed"] / cov["qc_readings"]
        out.append(
            _de_en(
                lang,
                f"{fmt_pct(share, lang)} von {fmt_int(cov['qc_readings'], lang)} Messwerten haben "
                "alle Prüfungen bestanden.",
                f"{fmt_pct(share, lang)} of {fmt_int(cov['qc_readings'], lang)} readings "
                f"passed all "
                "checks.",
            )
        )
    if health is not None and not health.empty:
        counts = health["status"].value_counts()
        words = ", ".join(f"{k} {v}" for k, v in counts.items())
        out.append(_de_en(lang, f"Sensorzustand: {words}.", f"Sensor health: {words}."))
    out.append(
        _de_en(
            lang,
            "Günstige Sensoren messen weniger genau als amtliche Stationen: Feinstaub-Sensoren "
            "überschätzen bei hoher Luftfeuchte, Temperatursensoren können in der Sonne zu warm "
            "messen. Karten zeigen Schätzungen mit Unsicherheit; Werte zwischen Sensoren sind "
            "berechnet, nicht gemessen.",
            "Low-cost sensors are less accurate than official stations: fine-dust sensors read "
            "high in humid air, temperature sensors can read warm in the sun. Maps show estimates "
            "with uncertainty; values between sensors are computed, not measured.",
        )
    )
    a = metrics.get("air", {})
    if a.get("period_note"):
        out.append(
            _de_en(
                lang,
                "Mittelwerte über einen Sommer sind mit Jahresgrenzwerten nur als Hinweis "
                "vergleichbar.",
                "Means over one summer compare with annual limits only as an indication.",
            )
        )
    for n in metrics.get("notes", []):
        out.append(_de_en(lang, f"Hinweis: {n}", f"Note: {n}"))
    for w in metrics.get("ranking", {}).get("warnings", []):
        out.append(_de_en(lang, f"Warnung: {w}", f"Warning: {w}"))
    return out


def reproduce_tables(metrics: dict[str, Any], run_id: str, lang: str) -> list[Table]:
    cov = metrics.get("coverage", {})
    h = metrics.get("heat", {})
    items = [(_de_en(lang, "Lauf", "Run"), run_id)]
    if h.get("period"):
        items.append((_de_en(lang, "Zeitraum", "Period"), " – ".join(map(str, h["period"]))))
    items.append(
        (
            _de_en(lang, "Sensoren mit Position", "Sensors with a position"),
            cov.get("sensors_with_position", "–"),
        )
    )
    items.append((_de_en(lang, "Rasterzellen", "Grid cells"), cov.get("grid_cells", "–")))
    for q, n in cov.get("observations", {}).items():
        items.append((_de_en(lang, f"Messwerte {q}", f"readings {q}"), fmt_int(n, lang)))
    r = metrics.get("ranking", {})
    if r:
        items.append((_de_en(lang, "Vorschläge", "Proposals"), r.get("proposals")))
        items.append(
            (
                _de_en(lang, "Abstimmende (pseudonymisiert)", "Voters (pseudonymised)"),
                r.get("voters"),
            )
        )
        items.append(("Budget", fmt_eur(float(r.get("budget_eur", np.nan)), lang)))
    coverage = _kv_table("coverage", _de_en(lang, "Datengrundlage", "Data coverage"), items, lang)
    params = [
        (k, json.dumps(v, ensure_ascii=False)) for k, v in metrics.get("parameters", {}).items()
    ]
    params.append(
        ("started_at / finished_at", f"{metrics.get('started_at')} / {metrics.get('finished_at')}")
    )
    for k, v in metrics.get("outputs_sha256", {}).items():
        params.append((f"sha256 {k}", v))
    parameters = _kv_table(
        "parameters", _de_en(lang, "Parameter des Laufs", "Run parameters"), params, lang
    )
    software = _kv_table("software", "Software", list(metrics.get("software", {}).items()), lang)
    return [coverage, parameters, software]


# ------------------------------------------------------------------------ builder
def build_content(
    run: str | Path,
    *,
    areas: pd.DataFrame | None = None,
    health: pd.DataFrame | None = None,
    lang: str = "de",
    figures: bool = True,
    monitoring: dict[str, Any] | None = None,
) -> ReportContent:
    """Everything the report shows, from one run directory.

    Parameters
    ----------
    run : a run directory with ``cells``, ``areas``, ``proposals`` and allocation tables
    areas : district polygons (names and boundaries)
    health : sensor health table (``status`` column), for the caveats
    lang : ``"de"`` (default) or ``"en"``
    figures : draw the maps (turn off for fast tests of the tables)
    monitoring : :func:`workbench.monitoring.monitor_workspace` output, for its section
    """
    i18n.check_lang(lang)
    run = Path(run)
    need = ["metrics.json", "proposals.parquet", "allocation.parquet", "allocation_summary.parquet"]
    missing = [n for n in need if not (run / n).exists()]
    if missing:
        raise FileNotFoundError(
            f"{run} lacks {', '.join(missing)}: run `workbench fit` and `workbench rank` first"
        )
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    props = pd.read_parquet(run / "proposals.parquet")
    alloc = pd.read_parquet(run / "allocation.parquet")
    summary = pd.read_parquet(run / "allocation_summary.parquet")
    have_cells = (run / "cells.parquet").exists()
    area_res = pd.read_parquet(run / "areas.parquet") if (run / "areas.parquet").exists() else None
    districts = (
        pd.read_parquet(run / "allocation_districts.parquet")
        if (run / "allocation_districts.parquet").exists()
        else None
    )

    sections = [
        Section(
            "summary",
            t("summary", lang),
            summary_paragraphs(
                metrics,
                props,
                summary,
                areas,
                area_res
                if area_res is not None
                else pd.DataFrame(columns=["area_id", "heat_uhi_k"]),
                lang,
            ),
        )
    ]
    top = proposal_table(props.head(5), areas, lang)
    top.key, top.title = (
        "top5",
        _de_en(lang, "Die fünf ersten Vorschläge", "The top five proposals"),
    )
    top.frame = top.frame.drop(columns=[t("why", lang)])
    top.formats.pop(t("why", lang))
    sections[0].tables.append(top)
    sections[0].tables.append(scenario_table(summary, lang))
    if figures and have_cells:
        sections.append(
            Section(
                "maps",
                t("maps", lang),
                figures=map_figures(pd.read_parquet(run / "cells.parquet"), props, areas, lang),
            )
        )
    sections.append(
        Section(
            "ranking",
            t("ranking", lang),
            [
                _de_en(
                    lang,
                    "Spanne: 90-%-Bereich des Rangs, wenn Gewichte, "
                    "Normierung und Modellfehler variieren.",
                    "Range: 90% range of the rank when weights, normalisation "
                    "and model errors vary.",
                )
            ],
            [proposal_table(props, areas, lang)],
        )
    )
    scen = Section("scenarios", t("scenarios", lang), tables=[scenario_table(summary, lang)])
    if districts is not None:
        scen.tables.append(district_table(districts, areas, lang))
    scen.tables.append(funded_matrix(props, alloc, lang))
    sections.append(scen)
    if (run / "evaluation.parquet").exists():
        sections.append(evaluation_section(pd.read_parquet(run / "evaluation.parquet"), lang))
    if (run / "sensor_plan.parquet").exists():
        plan = pd.read_parquet(run / "sensor_plan.parquet")
        sections.append(plan_section(plan, metrics.get("sensor_plan", {}), areas, lang))
    if monitoring is not None and not monitoring["districts"].empty:
        sections.append(monitoring_section(monitoring, lang))
    sections.append(
        Section(
            "methods",
            t("methods", lang),
            method_paragraphs(metrics, lang),
            [validation_table(metrics, lang)],
        )
    )
    sections.append(
        Section("caveats", t("caveats", lang), caveat_paragraphs(metrics, health, lang))
    )
    sections.append(
        Section("reproduce", t("reproduce", lang), tables=reproduce_tables(metrics, run.name, lang))
    )
    return ReportContent(
        lang=lang,
        title=t("title", lang),
        subtitle=t("subtitle", lang),
        run_id=run.name,
        simulated=bool(metrics.get("simulated")),
        sections=sections,
    )


def evaluation_section(ev: pd.DataFrame, lang: str) -> Section:
    """Impact of implemented measures: effect, interval, data, verdict, explanation."""
    verdicts = {
        "de": {
            "effect": "Wirkung belegt",
            "no_effect_detected": "keine Wirkung nachweisbar",
            "insufficient_data": "Daten reichen nicht",
        },
        "en": {
            "effect": "effect shown",
            "no_effect_detected": "no effect detected",
            "insufficient_data": "insufficient data",
        },
    }[lang]
    qn = {
        "uhi_night": _de_en(lang, "Nacht (K)", "night (K)"),
        "tmax_day": _de_en(lang, "Tagesmax. (K)", "day max (K)"),
        "pm2_5": "PM2.5 (µg/m³)",
    }
    frame = pd.DataFrame(
        {
            _de_en(lang, "Maßnahme", "Measure"): ev["measure_id"].astype(str),
            t("quantity", lang): [qn.get(q, q) for q in ev["quantity"]],
            _de_en(lang, "Wirkung", "Effect"): ev["effect"].to_numpy(float),
            _de_en(lang, "95-%-Intervall", "95% interval"): [
                "–" if not np.isfinite(a) else f"{fmt_dec(a, lang)} … {fmt_dec(b, lang)}"
                for a, b in zip(ev["ci_low"], ev["ci_high"], strict=True)
            ],
            _de_en(lang, "Sensoren nah/Kontrolle", "Sensors near/control"): [
                f"{a}/{b}" for a, b in zip(ev["n_treated"], ev["n_control"], strict=True)
            ],
            _de_en(lang, "Ergebnis", "Verdict"): [verdicts.get(v, v) for v in ev["verdict"]],
            t("why", lang): ev["explanation_de" if lang == "de" else "explanation_en"].astype(str),
        }
    )
    formats = dict(
        zip(frame.columns, ["text", "text", "dec2", "text", "text", "text", "text"], strict=True)
    )
    intro = _de_en(
        lang,
        "Umgesetzte Maßnahmen werden mit Sensoren bewertet: Sensoren nahe der Maßnahme vor und "
        "nach dem Bau, verglichen mit ähnlichen Sensoren anderswo (Differenz der Differenzen, "
        "wetterbereinigt gegen den Referenzsensor). Wo die Daten nicht reichen, steht keine Zahl.",
        "Implemented measures are evaluated with sensors: sensors near the measure before and "
        "after it was built, compared with similar sensors elsewhere (difference in "
        "differences, weather-normalised against the reference sensor). Where the data do not "
        "suffice, no number is given.",
    )
    return Section(
        "evaluation",
        _de_en(lang, "Wirkung umgesetzter Maßnahmen", "Impact of implemented measures"),
        [intro],
        [Table("evaluation", _de_en(lang, "Ergebnisse", "Results"), frame, formats)],
    )


def plan_section(
    plan: pd.DataFrame, stats: dict[str, Any], areas: pd.DataFrame | None, lang: str
) -> Section:
    names = dict(zip(areas["area_id"], areas["name"], strict=True)) if areas is not None else {}
    purpose = {
        "uncertainty": _de_en(lang, "Unsicherheit senken", "reduce uncertainty"),
        "control": _de_en(lang, "Kontrollstandort", "control site"),
    }
    frame = pd.DataFrame(
        {
            _de_en(lang, "Standort", "Site"): plan["site"].astype(str),
            _de_en(lang, "Zweck", "Purpose"): [purpose.get(p, p) for p in plan["purpose"]],
            t("district", lang): [names.get(a, a or "–") for a in plan["area_id"]],
            "lat": [f"{v:.5f}" for v in plan["lat"]],
            "lon": [f"{v:.5f}" for v in plan["lon"]],
        }
    )
    para = []
    if stats:
        para.append(
            _de_en(
                lang,
                f"Neue Sensoren an diesen Orten senken die Varianz des Hitzemodells an den "
                f"{stats.get('targets')} geförderten Orten von "
                f"{fmt_dec(stats['target_variance_before'], lang, 3)} auf "
                f"{fmt_dec(stats['target_variance_after'], lang, 3)} K² (gleich viele zufällige "
                f"Orte: {fmt_dec(stats['target_variance_after_random_mean'], lang, 3)} K²). "
                "Kontrollstandorte liegen fern der Maßnahmen in ähnlicher Bebauung.",
                f"New sensors at these sites lower the heat model's variance at the "
                f"{stats.get('targets')} funded sites from "
                f"{fmt_dec(stats['target_variance_before'], lang, 3)} to "
                f"{fmt_dec(stats['target_variance_after'], lang, 3)} K² (as many random sites: "
                f"{fmt_dec(stats['target_variance_after_random_mean'], lang, 3)} K²). Control "
                "sites lie away from the measures in similar land cover.",
            )
        )
    return Section(
        "sensor_plan",
        _de_en(lang, "Wo neue Sensoren helfen", "Where new sensors help"),
        para,
        [
            Table(
                "sensor_plan",
                _de_en(lang, "Empfohlene Standorte", "Recommended sites"),
                frame,
                dict.fromkeys(frame.columns, "text"),
            )
        ],
    )


HEAT_CLASS = {
    "de": {
        "none": "unbedenklich",
        "caution": "Vorsicht",
        "extreme_caution": "erhöhte Vorsicht",
        "danger": "Gefahr",
        "extreme_danger": "große Gefahr",
    },
    "en": {
        "none": "no concern",
        "caution": "caution",
        "extreme_caution": "extreme caution",
        "danger": "danger",
        "extreme_danger": "extreme danger",
    },
}


def monitoring_section(mon: dict[str, Any], lang: str) -> Section:
    d = mon["districts"]
    frame = pd.DataFrame(
        {
            t("district", lang): d["name"].astype(str),
            _de_en(lang, "Tmax 24 h (°C)", "Tmax 24 h (°C)"): d["tmax_24h"].to_numpy(float),
            _de_en(lang, "Tropennächte in Folge", "Tropical nights in a row"): d[
                "tropical_night_streak"
            ].to_numpy(float),
            _de_en(lang, "Gefühlte Temperatur", "Felt temperature"): [
                HEAT_CLASS[lang].get(c, c) for c in d["heat_class"].astype(str)
            ],
            _de_en(lang, "PM2,5: Tage > EU", "PM2.5: days > EU"): d.get(
                "pm2_5_days_over_eu", pd.Series(np.nan, index=d.index)
            ).to_numpy(float),
            _de_en(lang, "PM10: Tage > EU", "PM10: days > EU"): d.get(
                "pm10_days_over_eu", pd.Series(np.nan, index=d.index)
            ).to_numpy(float),
        }
    )
    formats = dict(zip(frame.columns, ["text", "dec1", "int", "text", "int", "int"], strict=True))
    para = [
        _de_en(
            lang,
            f"Stand: {mon['as_of']} (letzte 24 Stunden; EU-Grenzwerte 2030, "
            "18 Überschreitungstage pro Jahr erlaubt).",
            f"As of {mon['as_of']} (last 24 hours; EU 2030 limits, 18 days over the "
            "daily limit allowed per year).",
        )
    ]
    if mon["alerts"]:
        para += [("⚠ " + a[lang]) for a in mon["alerts"]]
    else:
        para.append(_de_en(lang, "Keine Warnungen.", "No alerts."))
    return Section(
        "monitoring",
        _de_en(lang, "Aktuelle Lage je Stadtteil", "Current situation per district"),
        para,
        [Table("monitoring", _de_en(lang, "Hitze und Luft", "Heat and air"), frame, formats)],
    )


def map_figures(
    cells: pd.DataFrame, props: pd.DataFrame, areas: pd.DataFrame | None, lang: str
) -> list[Figure]:
    """The four report maps as PNG figures with text alternatives."""
    from workbench.maps import city_map, figure_png

    figs = []
    specs = [
        ("heat", "heat_uhi_k", "heat", "map_heat", "K", "heat_hotspot", None),
        ("air", "pm2_5_ugm3", "air", "map_air", "µg/m³", "air_hotspot", None),
        ("need", "need_index", "need", "map_need", "0–1", None, None),
        ("proposals", "need_index", "need", "map_proposals", t("need", lang), None, props),
    ]
    for key, col, kind, title_key, label, outline, points in specs:
        if col not in cells or not np.isfinite(cells[col]).any():
            continue
        fig = city_map(
            cells,
            col,
            areas=areas,
            kind=kind,
            title=t(title_key, lang),
            label=label,
            outline=outline,
            points=points,
            point_labels=points is not None,
            lang=lang,
        )
        v = cells[col]
        alt = _de_en(
            lang,
            f"Karte: {t(title_key, lang)}. Werte von {fmt_dec(v.min(), lang)} bis "
            f"{fmt_dec(v.max(), lang)} {label}.",
            f"Map: {t(title_key, lang)}. Values from {fmt_dec(v.min(), lang)} to "
            f"{fmt_dec(v.max(), lang)} {label}.",
        )
        if outline:
            alt += " " + _de_en(
                lang,
                f"{int(cells[outline].sum())} Hotspot-Zellen umrandet.",
                f"{int(cells[outline].sum())} hotspot cells outlined.",
            )
        if points is not None:
            alt += " " + _de_en(
                lang,
                f"{len(points)} Vorschläge; Rang 1–10 als Rauten.",
                f"{len(points)} proposals; ranks 1–10 as diamonds.",
            )
        figs.append(Figure(key, t(title_key, lang), figure_png(fig), alt))
    return figs
