"""German and English words and number formats for everything a citizen or council reads.

German is the default language of every page and report; English is the switch. Texts live
in one table (:data:`TEXT`) so the report, the dashboards and the static site say the same
thing in the same words.

Examples
--------
>>> fmt_int(4200, "de"), fmt_int(4200, "en")
('4.200', '4,200')
>>> fmt_eur(94000, "de"), fmt_eur(94000, "en")
('94.000 €', '€94,000')
>>> fmt_pct(0.711, "de"), fmt_pct(0.711, "en")
('71 %', '71%')
>>> t("rank", "en")
'Rank'
"""

from __future__ import annotations

import math
from typing import Any

from workbench.privacy import small_group

LANGUAGES = ("de", "en")

CATEGORY = {
    "de": {
        "trees": "Bäume",
        "pocket_park": "Pocket Park",
        "unsealing": "Entsiegelung",
        "green_roof": "Gründach",
        "green_facade": "Fassadengrün",
        "shade": "Schatten",
        "water": "Trinkwasser",
        "other": "Sonstiges",
    },
    "en": {
        "trees": "trees",
        "pocket_park": "pocket park",
        "unsealing": "unsealing",
        "green_roof": "green roof",
        "green_facade": "green facade",
        "shade": "shade",
        "water": "drinking water",
        "other": "other",
    },
}

METHOD = {
    "de": {
        "votes_greedy": "Nur Stimmen (wie bisher)",
        "need_optimal": "Nach Bedarf (optimal)",
        "equal_shares": "Equal Shares (Stimmen)",
        "equal_shares_need": "Equal Shares mit Bedarf",
    },
    "en": {
        "votes_greedy": "Votes only (current practice)",
        "need_optimal": "By need (optimal)",
        "equal_shares": "Equal Shares (votes)",
        "equal_shares_need": "Need-informed Equal Shares",
    },
}

