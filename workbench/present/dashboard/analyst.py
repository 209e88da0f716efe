"""The analyst page: sensor network health, recent readings, model diagnostics, and need
weights that re-rank the proposals live.

:func:`build_analyst` returns an :class:`AnalystPage`;
``present/notebooks/analyst/analyst.ipynb`` displays its ``widget``. Tests set slider values
and call ``Button.click()``.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as W
import numpy as np
import pandas as pd
from traitlets import TraitError

from workbench.i18n import fmt_dec, t
from workbench.pipeline.status import status
from workbench.present.dashboard.private_errors import keep_tracebacks_private, under_voila
from workbench.present.dashboard.state import NEED_KEYS, WeightState
from workbench.present.maps import STATUS_COLOURS
from workbench.workspace import Workspace


def _weight_label(key: str, lang: str) -> str:
    """The need-index weight ``key`` (``heat``, ``air``, …) as the slider calls it."""
    return t(f"analyst_weight_{key}", lang)


def html_table(df: pd.DataFrame, *, max_rows: int = 200) -> str:
    """A DataFrame as an escaped HTML table (no pandas ``to_html`` escaping surprises)."""
    head = "".join(f"<th scope='col'>{escape(str(c))}</th>" for c in df.columns)
    rows = []
    for rec in df.head(max_rows).itertuples(index=False):
        cells = []
        for v in rec:
            if isinstance(v, float):
                s = "" if np.isnan(v) else f"{v:.3g}"
            else:
                s = "" if v is None else str(v)
            cells.append(f"<td>{escape(s)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    # a scrollable, focusable region: wide tables scroll sideways on a phone, long ones stop
    # at 28 rem, and keyboard users can scroll them too
    return (
        "<div class='wb-scroll' tabindex='0' role='region' aria-label='Tabelle / table' "
        "style='overflow:auto; max-height:28rem; max-width:100%'>"
        "<table class='wb-table'><thead><tr>"
        + head
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
    )


STATUS_WORDS = {
    "de": {"all": "alle", "ok": "in Ordnung", "degraded": "eingeschränkt", "stale": "veraltet",
           "dead": "ausgefallen"},
    "en": {"all": "all", "ok": "ok", "degraded": "degraded", "stale": "stale", "dead": "dead"},
}  # fmt: skip
HEALTH_COLUMNS = {
    "de": {"sensor_id": "Sensor", "status": "Zustand", "completeness": "Vollständigkeit",
           "last_seen": "zuletzt gesehen", "hours_since_seen": "Stunden seitdem",
           "flagged_share": "Anteil markiert", "reasons": "Gründe"},
    "en": {"sensor_id": "sensor", "status": "status", "completeness": "completeness",
           "last_seen": "last seen", "hours_since_seen": "hours since", "flagged_share":
           "share flagged", "reasons": "reasons"},
}  # fmt: skip


def health_table(health: pd.DataFrame) -> pd.DataFrame:
    """Sensors with a problem first, then by id."""
    cols = [
        "sensor_id",
        "status",
        "completeness",
        "last_seen",
        "hours_since_seen",
        "flagged_share",
        "reasons",
    ]
    h = health[[c for c in cols if c in health]].copy()
    order = {"dead": 0, "stale": 1, "degraded": 2, "ok": 3}
    h["_o"] = h["status"].map(order).fillna(4)
    return h.sort_values(["_o", "sensor_id"]).drop(columns="_o").reset_index(drop=True)


def recent_readings(
    ws: Workspace, quantity: str, hours: int = 24
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The last ``hours`` of hourly means before the newest reading of ``quantity``.

    Returns the latest value per sensor and the network's hourly median and 10–90 % band.
    """
    sensors = [s for s in status(ws)["sensors"] if quantity in s.get("quantities", [])]
    last = max((s["last_seen"] for s in sensors if s.get("last_seen")), default=None)
    if last is None:
        empty = pd.DataFrame(columns=["sensor_id", "time", "mean"])
        return empty, pd.DataFrame(columns=["time", "median", "p10", "p90"])
    end = pd.Timestamp(last)
    start = end - pd.Timedelta(hours=hours)
    a = ws.aggregate(quantity, start=start.isoformat())
    latest = (
        a.sort_values("time")
        .groupby("sensor_id", as_index=False)
        .last()[["sensor_id", "time", "mean"]]
        .sort_values("mean", ascending=False)
    )
    band = a.groupby("time")["mean"].quantile([0.1, 0.5, 0.9]).unstack()
    band.columns = ["p10", "median", "p90"]
    return latest.reset_index(drop=True), band.reset_index()


