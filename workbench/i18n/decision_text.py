"""Words of the report's first page (the decision) and of "what changed", German and English."""

# fmt: off
DECISION_TEXT: dict[str, tuple[str, str]] = {
    "decision": ("Entscheidungsvorlage", "Decision"),
    "decision_question": (
        "Zu entscheiden: Welche Vorschläge des Grünen Bürgerbudgets werden mit {budget} "
        "umgesetzt?",
        "To decide: which proposals of the Green Citizens' Budget are carried out with {budget}?"),
    "decision_recommendation": (
        "Empfehlung: die Verteilung „{method}“. Sie fördert {n} Vorschläge für zusammen {spent} "
        "(Liste unten).",
        "Recommendation: the allocation “{method}”. It funds {n} proposals for {spent} in total "
        "(list below)."),
    "decision_why": (
        "Warum: Gegenüber der Verteilung nach Stimmen allein (bisheriges Verfahren) fließen "
        "{rec_hot} statt {base_hot} des Geldes an Orte mit Hitze- oder Feinstaub-Belastung, und "
        "{rec_voters} statt {base_voters} der Abstimmenden erhalten ein Projekt, für das sie "
        "gestimmt haben.",
        "Why: compared with the allocation by votes alone (current practice), {rec_hot} instead "
        "of {base_hot} of the money goes to places burdened by heat or fine dust, and "
        "{rec_voters} instead of {base_voters} of the voters get a project they voted for."),
    "decision_tradeoff": ("Empfehlung und bisheriges Verfahren im Vergleich",
                          "The recommendation against current practice"),
    "decision_districts": ("Geld je Stadtteil: wo sich etwas ändert",
                           "Money per district: where it changes"),
    "decision_districts_note": (
        "Stadtteile, deren Betrag sich nicht ändert, sind nicht aufgeführt.",
        "Districts whose amount does not change are not listed."),
    "decision_funded": ("Geförderte Vorschläge nach der Empfehlung",
                        "Proposals funded under the recommendation"),
    "decision_funded_total": ("Zusammen {spent} von {budget}.", "Together {spent} of {budget}."),
    "decision_caveats": ("Wichtige Einschränkungen", "Key caveats"),
    "decision_caveat_simulated": (
        "Alle Zahlen stammen aus simulierten Demo-Daten; sie zeigen das Verfahren, nicht die "
        "Lage in Gelsenkirchen.",
        "All figures come from simulated demo data; they show the method, not the situation "
        "in Gelsenkirchen."),
    "decision_caveat_period": (
        "Die Messungen decken {days} Tage ab, nicht ein ganzes Jahr; Jahreswerte sind nur "
        "ein Hinweis.",
        "The measurements cover {days} days, not a whole year; annual values are an "
        "indication only."),
    "decision_caveat_ranks": (
        "Plätze sind unsicher: bei {n} der ersten 10 Vorschläge reicht die Spanne über "
        "mehr als 3 Plätze (siehe Rangliste).",
        "Ranks are uncertain: for {n} of the first 10 proposals the range spans more than 3 "
        "places (see the ranking)."),
    "decision_caveat_lowcost": (
        "Einige der Sensoren sind günstige Geräte; sie wurden geprüft und gegen "
        "Referenzstationen abgeglichen, bleiben aber ungenauer.",
        "Some sensors are low-cost devices; they were checked and matched against reference "
        "stations but remain less precise."),
    "decision_council": (
        "Die Vorlage empfiehlt; entscheiden muss der Rat. Alle anderen Verteilungen stehen "
        "im Abschnitt „Budget-Szenarien“.",
        "The report recommends; the council decides. All other allocations are in the "
        "section “Budget scenarios”."),
    "term_need": ("Bedarfsindex", "Need index"),
    "term_need_text": (
        "Der Bedarfsindex (0 bis 1) sagt, wie dringend ein Ort mehr Grün braucht. Er verbindet "
        "nächtliche Hitze, Feinstaub, fehlendes Grün und wie viele Menschen dort leben, "
        "besonders ältere Menschen und kleine Kinder.",
        "The need index (0 to 1) says how urgently a place needs more green. It combines "
        "night-time heat, fine dust, missing green and how many people live there, older "
        "people and small children in particular."),
    "term_equal_shares": ("Equal Shares (Methode der gleichen Anteile)",
                          "Equal Shares (Method of Equal Shares)"),
    "term_equal_shares_text": (
        "Jede abstimmende Person erhält den gleichen Anteil am Budget und gibt ihn für die "
        "Vorschläge aus, die sie unterstützt; gefördert wird, was genug Anteile sammelt. "
        "„Mit Bedarf“ heißt: {share} des Budgets verteilt der gemessene Bedarf wie eine "
        "zusätzliche Stimme für Vorschläge an Orten mit hohem Bedarf.",
        "Every voter gets the same share of the budget and spends it on the proposals they "
        "support; what gathers enough shares is funded. “Need-informed” means: measured need "
        "spends {share} of the budget like an extra vote for proposals at places of high need."),
    "col_current": ("Nur Stimmen (bisher)", "Votes only (current)"),
    "col_recommended": ("Empfehlung", "Recommendation"),
    "col_change": ("Änderung", "Change"),
    "row_funded": ("Geförderte Vorschläge", "Funded proposals"),
    "row_spent": ("Ausgegeben (€)", "Spent (€)"),
    "row_to_hotspots": ("Geld an Hotspots (%)", "Money to hotspots (%)"),
    "row_voters": ("Abstimmende mit gefördertem Projekt (%)",
                   "Voters with a funded project (%)"),
    "row_need": ("Mittlerer Bedarf an geförderten Orten", "Mean need at funded sites"),
    "proposal_no": ("Nr.", "No."),
    # words of the report that came from code names before
    "health_ok": ("in Ordnung", "ok"),
    "health_degraded": ("eingeschränkt", "degraded"),
    "health_stale": ("veraltet", "stale"),
    "health_dead": ("ausgefallen", "dead"),
    "weight_heat": ("Hitze", "heat"),
    "weight_air": ("Luft", "air"),
    "weight_green_deficit": ("Grünmangel", "green deficit"),
    "weight_exposure": ("Bevölkerung", "exposure"),
    "weight_vulnerability": ("Verletzlichkeit", "vulnerability"),
    "quantity_air_temperature": ("Lufttemperatur", "air temperature"),
    "quantity_relative_humidity": ("relative Feuchte", "relative humidity"),
    "quantity_air_pressure": ("Luftdruck", "air pressure"),
    "quantity_pm2_5": ("Feinstaub PM2,5", "fine dust PM2.5"),
    "quantity_pm10": ("Feinstaub PM10", "fine dust PM10"),
    "quantity_no2": ("Stickstoffdioxid NO₂", "nitrogen dioxide NO₂"),
    "quantity_wind_speed": ("Windgeschwindigkeit", "wind speed"),
    "quantity_irradiance": ("Einstrahlung", "irradiance"),
    "quantity_battery_voltage": ("Batteriespannung", "battery voltage"),
    "quantity_heat": ("Hitze", "heat"),
    "note_model_not_fitted": (
        "Für {what} wurde kein Modell berechnet: zu wenige Sensoren mit gültigem Mittelwert "
        "im Stadtgebiet.",
        "No model was fitted for {what}: too few sensors with a valid mean inside the city."),
    "note_no_heat": ("Ohne Lufttemperatur gibt es kein Hitzemodell.",
                     "Without air temperature there is no heat model."),
    "note_other": ("Weitere technische Hinweise des Laufs stehen in der Arbeitsmappe "
                   "(Blatt „Hinweise“).",
                   "Further technical notes of the run are in the workbook (sheet “Notes”)."),
    "repro_started": ("Beginn / Ende der Berechnung", "Computation started / finished"),
    "xlsx_notes": ("Hinweise", "Notes"),
    "xlsx_data_status": ("Datenstand", "Data status"),
    "xlsx_simulated": ("SIMULIERT – Demo-Daten, keine Messungen",
                       "SIMULATED – demo data, no measurements"),
    "xlsx_measured": ("gemessen", "measured"),
    "xlsx_run": ("Lauf (Run-ID)", "Run (run id)"),
    "xlsx_computed": ("Berechnung", "Computation"),
    "xlsx_period": ("Zeitraum der Messungen", "Measurement period"),
    "xlsx_recommendation": ("Empfohlene Verteilung", "Recommended allocation"),
    "xlsx_method": ("Verfahren in einem Absatz", "Method in one paragraph"),
    "xlsx_method_text": (
        "Sensoren messen Temperatur, Feuchte und Feinstaub; eine Qualitätskontrolle markiert "
        "fehlerhafte Werte, die dann nicht in die Karten eingehen (gelöscht wird nichts). "
        "Aus den Messungen und Landnutzungsdaten werden Karten der "
        "nächtlichen Wärmeinsel und des Feinstaubs je 100-m-Zelle geschätzt und mit "
        "unabhängigen Sensoren geprüft. Der Bedarfsindex verbindet Hitze, Feinstaub, "
        "Grünmangel und Bevölkerung. Jeder Vorschlag wird nach dem Bedarf an seinem Ort, den "
        "erreichten Menschen, der erwarteten Wirkung und den Kosten geordnet; vier Verfahren "
        "verteilen das Budget, und die Arbeitsmappe zeigt alle nebeneinander.",
        "Sensors measure temperature, humidity and fine dust; quality control flags faulty "
        "readings, which then stay out of the maps (nothing is deleted). "
        "From the readings and land-use data, maps of the night-time heat island and "
        "of fine dust are estimated per 100 m cell and checked against independent sensors. "
        "The need index combines heat, fine dust, missing green and population. Each proposal "
        "is ranked by the need at its site, the people reached, the expected effect and the "
        "cost; four methods allocate the budget, and the workbook shows all of them side by "
        "side."),
    "xlsx_sheets": ("Blätter", "Sheets"),
    "xlsx_votes_note": ("Stimmen unter 5 stehen als Text „weniger als 5“ (Datenschutz).",
                        "Votes below 5 are shown as the text “fewer than 5” (privacy)."),
    "xlsx_technical": ("Technische Meldung des Laufs (englisch)", "Technical note of the run"),
    "xlsx_run_note": ("Hinweis zur Berechnung", "Note on the computation"),
    "col_rank_lo": ("Platz von", "Rank from"),
    "col_rank_hi": ("Platz bis", "Rank to"),
    "col_cost_eur": ("Kosten (€)", "Cost (€)"),
    "col_need_site": ("Bedarf am Ort (0–1)", "Need at the site (0–1)"),
    "col_people": ("Menschen im Umkreis", "People nearby"),
    "col_funded_rec": ("Gefördert nach Empfehlung", "Funded under the recommendation"),
    "col_lat": ("Breite (WGS 84)", "Latitude (WGS 84)"),
    "col_lon": ("Länge (WGS 84)", "Longitude (WGS 84)"),
    "col_budget_eur": ("Budget (€)", "Budget (€)"),
    "col_spent_eur": ("Ausgegeben (€)", "Spent (€)"),
    "col_hot_eur": ("An Hotspots (€)", "To hotspots (€)"),
    "col_hot_share": ("An Hotspots (Anteil)", "To hotspots (share)"),
    "col_voters_share": ("Abstimmende mit gefördertem Projekt (Anteil)",
                         "Voters with a funded project (share)"),
    "col_need_funded": ("Mittlerer Bedarf an geförderten Orten (0–1)",
                        "Mean need at funded sites (0–1)"),
    "yes": ("ja", "yes"),
    "no": ("nein", "no"),
    "main_streets": ("Hauptstraßen", "Main streets"),
    "top10_numbered": ("Plätze 1–10 (Zahl = Platz)", "Places 1–10 (number = place)"),
    "map_key": ("Die Nummern auf der Karte „Vorschläge nach Platz“",
                "The numbers on the map “Proposals by rank”"),
    "changes": ("Was sich geändert hat", "What changed"),
    "changes_since": ("Verglichen mit der vorherigen Berechnung vom {run}.",
                      "Compared with the previous computation of {run}."),
    "changes_sensors": ("Sensoren: {new} neu, {lost} nicht mehr dabei.",
                        "Sensors: {new} new, {lost} no longer included."),
    "changes_hotspots_heat": ("Hitze-Hotspots, Anteil der Fläche je Stadtteil: {items}.",
                              "Heat hotspots, share of the area per district: {items}."),
    "changes_hotspots_air": ("Feinstaub-Hotspots, Anteil der Fläche je Stadtteil: {items}.",
                             "Fine-dust hotspots, share of the area per district: {items}."),
    "changes_moved": ("{n} Vorschläge haben sich um {places} oder mehr Plätze bewegt.",
                      "{n} proposals moved by {places} or more places."),
    "changes_moved_title": ("Vorschläge mit neuem Platz", "Proposals with a new place"),
    "changes_rank_before": ("Platz vorher", "Place before"),
    "changes_rank_now": ("Platz jetzt", "Place now"),
    "param_label": ("Einstellung (workbench.toml)", "Setting (workbench.toml)"),
}
# fmt: on
