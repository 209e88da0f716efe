"""Did an implemented measure help? Difference-in-differences with control sensors.

For one measure and one quantity:

1. **Panel.** One value per sensor and day, already weather-normalised against the
   reference: the night's mean ``T − T_reference`` (``uhi_night``), the day's
   ``Tmax − Tmax_reference`` (``tmax_day``), or the day's PM2.5 mean minus the network's
   median that day (``pm2_5``).
2. **Like nights compare alike.** Each sensor's series is regressed, over the days
   *before* the build date, on the mean of the control sensors (leave-one-out for a
   control), so a sensor that reacts more strongly to calm, clear nights is compared with
   what such nights did to it before. Its change is the mean residual after minus before.
3. **Difference in differences.** The treated sensors' changes are compared with the
   controls' changes by weighted least squares (statsmodels) on one value per sensor,
   each weighted by the inverse of its own noise (residual variance, inflated for
   day-to-day autocorrelation, over its days before and after). Collapsing each sensor
   to one before/after change removes the autocorrelation of daily values and treats the
   sensor as the unit (Bertrand, Duflo & Mullainathan 2004; Donald & Lang 2007), so the
   t interval with ``n − 2`` degrees of freedom stays honest with one or two treated
   sensors. A daily-panel regression with sensor and day effects and standard errors
   clustered by sensor is reported beside it as a cross-check.

Where the data cannot carry a claim — no sensor near the measure, fewer than 3 controls,
too few days before or after — the verdict is ``insufficient_data`` and no number is given.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from workbench.i18n import t, tf

QUANTITIES = {"uhi_night": "K", "tmax_day": "K", "pm2_5": "µg/m³"}
VERDICTS = ("effect", "no_effect_detected", "insufficient_data")


@dataclass
class DiDResult:
    """One measure's estimated effect on one quantity."""

    quantity: str
    effect: float = math.nan
    se: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    df: int = 0
    n_treated: int = 0
    n_control: int = 0
    days_pre: int = 0
    days_post: int = 0
    mde: float = math.nan
    se_cluster: float = math.nan
    verdict: str = "insufficient_data"
    reason: str = ""  # why the data do not suffice, in English (``reason_de``: German)
    reason_de: str = ""
    treated: list[str] = field(default_factory=list)
    controls: list[str] = field(default_factory=list)

    def insufficient(self, key: str, **values: Any) -> DiDResult:
        """Mark the result as not computable, with the reason in both languages."""
        self.reason = tf(key, "en", **values)
        self.reason_de = tf(key, "de", **values)
        return self

    def as_row(self) -> dict[str, Any]:
        d = asdict(self)
        d["treated"] = ",".join(self.treated)
        d["controls"] = ",".join(self.controls)
        return d


def minimum_detectable_effect(
    se: float, df: int, *, alpha: float = 0.05, power: float = 0.8
) -> float:
    """Smallest true effect a two-sided test at ``alpha`` finds with ``power``.

    >>> round(minimum_detectable_effect(0.1, 1_000_000), 3)
    0.28
    """
    if df <= 0 or not np.isfinite(se):
        return math.nan
    return float((stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)) * se)


def planned_mde(
    sigma_day: float,
    rho: float,
    *,
    n_treated: int,
    n_control: int,
    days_pre: int,
    days_post: int,
    alpha: float = 0.05,
    power: float = 0.8,
) -> float:
    """Minimum detectable effect of a planned evaluation (power analysis).

    ``sigma_day`` is the standard deviation of a sensor's weather-normalised daily
    residual and ``rho`` its day-to-day autocorrelation (AR(1)); both come from
    :func:`panel_noise` on existing data. Each sensor's before/after change then has
    variance ``σ²·(1+ρ)/(1−ρ)·(1/days_pre + 1/days_post)``, and the DiD's standard error is
    that times ``√(1/n_treated + 1/n_control)``.

    >>> round(planned_mde(0.2, 0.0, n_treated=1, n_control=30, days_pre=28, days_post=28), 2)
    0.16
    """
    if min(n_treated, n_control, days_pre, days_post) < 1:
        raise ValueError("need at least one treated and one control sensor and one day each")
    if not 0 <= rho < 1:
        raise ValueError(f"rho must be in [0, 1), got {rho}")
    var_change = sigma_day**2 * (1 + rho) / (1 - rho) * (1 / days_pre + 1 / days_post)
    se = math.sqrt(var_change * (1 / n_treated + 1 / n_control))
    return minimum_detectable_effect(se, n_treated + n_control - 2, alpha=alpha, power=power)