def cv_table(metrics: dict[str, Any]) -> pd.DataFrame:
    """RMSE of model and baselines under both CV schemes, per quantity."""
    rows = []
    blocks = [("heat (K)", metrics.get("heat", {}))]
    blocks += [(f"{q} (µg/m³)", metrics.get("air", {}).get(q, {})) for q in ("pm2_5", "pm10")]
    for name, m in blocks:
        if m.get("status") != "ok":
            continue
        for scheme in ("loso", "block"):
            cv = m["cv"][scheme]
            rows.append(
                {
                    "quantity": name,
                    "cv": scheme,
                    "model": cv["regression_kriging"]["rmse"],
                    "idw": cv["idw"]["rmse"],
                    "covariates_only": cv["covariates_only"]["rmse"],
                    "r2": cv["regression_kriging"]["r2"],
                }
            )
    return pd.DataFrame(rows)


class AnalystPage:
    """Widgets of the analyst page for one workspace."""

    def __init__(self, ws: Workspace, *, lang: str = "de") -> None:
        self.ws = ws
        self.lang = lang
        self.cells = ws.results("cells")
        self.sensors = ws.results("sensors")
        self.proposals = ws.results("proposals")
        self.metrics = ws.metrics()
        self.weights = WeightState()
        cfg_w = self.metrics.get("need", {}).get("weights")
        if cfg_w:
            self.weights.weights = [float(cfg_w[k]) for k in NEED_KEYS]
        self.language = W.ToggleButtons(options=[("Deutsch", "de"), ("English", "en")], value=lang)
        self.title = W.HTML()
        self.banner = W.HTML()  # "simulated data", when it is
        centre = self._build_health()
        self._build_live()
        # ---- diagnostics
        self.cv_html = W.HTML()
        self.residual_map = _plain_map(centre)
        self._residual_layer()
        self._build_weights()
        self.headings = {
            k: W.HTML() for k in ("health", "monitoring", "live", "diagnostics", "weights")
        }
        self.monitor_html = W.HTML()
        self.plan_html = W.HTML()
        self._plan_layer()
        self._wire()
        self.render()
        self.update_health()
        self.update_monitoring()
        self.update_live()
        self.update_ranking()
        self.widget = self._layout()

    def _build_health(self) -> tuple[float, float]:
        """Status filter, health table and the map of sensors by status; the map centre."""
        import ipyleaflet as L
        from pyproj import Transformer

        self.health = self.ws.health()
        self.status_filter = W.Dropdown(
            options=[(STATUS_WORDS[self.lang][k], k) for k in ("all", *STATUS_COLOURS)],
            value="all",
        )
        self.health_html = W.HTML()
        pos = self.sensors[["sensor_id", "x", "y"]].merge(self.health[["sensor_id", "status"]])
        tr = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
        lon, lat = tr.transform(pos["x"].to_numpy(), pos["y"].to_numpy())
        pos = pos.assign(lat=lat, lon=lon)
        self.positions = pos
        centre = (float(np.mean(lat)), float(np.mean(lon)))
        self.health_map = _plain_map(centre)
        self.status_markers = L.LayerGroup(name="sensors")
        for r in pos.itertuples():
            mk = L.CircleMarker(
                location=(r.lat, r.lon),
                radius=6,
                weight=1,
                color="#111111",
                fill_color=STATUS_COLOURS.get(r.status, "#999999"),
                fill_opacity=0.9,
            )
            mk.popup = W.HTML(escape(f"{r.sensor_id}: {r.status}"))
            self.status_markers.add(mk)
        self.health_map.add(self.status_markers)
        return centre

    def _build_live(self) -> None:
        """Quantity picker, refresh button, latest-value table and the 24-hour band plot."""
        obs = status(self.ws)["observations"]
        quantities = [
            q for q in ("air_temperature", "pm2_5", "pm10", "relative_humidity", "no2") if q in obs
        ]
        self.quantity = W.Dropdown(options=quantities, value=quantities[0] if quantities else None)
        self.refresh = W.Button()
        self.live_html = W.HTML()
        self.live_plot = W.HTML()  # a PNG with a text alternative

    def _build_weights(self) -> None:
        """One slider per need-index weight, the re-rank button and the ranking output."""
        self.sliders = {
            k: W.FloatSlider(
                min=0.0,
                max=1.0,
                step=0.05,
                value=v,
                continuous_update=False,
                readout_format=".2f",
                style={"description_width": "9rem"},  # full German labels
            )
            for k, v in zip(NEED_KEYS, self.weights.weights, strict=True)
        }
        self.rerank_button = W.Button()
        self.rank_html = W.HTML()
        self.message = W.HTML()

    def _layout(self) -> W.VBox:
        """The page: language, health, live readings, diagnostics, weights and ranking."""
        widget = W.VBox(
            [
                self.language,
                self.title,
                self.banner,
                self.headings["health"],
                self.status_filter,
                self.health_map,
                self.health_html,
                self.plan_html,
                self.headings["monitoring"],
                self.monitor_html,
                self.headings["live"],
                W.HBox([self.quantity, self.refresh]),
                self.live_plot,
                self.live_html,
                self.headings["diagnostics"],
                self.cv_html,
                self.residual_map,
                self.headings["weights"],
                *self.sliders.values(),
                self.rerank_button,
                self.message,
                self.rank_html,
            ]
        )
        widget.add_class("wb-app")
        return widget

    def _plan_layer(self) -> None:
        """The sensor plan of the latest run (if any) as squares on the health map."""
        import ipyleaflet as L

        run = self.ws.latest_run()
        self.plan = (
            pd.read_parquet(run / "sensor_plan.parquet")
            if run is not None and (run / "sensor_plan.parquet").exists()
            else None
        )
        if self.plan is None:
            return
        group = L.LayerGroup(name="sensor plan")
        for r in self.plan.itertuples():
            d = 0.0012
            sq = L.Rectangle(
                bounds=((r.lat - d / 1.6, r.lon - d), (r.lat + d / 1.6, r.lon + d)),
                color="#6a3d9a" if r.purpose == "control" else "#1f78b4",
                weight=2,
                fill_opacity=0.3,
            )
            sq.popup = W.HTML(escape(f"{r.site}: {r.purpose}"))
            group.add(sq)
        self.health_map.add(group)

    def update_monitoring(self) -> None:
        from workbench.pipeline.monitor import monitoring as monitor_workspace

        mon = monitor_workspace(self.ws)
        lang = self.lang
        alerts = "".join(f"<li>{escape(a[lang])}</li>" for a in mon["alerts"])
        alerts = f"<ul role='alert'>{alerts}</ul>" if alerts else f"<p>{t('no_alerts', lang)}</p>"
        self.monitor_html.value = (
            f"<p>{escape(str(mon['as_of']))}</p>" + alerts + html_table(mon["districts"].round(2))
        )

    def _residual_layer(self) -> None:
        import ipyleaflet as L

        col_p, col_o = "heat_oof_loso_regression_kriging", "heat_oof_observed"
        if col_p not in self.sensors:
            return
        s = self.sensors[["sensor_id", col_p, col_o]].merge(self.positions, on="sensor_id")
        s = s[np.isfinite(s[col_p]) & np.isfinite(s[col_o])]
        group = L.LayerGroup(name="residuals")
        for r in s.itertuples():
            res = getattr(r, col_o) - getattr(r, col_p)
            mk = L.CircleMarker(
                location=(r.lat, r.lon),
                radius=int(4 + min(12, 12 * abs(res))),
                weight=1,
                color="#333333",
                fill_color="#d73027" if res > 0 else "#4575b4",
                fill_opacity=0.8,
            )
            mk.popup = W.HTML(escape(f"{r.sensor_id}: {res:+.2f} K"))
            group.add(mk)
        self.residual_map.add(group)

    # ---------------------------------------------------------------- wiring
    def _wire(self) -> None:
        self.language.observe(lambda c: self.set_language(c["new"]), "value")
        self.status_filter.observe(lambda _c: self.update_health(), "value")
        self.refresh.on_click(lambda _b: self.update_live())
        self.quantity.observe(lambda _c: self.update_live(), "value")
        self.rerank_button.on_click(lambda _b: self.apply_weights())

    def set_language(self, lang: str) -> None:
        if lang not in ("de", "en"):
            raise TraitError(f"unknown language {lang!r}")
        self.lang = lang
        self.render()
        self.update_monitoring()
        self.update_ranking()

    def render(self) -> None:
        lang = self.lang
        marker = (
            f'<span hidden data-wb-lang="{lang}" '
            f'data-wb-title="{escape(t("analyst_page_title", lang))}"></span>'
        )
        self.title.value = f"{marker}<h1>{escape(t('analyst_title', lang))}</h1>"
        self.banner.value = (
            f'<p role="note"><strong>{escape(t("simulated", lang))}</strong></p>'
            if self.metrics.get("simulated")
            else ""
        )
        for k, h in self.headings.items():
            h.value = f"<h2>{escape(t(f'analyst_{k}', lang))}</h2>"
        self.status_filter.description = t("analyst_status", lang)
        value = self.status_filter.value
        self.status_filter.options = [(STATUS_WORDS[lang][k], k) for k in ("all", *STATUS_COLOURS)]
        self.status_filter.value = value
        self.quantity.description = t("quantity", lang)
        self.refresh.description = t("analyst_refresh", lang)
        self.rerank_button.description = t("analyst_rerank", lang)
        for k, s in self.sliders.items():
            s.description = _weight_label(k, lang)
        if self.plan is not None:
            self.plan_html.value = f"<p>{escape(t('analyst_plan', lang))}</p>" + html_table(
                self.plan[["site", "purpose", "area_id", "lat", "lon"]]
            )
        self.cv_html.value = html_table(cv_table(self.metrics)) + (
            f"<p>{escape(t('analyst_residuals', lang))}</p>"
        )

    def update_health(self) -> None:
        h = health_table(self.health)
        if self.status_filter.value != "all":
            h = h[h["status"] == self.status_filter.value]
        words = STATUS_WORDS[self.lang]
        h = h.assign(status=h["status"].map(lambda v: words.get(v, v))).rename(
            columns=HEALTH_COLUMNS[self.lang]
        )
        self.health_html.value = html_table(h)

    def update_live(self) -> None:
        q = self.quantity.value
        if q is None:
            self.live_html.value = ""
            return
        latest, band = recent_readings(self.ws, q)
        self.live_html.value = html_table(latest.head(30))
        self.live_plot.value = band_plot_html(band, q, self.lang)

    def apply_weights(self) -> None:
        """Validate the slider values, then re-rank."""
        try:
            self.weights.weights = [float(self.sliders[k].value) for k in NEED_KEYS]
        except TraitError as exc:
            self.message.value = f"<p role='alert'>{escape(str(exc))}</p>"
            return
        self.message.value = ""
        self.update_ranking()

    def update_ranking(self) -> None:
        from workbench.models.ranking import rerank

        new = rerank(self.proposals, self.cells, self.weights.normalised(), draws=100)
        old = self.proposals.set_index("proposal_id")["rank"]
        new = new.assign(published=old.reindex(new["proposal_id"]).to_numpy())
        new["change"] = new["published"] - new["rank"]
        lang = self.lang
        table = pd.DataFrame(
            {
                t("rank", lang): new["rank"],
                t("rank_range", lang): [
                    f"{int(a)}–{int(b)}" if pd.notna(a) else "–"
                    for a, b in zip(new["rank_lo"], new["rank_hi"], strict=True)
                ],
                t("proposal", lang): new["title"],
                "±": [
                    ("±0" if int(c) == 0 else f"{int(c):+d}".replace("-", "−"))
                    if pd.notna(c)
                    else ""
                    for c in new["change"]
                ],
                t("need", lang): [fmt_dec(v, lang) for v in new["need_at_site"]],
            }
        )
        w = ", ".join(
            f"{_weight_label(k, lang)} {v:.2f}" for k, v in self.weights.normalised().items()
        )
        self.rank_html.value = (
            f"<p>{escape(t('analyst_moved', lang))} ({escape(w)})</p>" + html_table(table)
        )
        self.last_ranking = new


