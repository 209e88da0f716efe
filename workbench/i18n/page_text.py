"""Words shared by the report and the pages, then the citizen page (dashboard and static
site) and the analyst page."""

from __future__ import annotations

# key -> (German, English)
PAGE_TEXT: dict[str, tuple[str, str]] = {
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
    # "Platz" as in the explanations ("Platz 3 von 50") and on the citizen pages
    "rank": ("Platz", "Rank"),
    "rank_range": ("Spanne der Plätze", "Range"),
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
    "map_proposals": ("Vorschläge nach Platz", "Proposals by rank"),
    "hotspot": ("Hotspot (Gi*, FDR 5 %)", "hotspot (Gi*, FDR 5%)"),
    # the same for citizens: what a hotspot is, without the statistics' names
    "hotspot_plain": ("Schwerpunkt (statistisch gesichert)", "hotspot (statistically confirmed)"),
    "unit_K": ("Grad wärmer als der Stadtrand", "degrees warmer than the outskirts"),
    "unit_need": ("0 = gering, 1 = sehr hoch", "0 = low, 1 = very high"),
    # European Air Quality Index bands (EEA), shown in map legends
    "eaqi_good": ("gut", "good"),
    "eaqi_fair": ("ziemlich gut", "fair"),  # "mittelmäßig" read as worse than "mäßig"
    "eaqi_moderate": ("mäßig", "moderate"),
    "eaqi_poor": ("schlecht", "poor"),
    "eaqi_very_poor": ("sehr schlecht", "very poor"),
    "eaqi_extremely_poor": ("äußerst schlecht", "extremely poor"),
    "sensor": ("Sensor", "sensor"),
    "top10": ("Plätze 1–10", "rank 1–10"),
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
    "near_me": ("Adresse, Postleitzahl oder Stadtteil", "Address, postcode or district"),
    "address": ("z. B. Cranger Straße 100", "e.g. Cranger Straße 100"),
    "search": ("Suchen", "Search"),
    "about_data": ("Über die Daten", "About the data"),
    "latest_data": ("Neueste Daten", "Latest data"),
    "few_votes": ("weniger als 5", "fewer than 5"),
    "not_placed": ("nicht verortet", "not placed"),
    "total": ("Summe", "Total"),
    "selected": ("ausgewählt", "selected"),
    "no_proposals": ("Keine Vorschläge für diese Auswahl.", "No proposals for this selection."),
    "about_text": ("Ein Netz aus Sensoren misst Temperatur, Luftfeuchte und Feinstaub in "
                   "Gelsenkirchen. Daraus berechnet GE grünt, wo es nachts besonders warm "
                   "und wo die Luft belastet ist, und wie groß der Bedarf an Grün in jeder "
                   "Ecke der Stadt ist. Die Liste ordnet jeden Vorschlag nach dem Bedarf an "
                   "seinem Ort, den Menschen, die er erreicht, der erwarteten Wirkung und den "
                   "Kosten. Bei jedem Vorschlag steht, wie sicher sein Platz ist.",
                   "A network of sensors measures temperature, humidity and fine dust in "
                   "Gelsenkirchen. From it GE grünt computes where nights are especially "
                   "warm and the air is polluted, and how much each part of the city needs "
                   "green. The list orders every proposal by the need at its site, the people "
                   "it reaches, the expected effect and the cost. Each proposal says how "
                   "certain its place is."),
    "caveat_lowcost": ("Die Sensoren sind günstige Geräte: Sie messen weniger genau als "
                       "amtliche Stationen und wurden an diesen abgeglichen. Werte zwischen "
                       "den Sensoren sind berechnet, nicht gemessen. Keine personenbezogenen "
                       "Daten; Stimmenzahlen unter 5 werden nicht gezeigt.",
                       "The sensors are low-cost devices: less accurate than official stations "
                       "and calibrated against them. Values between sensors are computed, not "
                       "measured. No personal data; vote counts below 5 are not shown."),
    "run": ("Berechnung", "run"),
    "sensors": ("Sensoren", "Sensors"),
    "sensors_used": ("Sensoren: {total}. {heat} davon liefern Werte für die Hitzekarte, {air} "
                     "für die Feinstaubkarte.",
                     "Sensors: {total}. {heat} of them feed the heat map, {air} the "
                     "fine-dust map."),
    "reset": ("Zurücksetzen", "Reset"),
    "map_hint": ("Tipp: Klicken Sie in die Karte, um die Vorschläge nach Entfernung von diesem "
                 "Punkt zu sortieren.",
                 "Tip: click on the map to sort the proposals by distance from that point."),
    "citizen_title": ("Grünes Bürgerbudget Gelsenkirchen: Welche Vorschläge helfen am meisten "
                      "gegen Hitze und schlechte Luft?",
                      "Green Citizens' Budget Gelsenkirchen: which proposals help most against "
                      "heat and bad air?"),
    "page_title": ("GE grünt – Grünes Bürgerbudget", "GE grünt – Green Citizens' Budget"),
    "analyst_page_title": ("GE grünt – Analyse (intern)", "GE grünt – Analysis (internal)"),
    "citizen_intro": ("Die Liste ordnet die Vorschläge danach, wie vielen Menschen mit hohem "
                      "Bedarf an Abkühlung und sauberer Luft sie je 1.000 € helfen (Nutzen je "
                      "Euro). Die Stimmen fließen in diese Reihenfolge nicht ein – sie "
                      "entscheiden in der Abstimmung. Sie können die Liste auch nach dem "
                      "Bedarf am Ort oder nach Stimmen sortieren.",
                      "The list orders the proposals by how many people with a high need for "
                      "cooling and clean air they help per €1,000 (benefit per euro). Votes "
                      "are not part of this order – they decide in the vote. You can also sort "
                      "the list by need at the site or by votes."),
    "search_title": ("Suchen und filtern", "Search and filter"),
    "list_title": ("Vorschläge", "Proposals"),
    "map_title": ("Karte", "Map"),
    "sort": ("Sortieren nach", "Sort by"),
    "sort_value": ("Nutzen je Euro", "Benefit per euro"),
    "sort_need": ("Bedarf am Ort", "Need at the site"),
    "sort_votes": ("Stimmen", "Votes"),
    "sort_distance": ("Entfernung", "Distance"),
    "locate": ("Mein Standort", "My location"),
    "locating": ("Standort wird ermittelt …", "Finding your location …"),
    "geo_failed": ("Ihr Browser hat keinen Standort geliefert. Bitte geben Sie eine Adresse ein.",
                   "Your browser gave no location. Please type an address."),
    "found_place": ("Gefunden: {label}. Die Vorschläge sind nach Entfernung sortiert.",
                    "Found: {label}. The proposals are sorted by distance."),
    "sorted_from_point": ("Die Vorschläge sind nach Entfernung vom gewählten Punkt sortiert.",
                          "The proposals are sorted by distance from the chosen point."),
    "geo_outside": ("Ihr Standort liegt außerhalb von Gelsenkirchen. Geben Sie bitte eine "
                    "Adresse ein.",
                    "Your location lies outside Gelsenkirchen. Please type an address."),
    "data_old": ("Hinweis: Die neuesten Messwerte sind {days} Tage älter als diese Berechnung.",
                 "Note: the newest readings are {days} days older than this computation."),
    "about_simulated": ("Auf dieser Vorführseite sind alle Messwerte, Vorschläge und Stimmen "
                        "simuliert; so sähe die Seite mit echten Daten aus.",
                        "On this demonstration page all readings, proposals and votes are "
                        "simulated; this is how the page would look with real data."),
    "my_location": ("Ihr Standort", "your location"),
    "chosen_point": ("der gewählte Punkt auf der Karte", "the point chosen on the map"),
    "distance_from": ("{distance} entfernt", "{distance} away"),
    "show_more": ("{n} weitere Vorschläge zeigen", "Show {n} more proposals"),
    "shown_of": ("{shown} von {n} Vorschlägen angezeigt", "{shown} of {n} proposals shown"),
    "filtered_of": ("Auswahl aus {n}", "selected from {n}"),
    "show_on_map": ("Auf der Karte zeigen", "Show on map"),
    "participate": ("Zur Abstimmung / Kommentieren", "Vote / comment"),
    "participate_about": ("(öffnet die Beteiligungsplattform)",
                          "(opens the participation platform)"),
    "need_level": ("Bedarf am Ort", "Need at the site"),
    "budget_title": ("Das Budget: Was würde gefördert?", "The budget: what would be funded?"),
    "budget_text": ("Für das Grüne Bürgerbudget stehen {budget} bereit. Welche Vorschläge davon "
                    "bezahlt werden, hängt vom Verfahren ab. Zum Vergleich:",
                    "The Green Citizens' Budget has {budget}. Which proposals it pays for "
                    "depends on the method. For comparison:"),
    "budget_funded": ("{n} Vorschläge für zusammen {spent}", "{n} proposals for {spent} in total"),
    "budget_proposals": ("Geförderte Vorschläge", "Funded proposals"),
    "budget_districts": ("Geld je Stadtteil", "Money per district"),
    "budget_method_votes_greedy": ("Die Vorschläge mit den meisten Stimmen, bis das Geld "
                                   "reicht (bisheriges Verfahren).",
                                   "The proposals with the most votes until the money runs out "
                                   "(current practice)."),
    "budget_method_need_optimal": ("Die Auswahl, die im Ganzen den meisten Menschen mit hohem "
                                   "Bedarf hilft.",
                                   "The selection that helps the most people with high need "
                                   "in total."),
    "budget_method_equal_shares": ("Jede abstimmende Person bekommt einen gleichen Anteil am "
                                   "Budget; gefördert wird, was genug Unterstützung sammelt "
                                   "(Methode der gleichen Anteile, „Equal Shares“).",
                                   "Every voter gets an equal share of the budget; what gathers "
                                   "enough support is funded (Method of Equal Shares)."),
    "budget_method_equal_shares_need": ("Wie Equal Shares, aber ein Teil des Budgets geht an "
                                        "Vorschläge an Orten mit hohem Bedarf.",
                                        "Like Equal Shares, but part of the budget goes to "
                                        "proposals at places of high need."),
    "marker_legend": ("Punkte: Vorschläge, gefärbt nach Platz in der Liste",
                      "Dots: proposals, coloured by place in the list"),
    "marker_first": ("Platz 1", "place 1"),
    "marker_last": ("letzter Platz", "last place"),
    "site_map_alt": ("Karte von Gelsenkirchen mit Stadtteilgrenzen, den eingeschalteten Ebenen und "
                "den Vorschlägen als farbige Punkte. Dieselben Angaben stehen in der Liste.",
                "Map of Gelsenkirchen with district boundaries, the layers switched on and the "
                "proposals as coloured dots. The same facts are given in the list."),
    "map_touch": ("Auf dem Handy: mit zwei Fingern verschieben und zoomen, oder erst in die "
                  "Karte tippen.",
                  "On a phone: move and zoom with two fingers, or tap the map first."),
    "zoom_in": ("Karte vergrößern", "Zoom in"),
    "zoom_out": ("Karte verkleinern", "Zoom out"),
    "skip_list": ("Zur Liste springen", "Skip to the list"),
    "published_by": ("Herausgeber", "Published by"),
    "data_state": ("Datenstand", "Data as of"),
    "computed": ("berechnet am", "computed on"),
    "place": ("Platz", "Rank"),
    "of_total": ("von {n}", "of {n}"),
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
    "click_outside": ("Dieser Punkt liegt außerhalb der Stadt. Bitte klicken Sie in die Karte "
                      "von Gelsenkirchen.",
                      "This point lies outside the city. Please click inside the map of "
                      "Gelsenkirchen."),
    "place_too_short": ("Bitte mindestens drei Buchstaben eingeben.",
                        "Please type at least three letters."),
    "place_unknown": ("„{text}“ wurde nicht gefunden. Versuchen Sie Straße und Hausnummer, eine "
                      "Postleitzahl oder einen Stadtteil.",
                      "“{text}” was not found. Try a street and house number, a postcode or a "
                      "district."),
    "place_invalid": ("Diese Eingabe kann nicht gesucht werden (höchstens 120 Zeichen, keine "
                      "Steuerzeichen).",
                      "This cannot be searched (at most 120 characters, no control "
                      "characters)."),
    "map_label": ("Karte mit Hitze, Luft, Bedarf und Vorschlägen",
                  "Map of heat, air, need and proposals"),
    # the analyst page (present.dashboard.analyst)
    "analyst_title": ("Analyse: Sensornetz, Modelle, Gewichte",
                      "Analysis: sensor network, models, weights"),
    "analyst_health": ("Zustand des Sensornetzes", "Sensor network health"),
    "analyst_live": ("Neueste Messwerte", "Recent readings"),
    "analyst_diagnostics": ("Modellgüte", "Model diagnostics"),
    "analyst_weights": ("Gewichte des Bedarfsindex", "Need index weights"),
    "analyst_rerank": ("Neu berechnen", "Re-rank"),
    "analyst_refresh": ("Aktualisieren", "Refresh"),
    "analyst_status": ("Status", "Status"),
    "analyst_residuals": ("Karte: Abweichung je Sensor (Kreuzvalidierung, K); rot = Modell zu "
                          "kalt, blau = zu warm",
                          "Map: residual per sensor (cross-validation, K); red = model too cold, "
                          "blue = too warm"),
    "analyst_monitoring": ("Aktuelle Lage je Stadtteil", "Current situation per district"),
    "analyst_plan": ("Vorgeschlagene neue Sensorstandorte (Quadrate auf der Karte)",
                     "Suggested new sensor sites (squares on the map)"),
    "analyst_moved": ("Rangänderung gegenüber der veröffentlichten Rangliste",
                      "Change against the published ranking"),
    "analyst_weight_heat": ("Hitze", "Heat"),
    "analyst_weight_air": ("Luft", "Air"),
    "analyst_weight_green_deficit": ("Grünmangel", "Green deficit"),
    "analyst_weight_exposure": ("Bevölkerung", "Exposure"),
    "analyst_weight_vulnerability": ("Verletzlichkeit", "Vulnerability"),
}  # fmt: skip
