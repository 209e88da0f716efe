"""Explanations written by the models: proposal ranking, impact of a built measure, district
alerts; ``{placeholders}`` are filled by :func:`workbench.i18n.tf`."""

from __future__ import annotations

# key -> (German, English)
EXPLAIN_TEXT: dict[str, tuple[str, str]] = {
    # proposal ranking explanations (models/ranking.explain); {placeholders} filled by tf()
    "why_votes_only": ("Rang {rank} von {n} nach Stimmen ({votes}): noch keine Messdaten zum "
                       "Bedarf.",
                       "Rank {rank} of {n} by votes ({votes}): no measured need yet."),
    "why_unplaced": ("Rang {rank} von {n}: nicht verortet, Bedarf nicht bestimmbar.",
                     "Rank {rank} of {n}: not placed on the map, need cannot be assessed."),
    "why_heat_hotspot": ("Hitze-Hotspot (Gi* {conf} %)", "heat hotspot (Gi* {conf}%)"),
    "why_warmer": ("nachts {uhi} K wärmer als das Umland", "{uhi} K warmer at night"),
    "why_cooler": ("nachts {uhi} K kühler als das Umland", "{uhi} K cooler at night"),
    "why_as_warm": ("nachts so warm wie das Umland", "as warm at night as the countryside"),
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