def band_plot_html(band: pd.DataFrame, quantity: str, lang: str) -> str:
    """The network's last 24 hours (median and 10–90 % band) as an ``<img>`` with a text
    alternative saying what it shows."""
    import base64
    import io

    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 2.6))
    ax = fig.subplots()
    de = lang == "de"
    if not band.empty:
        ax.fill_between(band["time"], band["p10"], band["p90"], alpha=0.3, label="10–90 %")
        ax.plot(band["time"], band["median"], label="Median")
        ax.legend(fontsize=8)
    title = f"{quantity}: {'letzte 24 Stunden' if de else 'last 24 hours'}"
    ax.set_title(title)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    if band.empty:
        alt = title + (": keine Daten" if de else ": no data")
    else:
        lo, hi = float(band["median"].min()), float(band["median"].max())
        alt = (
            f"{title}: Median der Sensoren zwischen {fmt_dec(lo, lang, 1)} und "
            f"{fmt_dec(hi, lang, 1)}, schattiert die mittleren 80 % der Sensoren."
            if de
            else f"{title}: sensor median between {fmt_dec(lo, lang, 1)} and "
            f"{fmt_dec(hi, lang, 1)}, shaded the middle 80 % of sensors."
        )
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}" '
        'style="max-width:100%;height:auto">'
    )


def _plain_map(centre: tuple[float, float]) -> Any:
    """A map without third-party tiles (the analyst page works offline)."""
    import ipyleaflet as L

    m = L.Map(center=centre, zoom=11, layout=W.Layout(height="360px"))
    for base in [layer for layer in m.layers if getattr(layer, "base", False)]:
        m.remove(base)
    return m


def build_analyst(ws: Workspace, *, lang: str = "de") -> AnalystPage:
    """The analyst page for a workspace with a fitted and ranked run; in a kernel, errors
    of its callbacks go to the server log (:mod:`.private_errors`)."""
    if under_voila():
        keep_tracebacks_private()
    return AnalystPage(ws, lang=lang)
