"""The decision-maker report (:mod:`workbench.present.report`): headings, table columns and
the paragraphs; ``{placeholders}`` are filled by :func:`workbench.i18n.tf`."""

from __future__ import annotations

# key -> (German, English)
REPORT_TEXT: dict[str, tuple[str, str]] = {
    "budget": ("Budget", "Budget"),
    "no_alerts": ("Keine Warnungen.", "No alerts."),
    "top5_title": ("Die fünf ersten Vorschläge", "The top five proposals"),
    "rank_range_note": ("Spanne der Plätze: Zwischen diesen Plätzen läge ein Vorschlag in 9 "
                        "von 10 Fällen, wenn man den Bedarf anders gewichtet und die "
                        "Unsicherheit der Karten berücksichtigt.",
                        "Range: in 9 of 10 cases the proposal would lie between these places "
                        "if need were weighted differently and the maps' uncertainty taken "
                        "into account."),
    "funded_by_method": ("Geförderte Vorschläge je Verfahren", "Funded proposals by method"),
    "validation_title": ("Validierung: Fehler (RMSE) im Vergleich mit einfachen Verfahren",
                         "Validation: error (RMSE) against simple baselines"),
    "validation_uhi": ("Wärmeinsel nachts (K)", "nocturnal UHI (K)"),
    "ranking_table": ("Alle Vorschläge nach Platz, mit Begründung",
                      "All proposals by rank, with the reasons"),
    "scenarios_table": ("Die Verfahren nebeneinander", "The methods side by side"),
    "summary_see_scenarios": ("Alle Verfahren mit ihren Zahlen stehen im Abschnitt "
                              "„Budget-Szenarien im Vergleich“.",
                              "All methods with their figures are in the section “Budget "
                              "scenarios side by side”."),
    "degrees": ("Grad", "degrees"),
    "term_kelvin": ("K (Kelvin)", "K (kelvin)"),
    "term_kelvin_text": ("Tabellen und Karten geben Temperaturunterschiede in K an: 1 K ist ein "
                         "Unterschied von 1 Grad Celsius. Im Text steht dafür „Grad“.",
                         "Tables and maps give temperature differences in K: 1 K is a "
                         "difference of 1 degree Celsius. The text says “degrees”."),
    "cv_header": ("Kreuzvalidierung", "Cross-validation"),
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
    "pm2_5_ugm3": ("PM2,5 (µg/m³)", "PM2.5 (µg/m³)"),
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
                       "Kategorie ÷ Kosten. Budget-Verfahren: nur Stimmen (die meistgewählten "
                       "Vorschläge, bis das Geld reicht – wie bisher), optimal nach Bedarf, "
                       "Methode der gleichen Anteile (Equal Shares) auf den Stimmen, und Equal "
                       "Shares, bei dem der gemessene Bedarf 30 % des Budgets als eigene Stimme "
                       "vertritt.",
                       "Ranking: need at the site × people reached × expected effect of the "
                       "category ÷ cost. Budget methods: votes only (the most-voted proposals "
                       "until the money runs out, current practice), optimal by need, Method of "
                       "Equal Shares on the votes, and Equal Shares in "
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
    "repro_run": ("Technische Kennung des Laufs", "Technical id of the run"),
    "repro_period": ("Zeitraum", "Period"),
    "repro_sensors": ("Sensoren mit Position", "Sensors with a position"),
    "repro_cells": ("Rasterzellen", "Grid cells"),
    "repro_readings": ("Messwerte", "readings"),
    "repro_proposals": ("Vorschläge", "Proposals"),
    "repro_voters": ("Abstimmende (pseudonymisiert)", "Voters (pseudonymised)"),
    "repro_coverage": ("Datengrundlage", "Data coverage"),
    "repro_parameters": ("Parameter des Laufs", "Run parameters"),
    # the summary (report.summary); numbers come formatted by the i18n formatters
    "report_heat_sentence": ("Hitze: {n_sensors} Sensoren zeigen, wie viel wärmer die Stadt "
                             "nachts ist als ihr Umland. Am wärmsten sind {warm}. {hotspot_share} "
                             "der Stadtfläche sind statistisch gesicherte Hitze-Hotspots. Das "
                             "Modell trifft die Messungen unabhängiger Sensoren auf {rmse} Grad "
                             "genau.",
                             "Heat: {n_sensors} sensors show how much warmer the city is at night "
                             "than its surroundings. Warmest are {warm}. {hotspot_share} of the "
                             "city area are statistically significant heat hotspots. The model "
                             "predicts held-out sensors to within {rmse} degrees."),
    "report_air_sentence": ("Luft: {n_sensors} Feinstaub-Sensoren; {over_who} liegen im Mittel "
                            "über dem WHO-Richtwert für PM2,5 (5 µg/m³), {over_eu} über dem "
                            "EU-Grenzwert ab 2030 (10 µg/m³) – ein Hinweis, denn der Zeitraum ist "
                            "kürzer als ein Jahr.",
                            "Air: {n_sensors} fine-dust sensors; {over_who} exceed the WHO PM2.5 "
                            "guideline (5 µg/m³) on average, {over_eu} the EU 2030 limit "
                            "(10 µg/m³) – an indication only, as the period is shorter than a "
                            "year."),
    "report_need_sentence": ("Den höchsten Bedarf an Grün haben {top}.",
                             "Need for green is highest in {top}."),
    "report_proposals_sentence": ("{n} Vorschläge wurden nach dem Bedarf am Ort, den erreichten "
                                  "Menschen, der erwarteten Wirkung und den Kosten geordnet. "
                                  "Vorne liegen: {leading}.",
                                  "{n} proposals were ranked by need at the site, people "
                                  "reached, expected effect and cost. Leading: {leading}."),
    "report_budget_sentence": ("Budget {budget}: Nach Stimmen allein (bisheriges Verfahren) "
                               "fließen {votes_hotspots} an Hotspots und {votes_voters} der "
                               "Abstimmenden erhalten ein Projekt; mit Equal Shares und Bedarf "
                               "sind es {need_hotspots} und {need_voters}.",
                               "Budget {budget}: by votes alone (current practice) "
                               "{votes_hotspots} goes to hotspots and {votes_voters} of voters "
                               "get a funded project; with need-informed Equal Shares it is "
                               "{need_hotspots} and {need_voters}."),
    # text alternatives of the report maps (report.figures)
    "map_alt": ("Karte: {title}. Werte von {lo} bis {hi} {label}.",
                "Map: {title}. Values from {lo} to {hi} {label}."),
    "map_alt_hotspots": ("{n} Hotspot-Zellen umrandet.", "{n} hotspot cells outlined."),
    "map_alt_proposals": ("{n} Vorschläge; die Plätze 1–10 als nummerierte Kreise.",
                          "{n} proposals; places 1–10 as numbered circles."),
    # methods with the run's parameters (report.methods)
    "method_hotspots": ("Hotspots: lokales Getis-Ord Gi* im Umkreis von {distance} m, "
                        "{permutations} Permutationen, Falscherkennungsrate 5 % "
                        "(Benjamini-Hochberg).",
                        "Hotspots: local Getis-Ord Gi* within {distance} m, {permutations} "
                        "permutations, false discovery rate 5% (Benjamini-Hochberg)."),
    "method_need": ("Bedarfsindex: normierte Hitze, Luft, Grünmangel, Bevölkerung und "
                    "Verletzlichkeit (über 65, unter 6), gewichtet ({weights}). Die Spannen der "
                    "Ränge kommen aus {draws} Ziehungen von Gewichten, Normierungen und "
                    "Modellfehlern.",
                    "Need index: normalised heat, air, green deficit, population and "
                    "vulnerability (over 65, under 6), weighted ({weights}). Rank ranges come "
                    "from {draws} draws of weights, normalisations and model errors."),
    # caveats, sensor plan and monitoring with the run's numbers
    "caveat_qc_passed": ("{share} von {readings} Messwerten haben alle Prüfungen bestanden.",
                         "{share} of {readings} readings passed all checks."),
    "plan_paragraph": ("Neue Sensoren an diesen Orten senken die Varianz des Hitzemodells an den "
                       "{targets} geförderten Orten von {before} auf {after} K² (gleich viele "
                       "zufällige Orte: {random} K²). Kontrollstandorte liegen fern der "
                       "Maßnahmen in ähnlicher Bebauung.",
                       "New sensors at these sites lower the heat model's variance at the "
                       "{targets} funded sites from {before} to {after} K² (as many random "
                       "sites: {random} K²). Control sites lie away from the measures in "
                       "similar land cover."),
    "mon_as_of": ("Stand: {as_of} (letzte 24 Stunden; EU-Grenzwerte 2030, 18 "
                  "Überschreitungstage pro Jahr erlaubt).",
                  "As of {as_of} (last 24 hours; EU 2030 limits, 18 days over the daily limit "
                  "allowed per year)."),
    # header, footer and the closing block (report.legal)
    "computed_on": ("Berechnung vom {when}", "Computed on {when}"),
    "legal": ("Impressum, Datenschutz, Barrierefreiheit", "Legal notice, privacy, accessibility"),
    "legal_imprint": ("Impressum", "Legal notice"),
    "legal_privacy": ("Datenschutzerklärung", "Privacy statement"),
    "legal_accessibility": ("Erklärung zur Barrierefreiheit", "Accessibility statement"),
    "legal_no_link": ("Die veröffentlichende Stelle hat diese Seite noch nicht verlinkt.",
                      "The publishing body has not linked this page yet."),
    "legal_report_privacy": ("Dieser Bericht enthält keine personenbezogenen Daten: Namen und "
                             "E-Mail-Adressen der Einreichenden fehlen, Abstimmende sind "
                             "pseudonymisiert, Stimmenzahlen unter 5 werden nicht genannt.",
                             "This report holds no personal data: names and e-mail addresses "
                             "of the authors are left out, voters are pseudonymised, vote "
                             "counts below 5 are not shown."),
    "legal_report_accessibility": ("Der Bericht ist ein getaggtes PDF (PDF/UA) mit "
                                   "Textalternativen zu allen Karten; dieselben Inhalte stehen "
                                   "in der HTML-Fassung, die mit Tastatur und Bildschirmleser "
                                   "nutzbar ist.",
                                   "The report is a tagged PDF (PDF/UA) with text alternatives "
                                   "for every map; the same content is in the HTML version, "
                                   "which works with keyboard and screen reader."),
    # the spreadsheet (report.xlsx)
    "xlsx_allocation": ("Zuteilung", "Allocation"),
}  # fmt: skip