# key -> (German, English)
TEXT: dict[str, tuple[str, str]] = {
    "title": ("Grünes Bürgerbudget Gelsenkirchen: Bedarf, Vorschläge, Budget",
              "Green Citizens' Budget Gelsenkirchen: need, proposals, budget"),
    "subtitle": ("Bericht der GE grünt Workbench", "Report of the GE grünt workbench"),
    "simulated": ("SIMULIERTE DEMO-DATEN – keine Messungen. Alle Zahlen dienen nur der "
                  "Vorführung.",
                  "SIMULATED DEMO DATA – not measurements. All figures are for demonstration "
                  "only."),
    "summary": ("Zusammenfassung", "Summary"),
    "maps": ("Karten", "Maps"),
    "ranking": ("Rangliste der Vorschläge", "Ranked proposals"),
    "scenarios": ("Budget-Szenarien im Vergleich", "Budget scenarios side by side"),
    "districts_money": ("Geld je Stadtteil (€)", "Money per district (€)"),
    "methods": ("Methoden und Validierung", "Methods and validation"),
    "caveats": ("Datenqualität und Grenzen", "Data quality and limits"),
    "reproduce": ("Daten, Parameter und Software", "Data, parameters and software"),
    "rank": ("Rang", "Rank"),
    "rank_range": ("Spanne", "Range"),
    "proposal": ("Vorschlag", "Proposal"),
    "category": ("Kategorie", "Category"),
    "district": ("Stadtteil", "District"),
    "cost": ("Kosten", "Cost"),
    "votes": ("Stimmen", "Votes"),
    "need": ("Bedarf", "Need"),
    "people": ("Menschen im Umkreis", "People nearby"),
    "why": ("Begründung", "Why"),
    "method": ("Verfahren", "Method"),
    "funded": ("Gefördert", "Funded"),
    "spent": ("Ausgegeben", "Spent"),
    "to_hotspots": ("An Hotspots", "To hotspots"),
    "voters_served": ("Abstimmende mit gefördertem Projekt", "Voters with a funded project"),
    "need_funded": ("Bedarf an geförderten Orten", "Need at funded sites"),
    "map_heat": ("Nächtliche Wärmeinsel (K) und Hitze-Hotspots",
                 "Nocturnal heat island (K) and heat hotspots"),
    "map_air": ("Feinstaub PM2,5 (µg/m³) und Hotspots", "Fine dust PM2.5 (µg/m³) and hotspots"),
    "map_need": ("Bedarfsindex (0–1)", "Need index (0–1)"),
    "map_proposals": ("Vorschläge nach Rang", "Proposals by rank"),
    "hotspot": ("Hotspot (Gi*, FDR 5 %)", "hotspot (Gi*, FDR 5%)"),
    "sensor": ("Sensor", "sensor"),
    "top10": ("Rang 1–10", "rank 1–10"),
    "others": ("weitere", "others"),
    "district_border": ("Stadtteilgrenze", "district boundary"),
    "model": ("Modell", "Model"),
    "cv_loso": ("Kreuzvalidierung je Sensor (RMSE)", "Leave-one-sensor-out CV (RMSE)"),
    "cv_block": ("2-km-Blöcke (RMSE)", "2 km blocks (RMSE)"),
    "quantity": ("Größe", "Quantity"),
    "value": ("Wert", "Value"),
    "item": ("Angabe", "Item"),
    "language": ("Sprache", "Language"),
    "all_districts": ("Alle Stadtteile", "All districts"),
    "all_categories": ("Alle Kategorien", "All categories"),
    "near_me": ("In meiner Nähe", "Near me"),
    "address": ("Adresse oder Ort", "Address or place"),
    "search": ("Suchen", "Search"),
    "about_data": ("Über die Daten", "About the data"),
    "latest_data": ("Neueste Daten", "Latest data"),
    "few_votes": ("weniger als 5", "fewer than 5"),
    "not_placed": ("nicht verortet", "not placed"),
    "total": ("Summe", "Total"),
    "selected": ("ausgewählt", "selected"),
    "no_proposals": ("Keine Vorschläge für diese Auswahl.", "No proposals for this selection."),
    "about_text": ("Ein Netz aus Sensoren misst Temperatur, Luftfeuchte und Feinstaub in "
                   "Gelsenkirchen. Daraus berechnet die Workbench, wo es nachts besonders warm "
                   "und wo die Luft belastet ist, und wie groß der Bedarf an Grün in jeder "
                   "Ecke der Stadt ist. Jeder Vorschlag wird danach gereiht: Bedarf am Ort, "
                   "erreichte Menschen, erwartete Wirkung und Kosten. Die Spanne zeigt, wie "
                   "sicher der Rang ist.",
                   "A network of sensors measures temperature, humidity and fine dust in "
                   "Gelsenkirchen. From it the workbench computes where nights are especially "
                   "warm and the air is polluted, and how much each part of the city needs "
                   "green. Every proposal is ranked by need at its site, people reached, "
                   "expected effect and cost. The range shows how certain the rank is."),
    "caveat_lowcost": ("Die Sensoren sind günstige Geräte: Sie messen weniger genau als "
                       "amtliche Stationen und wurden an diesen abgeglichen. Werte zwischen "
                       "den Sensoren sind berechnet, nicht gemessen. Keine personenbezogenen "
                       "Daten; Stimmenzahlen unter 5 werden nicht gezeigt.",
                       "The sensors are low-cost devices: less accurate than official stations "
                       "and calibrated against them. Values between sensors are computed, not "
                       "measured. No personal data; vote counts below 5 are not shown."),
    "run": ("Berechnung", "run"),
    "sensors": ("Sensoren", "Sensors"),
    "reset": ("Zurücksetzen", "Reset"),
    "map_hint": ("Tipp: Klicken Sie in die Karte, um Vorschläge in der Nähe zu sehen.",
                 "Tip: click on the map to see proposals nearby."),
    "citizen_title": ("Grünes Bürgerbudget: Wo hilft Grün am meisten?",
                      "Green Citizens' Budget: where does green help most?"),
    "layer_heat": ("Wärmeinsel nachts", "Night-time heat island"),
    "layer_heat_hotspots": ("Hitze-Hotspots", "Heat hotspots"),
    "layer_air": ("Feinstaub PM2,5", "Fine dust PM2.5"),
    "layer_air_hotspots": ("Feinstaub-Hotspots", "Fine-dust hotspots"),
    "layer_eaqi": ("Luftqualität (EAQI)", "Air quality (EAQI)"),
    "layer_need": ("Bedarfsindex", "Need index"),
    "layer_districts": ("Stadtteile", "Districts"),
    "layer_proposals": ("Vorschläge", "Proposals"),
    "shown": ("Vorschläge angezeigt", "proposals shown"),
    "near_point": ("Umkreis um den gewählten Punkt", "Within reach of the chosen point"),
    "not_found": ("Ort nicht gefunden", "Place not found"),
    "map_label": ("Karte mit Hitze, Luft, Bedarf und Vorschlägen",
                  "Map of heat, air, need and proposals"),
    # the decision-maker report (workbench.present.report) and the analyst page
    "budget": ("Budget", "Budget"),
    "no_alerts": ("Keine Warnungen.", "No alerts."),
    "top5_title": ("Die fünf ersten Vorschläge", "The top five proposals"),
    "rank_range_note": ("Spanne: 90-%-Bereich des Rangs, wenn Gewichte, Normierung und "
                        "Modellfehler variieren.",
                        "Range: 90% range of the rank when weights, normalisation and model "
                        "errors vary."),
    "funded_by_method": ("Geförderte Vorschläge je Verfahren", "Funded proposals by method"),
    "validation_title": ("Validierung: Fehler (RMSE) im Vergleich mit einfachen Verfahren",
                         "Validation: error (RMSE) against simple baselines"),
    "validation_uhi": ("Wärmeinsel nachts (K)", "nocturnal UHI (K)"),
    "covariates_only": ("nur Kovariaten", "covariates only"),
    "eval_title": ("Wirkung umgesetzter Maßnahmen", "Impact of implemented measures"),
    "eval_intro": ("Umgesetzte Maßnahmen werden mit Sensoren bewertet: Sensoren nahe der "
                   "Maßnahme vor und nach dem Bau, verglichen mit ähnlichen Sensoren anderswo "
                   "(Differenz der Differenzen, wetterbereinigt gegen den Referenzsensor). Wo "
                   "die Daten nicht reichen, steht keine Zahl.",
                   "Implemented measures are evaluated with sensors: sensors near the measure "
                   "before and after it was built, compared with similar sensors elsewhere "
                   "(difference in differences, weather-normalised against the reference "
                   "sensor). Where the data do not suffice, no number is given."),
    "eval_results": ("Ergebnisse", "Results"),
    "eval_measure": ("Maßnahme", "Measure"),
    "eval_effect": ("Wirkung", "Effect"),
    "eval_interval": ("95-%-Intervall", "95% interval"),
    "eval_sensors": ("Sensoren nah/Kontrolle", "Sensors near/control"),
    "eval_verdict": ("Ergebnis", "Verdict"),
    "eval_uhi_night": ("Nacht (K)", "night (K)"),
    "eval_tmax_day": ("Tagesmax. (K)", "day max (K)"),
    "verdict_effect": ("Wirkung belegt", "effect shown"),
    "verdict_no_effect_detected": ("keine Wirkung nachweisbar", "no effect detected"),
    "verdict_insufficient_data": ("Daten reichen nicht", "insufficient data"),
    "plan_title": ("Wo neue Sensoren helfen", "Where new sensors help"),
    "plan_sites": ("Empfohlene Standorte", "Recommended sites"),
    "plan_site": ("Standort", "Site"),
    "plan_purpose": ("Zweck", "Purpose"),
    "purpose_uncertainty": ("Unsicherheit senken", "reduce uncertainty"),
    "purpose_control": ("Kontrollstandort", "control site"),
    "mon_title": ("Aktuelle Lage je Stadtteil", "Current situation per district"),
    "mon_table": ("Hitze und Luft", "Heat and air"),
    "mon_tmax": ("Tmax 24 h (°C)", "Tmax 24 h (°C)"),
    "mon_tropical_nights": ("Tropennächte in Folge", "Tropical nights in a row"),
    "mon_felt": ("Gefühlte Temperatur", "Felt temperature"),
    "mon_pm2_5_days": ("PM2,5: Tage > EU", "PM2.5: days > EU"),
    "mon_pm10_days": ("PM10: Tage > EU", "PM10: days > EU"),
    "heat_class_none": ("unbedenklich", "no concern"),
    "heat_class_caution": ("Vorsicht", "caution"),
    "heat_class_extreme_caution": ("erhöhte Vorsicht", "extreme caution"),
    "heat_class_danger": ("Gefahr", "danger"),
    "heat_class_extreme_danger": ("große Gefahr", "extreme danger"),
    "method_qc": ("Qualitätskontrolle: Plausibilität, Sprünge, Hänger, Nachbarvergleich, Drift; "
                  "Feinstaub wird für Luftfeuchte korrigiert (κ-Köhler) und an den "
                  "Messstationen DENW022 und DENW208 kalibriert. Nichts wird gelöscht, nur "
                  "markiert.",
                  "Quality control: range, spikes, stuck values, neighbour comparison, drift; "
                  "fine dust is corrected for humidity (κ-Köhler) and calibrated against the "
                  "stations DENW022 and DENW208. Nothing is deleted, only flagged."),
    "method_heat": ("Hitze: nächtliche Wärmeinsel gegenüber einem Referenzsensor im Umland; "
                    "Karte durch Regression auf Versiegelung, Grün, Wasser und Gebäudehöhe plus "
                    "Kriging der Reste (Gauß-Prozess), mit Standardfehler je Zelle. Validiert "
                    "durch Weglassen je eines Sensors und 2-km-Blöcke, im Vergleich mit IDW und "
                    "reiner Regression.",
                    "Heat: nocturnal urban heat island against a rural reference sensor; mapped "
                    "by regression on sealing, green, water and building height plus kriging of "
                    "the residuals (Gaussian process), with a standard error per cell. Validated "
                    "by leaving out one sensor at a time and 2 km blocks, against IDW and "
                    "regression alone."),
    "method_ranking": ("Rangliste: Bedarf am Ort × erreichte Menschen × erwartete Wirkung der "
                       "Kategorie ÷ Kosten. Budget-Verfahren: nur Stimmen (gierig, wie bisher), "
                       "optimal nach Bedarf, Method of Equal Shares auf den Stimmen, und Equal "
                       "Shares, bei dem der gemessene Bedarf 30 % des Budgets als eigene Stimme "
                       "vertritt.",
                       "Ranking: need at the site × people reached × expected effect of the "
                       "category ÷ cost. Budget methods: votes only (greedy, current practice), "
                       "optimal by need, Method of Equal Shares on the votes, and Equal Shares in "
                       "which measured need holds 30% of the budget as its own constituency."),
    "caveat_sensors": ("Günstige Sensoren messen weniger genau als amtliche Stationen: "
                       "Feinstaub-Sensoren überschätzen bei hoher Luftfeuchte, Temperatursensoren "
                       "können in der Sonne zu warm messen. Karten zeigen Schätzungen mit "
                       "Unsicherheit; Werte zwischen Sensoren sind berechnet, nicht gemessen.",
                       "Low-cost sensors are less accurate than official stations: fine-dust "
                       "sensors read high in humid air, temperature sensors can read warm in the "
                       "sun. Maps show estimates with uncertainty; values between sensors are "
                       "computed, not measured."),
    "caveat_period": ("Mittelwerte über einen Sommer sind mit Jahresgrenzwerten nur als Hinweis "
                      "vergleichbar.",
                      "Means over one summer compare with annual limits only as an indication."),
    "sensor_health": ("Sensorzustand", "Sensor health"),
    "note": ("Hinweis", "Note"),
    "warning": ("Warnung", "Warning"),
    "repro_run": ("Lauf", "Run"),
    "repro_period": ("Zeitraum", "Period"),
    "repro_sensors": ("Sensoren mit Position", "Sensors with a position"),
    "repro_cells": ("Rasterzellen", "Grid cells"),
    "repro_readings": ("Messwerte", "readings"),
    "repro_proposals": ("Vorschläge", "Proposals"),
    "repro_voters": ("Abstimmende (pseudonymisiert)", "Voters (pseudonymised)"),
    "repro_coverage": ("Datengrundlage", "Data coverage"),
    "repro_parameters": ("Parameter des Laufs", "Run parameters"),
    # proposal ranking explanations (models/ranking.explain); {placeholders} filled by tf()
    "why_votes_only": ("Rang {rank} von {n} nach Stimmen ({votes}): noch keine Messdaten zum "
                       "Bedarf.",
                       "Rank {rank} of {n} by votes ({votes}): no measured need yet."),
    "why_unplaced": ("Rang {rank} von {n}: nicht verortet, Bedarf nicht bestimmbar.",
                     "Rank {rank} of {n}: not placed on the map, need cannot be assessed."),
    "why_heat_hotspot": ("Hitze-Hotspot (Gi* {conf} %)", "heat hotspot (Gi* {conf}%)"),
    "why_warmer": ("nachts {uhi} K wärmer als das Umland", "{uhi} K warmer at night"),
    "why_air_hotspot": ("Feinstaub-Hotspot", "fine-dust hotspot"),
    "why_people": ("{people} Menschen im Umkreis von {radius} m, davon {pct} % über 65 oder "
                   "unter 6",
                   "{people} people within {radius} m, {pct}% of them over 65 or under 6"),
    "why_need_effect_cost": ("Bedarf {need}; Wirkung ({cat}) {effect}; Kosten {cost} €",
                             "need {need}; effect ({cat}) {effect}; cost €{cost}"),
    "why_rank": ("Rang {rank} (Spanne {lo}–{hi}) von {n}: {parts}.",
                 "Rank {rank} (range {lo}–{hi}) of {n}: {parts}."),
    # impact of a built measure (models/impact.explain)
    "impact_uhi_night": ("Nachttemperatur", "night-time temperature"),
    "impact_tmax_day": ("Tageshöchsttemperatur", "daytime maximum temperature"),
    "impact_pm2_5": ("Feinstaub PM2,5", "fine dust PM2.5"),
    "impact_no_statement": ("{q}: keine belastbare Aussage möglich – {reason}.",
                            "{q}: no reliable statement possible – {reason}."),
    "impact_design": ("{q}: {n_treated} Sensor(en) nahe der Maßnahme, {n_control} "
                      "vergleichbare Kontrollsensoren, {days_pre} Tage vorher und {days_post} "
                      "nachher. ",
                      "{q}: {n_treated} sensor(s) near the measure, {n_control} comparable "
                      "control sensors, {days_pre} days before and {days_post} after. "),
    "impact_effect": ("Geschätzte Wirkung {effect} {unit} (95-%-Intervall {lo} bis {hi} "
                      "{unit}).",
                      "Estimated effect {effect} {unit} (95% interval {lo} to {hi} {unit})."),
    "impact_none": ("Keine Wirkung nachweisbar (Intervall {lo} bis {hi} {unit}); Wirkungen "
                    "unter ±{mde} {unit} wären nicht zu erkennen.",
                    "No effect detected (interval {lo} to {hi} {unit}); effects smaller than "
                    "±{mde} {unit} could not be told from noise."),
    "impact_assumption": (" Annahme: Ohne die Maßnahme hätten sich die Sensoren nahe der "
                          "Maßnahme wie die Kontrollsensoren entwickelt (bei gleichem Wetter).",
                          " Assumption: without the measure, the sensors near it would have "
                          "changed like the control sensors (under the same weather)."),
    "impact_no_sensor": ("kein Sensor mit Daten im Wirkungsradius der Maßnahme",
                         "no sensor with data within the measure's radius"),
    "impact_few_days": ("nur {pre} Tage vor und {post} Tage nach dem Bau, nötig sind je "
                        "mindestens {min_days}",
                        "only {pre} days before and {post} after the build date; at least "
                        "{min_days} each are needed"),
    "impact_few_days_near": ("die Sensoren nahe der Maßnahme haben vorher oder nachher weniger "
                             "als {min_days} Tage",
                             "the sensors near the measure have fewer than {min_days} days "
                             "before or after"),
    "impact_few_controls": ("nur {n} vergleichbare Kontrollsensoren mit Daten, nötig sind "
                            "mindestens 3",
                            "only {n} comparable control sensors with data; at least 3 are "
                            "needed"),
    # district alerts (models/monitoring.alerts)
    "alert_tmax": ("{name}: Tageshöchstwert {tmax} °C", "{name}: daytime maximum {tmax} °C"),
    "alert_tropical": ("{name}: {streak} Tropennächte in Folge",
                       "{name}: {streak} tropical nights in a row"),
    "alert_heat_index": ("{name}: gefühlte Temperatur in Stufe {cls}",
                         "{name}: felt temperature class {cls}"),
    "alert_pm": ("{name}: {n} Tage über dem EU-Tagesgrenzwert für {label} (erlaubt {allowed})",
                 "{name}: {n} days over the EU daily limit for {label} (allowed {allowed})"),
}  # fmt: skip


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported language, else raise ``ValueError``."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not supported; use one of {LANGUAGES}")
    return lang


