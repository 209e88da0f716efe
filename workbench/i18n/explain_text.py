"""Explanations written by the models: proposal ranking, impact of a built measure, district
alerts; ``{placeholders}`` are filled by :func:`workbench.i18n.tf`."""

from __future__ import annotations

# key -> (German, English)
EXPLAIN_TEXT: dict[str, tuple[str, str]] = {
    # proposal ranking explanations (models/ranking.explain); {placeholders} filled by tf().
    # Short sentences joined by spaces; levels are chosen by the thresholds in models/ranking.
    "why_votes_only": ("Platz {rank} von {n}, nach Stimmen ({votes} Stimmen). Zum Bedarf an "
                       "diesem Ort gibt es noch keine Messdaten.",
                       "Rank {rank} of {n}, by votes ({votes} votes). There are no measurements "
                       "of the need at this place yet."),
    "why_unplaced": ("Platz {rank} von {n}. Der Vorschlag hat keinen Ort auf der Karte, deshalb "
                     "lässt sich der Bedarf dort nicht bestimmen.",
                     "Rank {rank} of {n}. The proposal has no place on the map, so the need "
                     "there cannot be assessed."),
    "why_rank": ("Platz {rank} von {n}.", "Rank {rank} of {n}."),
    "why_heat_same": ("Hier ist es nachts etwa so warm wie am Stadtrand.",
                      "At night it is about as warm here as at the edge of town."),
    "why_heat_cooler": ("Hier ist es nachts etwas kühler als am Stadtrand ({uhi} Grad).",
                        "At night it is a little cooler here than at the edge of town "
                        "({uhi} degrees)."),
    "why_heat_warmer": ("Hier ist es nachts {level} wärmer als am Stadtrand ({uhi} Grad){tail}.",
                        "At night it is {level} warmer here than at the edge of town "
                        "({uhi} degrees){tail}."),
    "why_heat_slight": ("leicht", "slightly"),
    "why_heat_clear": ("deutlich", "clearly"),
    "why_heat_strong": ("viel", "much"),
    "why_heat_hotspot_tail": (" – ein Hitze-Schwerpunkt der Stadt",
                              " – one of the city's heat hot spots"),
    "why_heat_hotspot_near": ("Im Umkreis von {radius} m liegt ein Hitze-Schwerpunkt der Stadt.",
                              "One of the city's heat hot spots lies within {radius} m."),
    "why_air_hotspot": ("Im Umkreis von {radius} m ist die Luft stärker mit Feinstaub belastet "
                        "als anderswo in der Stadt.",
                        "Within {radius} m the air carries more fine dust than elsewhere in the "
                        "city."),
    "why_people": ("Rund {people} Menschen wohnen im Umkreis von {radius} m{vulnerable}.",
                   "About {people} people live within {radius} m{vulnerable}."),
    "why_people_vulnerable": (", davon rund {pct} über 65 oder unter 6 Jahre alt",
                              ", about {pct} of them over 65 or under 6"),
    "why_people_few": ("Hier wohnen nur wenige Menschen (unter {few} im Umkreis von {radius} m); "
                       "der Vorschlag nützt vor allem Menschen, die dort arbeiten, lernen oder "
                       "unterwegs sind.",
                       "Few people live here (fewer than {few} within {radius} m); the proposal "
                       "mainly helps people who work, study or pass by there."),
    "why_need": ("Der Ort hat insgesamt {level} Bedarf an Abkühlung, sauberer Luft und Grün.",
                 "Overall, the need for cooling, clean air and green is {level} here."),
    "why_need_very_high": ("einen sehr hohen", "very high"),
    "why_need_high": ("einen hohen", "high"),
    "why_need_medium": ("einen mittleren", "medium"),
    "why_need_low": ("nur einen geringen", "low"),
    "why_effect": ("Eine Maßnahme dieser Art ({cat}) hilft dabei {level}.",
                   "A measure of this kind ({cat}) helps {level} with that."),
    "why_effect_much": ("viel", "a lot"),
    "why_effect_some": ("etwas", "somewhat"),
    "why_effect_little": ("nur wenig", "only a little"),
    # value for money, in the words of the page's sort order ("Nutzen je Euro")
    "why_value": ("Nutzen je Euro: {level} (Kosten {cost}).",
                  "Benefit per euro: {level} (cost {cost})."),
    "why_value_cheap": ("Weil der Vorschlag wenig kostet, ist der Nutzen je Euro trotzdem "
                        "{level} (Kosten {cost}).",
                        "Because it costs little, the benefit per euro is still {level} "
                        "(cost {cost})."),
    "why_value_very_many": ("sehr hoch", "very high"),
    "why_value_many": ("hoch", "high"),
    "why_value_some": ("mittel", "medium"),
    "why_value_few": ("gering", "low"),
    "why_rank_certain": ("Der Listenplatz ist sicher: Auch bei anderen Annahmen zum Bedarf "
                         "bliebe er gleich.",
                         "The rank is certain: it would stay the same under other assumptions "
                         "about need."),
    "why_rank_narrow": ("Der Listenplatz ist ziemlich sicher: Bei anderen Annahmen zum Bedarf "
                        "läge er wahrscheinlich zwischen Platz {lo} und {hi}.",
                        "The rank is fairly certain: under other assumptions about need it would "
                        "probably lie between {lo} and {hi}."),
    "why_rank_wide": ("Der Listenplatz ist unsicher: Bei anderen Annahmen zum Bedarf läge er "
                      "wahrscheinlich irgendwo zwischen Platz {lo} und {hi}.",
                      "The rank is uncertain: under other assumptions about need it would "
                      "probably lie somewhere between {lo} and {hi}."),
    # impact of a built measure (models/impact.explain)
    "impact_uhi_night": ("Nachttemperatur", "night-time temperature"),
    "impact_tmax_day": ("Tageshöchsttemperatur", "daytime maximum temperature"),
    "impact_pm2_5": ("Feinstaub PM2,5", "fine dust PM2.5"),
    "impact_no_statement": ("{q}: keine belastbare Aussage möglich – {reason}.",
                            "{q}: no reliable statement possible – {reason}."),
    # counts stand after a colon or in brackets, so that 1 and 0 read as correct German too
    "impact_design": ("{q}: Verglichen wurden Sensoren nahe der Maßnahme ({n_treated}) mit "
                      "vergleichbaren Kontrollsensoren ({n_control}); Tage vor dem Bau: "
                      "{days_pre}, danach: {days_post}. ",
                      "{q}: sensors near the measure ({n_treated}) were compared with comparable "
                      "control sensors ({n_control}); days before the build: {days_pre}, after: "
                      "{days_post}. "),
    "impact_effect": ("Geschätzte Wirkung: {effect} {unit} (95-%-Intervall: {lo} bis {hi} "
                      "{unit}).",
                      "Estimated effect: {effect} {unit} (95% interval: {lo} to {hi} {unit})."),
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
    "impact_few_days": ("zu wenige Tage mit Daten (vor dem Bau: {pre}, danach: {post}; nötig sind "
                        "je mindestens {min_days})",
                        "too few days with data (before the build: {pre}, after: {post}; at "
                        "least {min_days} each are needed)"),
    "impact_few_days_near": ("die Sensoren nahe der Maßnahme haben vor oder nach dem Bau zu wenige "
                             "Tage mit Daten (nötig sind je mindestens {min_days})",
                             "the sensors near the measure have too few days with data before or "
                             "after the build (at least {min_days} each are needed)"),
    "impact_few_controls": ("zu wenige vergleichbare Kontrollsensoren mit Daten ({n}; nötig sind "
                            "mindestens 3)",
                            "too few comparable control sensors with data ({n}; at least 3 are "
                            "needed)"),
    # district alerts (models/monitoring.alerts)
    "alert_tmax": ("{name}: Tageshöchstwert {tmax} °C", "{name}: daytime maximum {tmax} °C"),
    "alert_tropical": ("{name}: {streak} Tropennächte in Folge",
                       "{name}: {streak} tropical nights in a row"),
    "alert_heat_index": ("{name}: gefühlte Temperatur in Stufe {cls}",
                         "{name}: felt temperature class {cls}"),
    "alert_pm": ("{name}: {n} Tage über dem EU-Tagesgrenzwert für {label} (erlaubt {allowed})",
                 "{name}: {n} days over the EU daily limit for {label} (allowed {allowed})"),
}  # fmt: skip