def panel_noise(panel: pd.DataFrame) -> tuple[float, float]:
    """``(sigma_day, rho)`` of weather-normalised daily values (sensor and day effects
    removed), pooled over sensors: what :func:`planned_mde` needs."""
    w = panel.pivot_table(index="day", columns="sensor_id", values="value")
    r = w.sub(w.mean(axis=0), axis=1)
    r = r.sub(r.mean(axis=1), axis=0)
    sigma = float(np.nanstd(r.to_numpy(), ddof=1))
    a, b = r.iloc[1:].to_numpy().ravel(), r.iloc[:-1].to_numpy().ravel()
    ok = np.isfinite(a) & np.isfinite(b)
    rho = float(np.corrcoef(a[ok], b[ok])[0, 1]) if ok.sum() > 10 else 0.0
    return sigma, float(min(max(rho, 0.0), 0.95))


def _normalised_change(
    y: pd.Series, m: pd.Series, pre: np.ndarray, post: np.ndarray, min_days: int
) -> tuple[float, np.ndarray, int, int]:
    """Mean residual after minus before, of ``y`` regressed on ``m`` before the build.

    Returns the change, the residuals (before and after, each centred; for the noise
    estimate) and the number of days before and after.
    """
    ok = y.notna().to_numpy() & m.notna().to_numpy()
    pre_ok, post_ok = pre & ok, post & ok
    n_pre, n_post = int(pre_ok.sum()), int(post_ok.sum())
    if n_pre < min_days or n_post < min_days:
        return math.nan, np.array([]), n_pre, n_post
    yp, mp = y.to_numpy()[pre_ok], m.to_numpy()[pre_ok]
    if np.var(mp) > 1e-9:
        b, a = np.polyfit(mp, yp, 1)
    else:
        b, a = 1.0, float(np.mean(yp - mp))
    resid = y.to_numpy() - (a + b * m.to_numpy())
    r_pre, r_post = resid[pre_ok], resid[post_ok]
    centred = np.full(len(resid), np.nan)
    centred[pre_ok] = r_pre - r_pre.mean()
    centred[post_ok] = r_post - r_post.mean()
    return float(r_post.mean() - r_pre.mean()), centred, n_pre, n_post


def _lag1(residuals: list[np.ndarray]) -> float:
    """Pooled day-to-day autocorrelation of residual series, clipped to [0, 0.9]."""
    a = np.concatenate([r[1:] for r in residuals])
    b = np.concatenate([r[:-1] for r in residuals])
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 20:
        return 0.0
    return float(np.clip(np.corrcoef(a[ok], b[ok])[0, 1], 0.0, 0.9))