def t(key: str, lang: str) -> str:
    """The text for ``key`` in ``lang`` (``"de"`` or ``"en"``)."""
    return TEXT[key][LANGUAGES.index(check_lang(lang))]


def tf(key: str, lang: str, **values: Any) -> str:
    """The text for ``key`` in ``lang`` with its ``{placeholders}`` filled in."""
    return t(key, lang).format(**values)


def category(name: Any, lang: str) -> str:
    """Display name of a proposal category."""
    return CATEGORY[check_lang(lang)].get(str(name), str(name))


def method(name: str, lang: str) -> str:
    """Display name of an allocation method."""
    return METHOD[check_lang(lang)].get(name, name)


def fmt_int(x: float, lang: str) -> str:
    """``4200`` → ``4.200`` (German) or ``4,200`` (English); ``–`` for a missing value."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    s = f"{round(x):,}"
    return s.replace(",", ".") if lang == "de" else s


def fmt_dec(x: float, lang: str, digits: int = 2) -> str:
    """``0.5`` → ``0,50`` (German) or ``0.50`` (English); ``–`` for a missing value."""
    if x is None or not math.isfinite(float(x)):
        return "–"
    s = f"{x:,.{digits}f}"
    if lang == "de":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


def fmt_eur(x: float, lang: str) -> str:
    """Euros without cents, in the language's style."""
    s = fmt_int(x, lang)
    if s == "–":
        return s
    return f"{s} €" if lang == "de" else f"€{s}"


def fmt_pct(share: float, lang: str, digits: int = 0) -> str:
    """A share in [0, 1] as a percentage: ``71 %`` (German) or ``71%`` (English)."""
    if share is None or not math.isfinite(float(share)):
        return "–"
    s = fmt_dec(100 * share, lang, digits)
    return f"{s} %" if lang == "de" else f"{s}%"


def fmt_votes(n: float, lang: str) -> str:
    """A vote count, or "fewer than 5" for groups too small to show.

    >>> fmt_votes(3, "en"), fmt_votes(1234, "de")
    ('fewer than 5', '1.234')
    """
    if n is None or (isinstance(n, float) and not math.isfinite(n)):
        return "–"
    if small_group(n):
        return t("few_votes", lang)
    return fmt_int(n, lang)