def did(
    panel: pd.DataFrame,
    *,
    quantity: str,
    treated: list[str],
    controls: list[str],
    built_on: date,
    transition_days: int = 1,
    min_days: int = 7,
    alpha: float = 0.05,
    cross_check: bool = True,
) -> DiDResult:
    """Difference-in-differences for one measure (see the module docstring).

    Parameters
    ----------
    panel : ``sensor_id, day, value`` (one weather-normalised value per sensor and day)
    treated, controls : sensor ids near the measure and comparable ones elsewhere
    built_on : the build date; days within ``transition_days`` of it are left out
    min_days : fewest days with data before and after, per sensor
    cross_check : also fit the daily panel with standard errors clustered by sensor
        (``se_cluster``; slower)
    """
    if quantity not in QUANTITIES:
        raise ValueError(f"unknown quantity {quantity!r}; use one of {list(QUANTITIES)}")
    res = DiDResult(quantity=quantity)
    w = panel.pivot_table(index="day", columns="sensor_id", values="value").sort_index()
    days = np.array([d for d in w.index])
    lo, hi = built_on - timedelta(days=transition_days), built_on + timedelta(days=transition_days)
    pre, post = days < lo, days > hi
    res.days_pre, res.days_post = int(pre.sum()), int(post.sum())
    treated = [s for s in treated if s in w.columns]
    controls = [s for s in controls if s in w.columns and s not in treated]
    if not treated:
        return res.insufficient("impact_no_sensor")
    if res.days_pre < min_days or res.days_post < min_days:
        return res.insufficient(
            "impact_few_days", pre=res.days_pre, post=res.days_post, min_days=min_days
        )
    changes: dict[str, tuple[float, np.ndarray, int, int]] = {}
    ctrl = w[controls]
    for s in treated:
        changes[s] = _normalised_change(w[s], ctrl.mean(axis=1), pre, post, min_days)
    for s in controls:
        loo = ctrl.drop(columns=s).mean(axis=1)
        changes[s] = _normalised_change(w[s], loo, pre, post, min_days)
    t_ok = [s for s in treated if np.isfinite(changes[s][0])]
    c_ok = [s for s in controls if np.isfinite(changes[s][0])]
    res.treated, res.controls = t_ok, c_ok
    res.n_treated, res.n_control = len(t_ok), len(c_ok)
    if not t_ok:
        return res.insufficient("impact_few_days_near", min_days=min_days)
    if len(c_ok) < 3:
        return res.insufficient("impact_few_controls", n=len(c_ok))
    import statsmodels.api as sm

    # each sensor's change has its own noise: residual variance, inflated for day-to-day
    # autocorrelation, over the days it has before and after (weights of a WLS)
    units = t_ok + c_ok
    rho = _lag1([changes[u][1] for u in units])
    var = np.array([
        np.nanvar(changes[u][1], ddof=1) * (1 + rho) / (1 - rho)
        * (1 / changes[u][2] + 1 / changes[u][3])
        for u in units
    ])  # fmt: skip
    var = np.maximum(var, np.nanmedian(var) * 1e-3)
    y = np.array([changes[u][0] for u in units])
    x = sm.add_constant(np.r_[np.ones(len(t_ok)), np.zeros(len(c_ok))])
    fit = sm.WLS(y, x, weights=1 / var).fit()
    res.effect = float(fit.params[1])
    res.se = float(fit.bse[1])
    res.df = int(fit.df_resid)
    q = stats.t.ppf(1 - alpha / 2, res.df)
    res.ci_low, res.ci_high = res.effect - q * res.se, res.effect + q * res.se
    res.mde = minimum_detectable_effect(res.se, res.df, alpha=alpha)
    if cross_check:
        res.se_cluster = _panel_cluster_se(w[t_ok + c_ok], set(t_ok), pre, post)
    excludes_zero = res.ci_low > 0 or res.ci_high < 0
    res.verdict = "effect" if excludes_zero else "no_effect_detected"
    return res


def _panel_cluster_se(
    w: pd.DataFrame, treated: set[str], pre: np.ndarray, post: np.ndarray
) -> float:
    """SE of the treated×after coefficient in a daily panel with sensor and day effects,
    clustered by sensor (statsmodels); a cross-check, unreliable with few treated sensors."""
    import statsmodels.api as sm

    keep = pre | post
    long = w[keep].stack().rename("y").reset_index()
    if long.empty:
        return math.nan
    long["after"] = long["day"].map(dict(zip(w.index[keep], post[keep], strict=True)))
    long["treat_after"] = (long["sensor_id"].isin(treated) & long["after"]).astype(float)
    # two-way demeaning (within transformation) on the balanced part is approximate on an
    # unbalanced panel; dummies are exact and cheap at this size
    x = pd.get_dummies(long[["sensor_id", "day"]].astype(str), drop_first=True, dtype=float)
    x.insert(0, "treat_after", long["treat_after"])
    x = sm.add_constant(x)
    groups = pd.factorize(long["sensor_id"])[0]
    try:
        fit = sm.OLS(long["y"].to_numpy(), x.to_numpy()).fit(
            cov_type="cluster", cov_kwds={"groups": groups}
        )
        return float(fit.bse[1])
    except (ValueError, np.linalg.LinAlgError):
        return math.nan


def explain(r: DiDResult, lang: str = "de") -> str:
    """The result and its assumptions in plain language."""
    unit = QUANTITIES[r.quantity]
    q = t(f"impact_{r.quantity}", lang)

    def f(x: float) -> str:
        s = f"{x:+.2f}"
        return s.replace(".", ",") if lang == "de" else s

    if r.verdict == "insufficient_data":
        reason = r.reason_de if lang == "de" else r.reason
        return tf("impact_no_statement", lang, q=q, reason=reason)
    base = tf("impact_design", lang, q=q, n_treated=r.n_treated, n_control=r.n_control,
              days_pre=r.days_pre, days_post=r.days_post)  # fmt: skip
    if r.verdict == "effect":
        base += tf("impact_effect", lang, effect=f(r.effect), lo=f(r.ci_low), hi=f(r.ci_high),
                   unit=unit)  # fmt: skip
    else:
        mde = f"{r.mde:.2f}".replace(".", ",") if lang == "de" else f"{r.mde:.2f}"
        base += tf("impact_none", lang, lo=f(r.ci_low), hi=f(r.ci_high), mde=mde, unit=unit)
    return base + t("impact_assumption", lang)
