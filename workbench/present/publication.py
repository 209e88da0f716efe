"""Who publishes the pages, and the legal texts every public page carries.

A German public body must name itself (Impressum, § 5 DDG), say what happens to visitors'
data (Datenschutzerklärung, Art. 13 DSGVO) and publish an Erklärung zur Barrierefreiheit
(BITV 2.0 § 7) with a way to report barriers. ``[publication]`` in ``workbench.toml``
gives links to the city's own pages; where a link is missing, the page shows a short text
built from what the workbench knows about itself (no cookies, no tracking, what the map
loads), clearly marked as provisional, and ``workbench publish`` warns that the site is not
ready for the public yet.

Every value is validated: links must be ``https://`` (or ``http://``) addresses, the
participation link a template with exactly one ``{proposal_id}``; nothing given here is
ever inserted into a page as HTML.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from workbench.errors import InputError

URL_KEYS = ("imprint_url", "privacy_url", "accessibility_url")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")


def check_url(value: str, setting: str) -> str:
    """An absolute http(s) link without spaces, quotes or angle brackets.

    >>> check_url("https://www.gelsenkirchen.de/impressum", "publication.imprint_url")
    'https://www.gelsenkirchen.de/impressum'
    >>> check_url("javascript:alert(1)", "publication.imprint_url")
    Traceback (most recent call last):
    ...
    workbench.errors.InputError: workbench.toml: publication.imprint_url must be an https:// link, got 'javascript:alert(1)'
    """  # noqa: E501
    v = value.strip()
    u = urlsplit(v)
    if u.scheme not in ("https", "http") or not u.netloc or re.search(r"[\s\"'<>`\\]", v):
        raise InputError(f"workbench.toml: {setting} must be an https:// link, got {v!r}")
    return v


@dataclass(frozen=True)
class Publication:
    """The ``[publication]`` settings, validated."""

    operator: str = ""
    imprint_url: str = ""
    privacy_url: str = ""
    accessibility_url: str = ""
    feedback_email: str = ""
    participation_url: str = ""

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> Publication:
        p = cfg.get("publication", {}) or {}
        unknown = set(p) - set(asdict(cls()))
        if unknown:
            raise InputError(
                f"workbench.toml: unknown publication setting(s) {sorted(unknown)}; "
                f"known are {sorted(asdict(cls()))}"
            )
        vals = {}
        for k, v in p.items():
            if not isinstance(v, str):
                raise InputError(f"workbench.toml: publication.{k} must be text, got {v!r}")
            vals[k] = v.strip()
        if len(vals.get("operator", "")) > 300:
            raise InputError("workbench.toml: publication.operator is longer than 300 characters")
        for k in (*URL_KEYS, "participation_url"):
            if vals.get(k):
                vals[k] = check_url(vals[k], f"publication.{k}")
        tpl = vals.get("participation_url", "")
        if tpl and (
            tpl.count("{proposal_id}") != 1 or re.sub(r"\{proposal_id\}", "", tpl).count("{")
        ):
            raise InputError(
                "workbench.toml: publication.participation_url must contain {proposal_id} "
                f"exactly once and no other braces, got {tpl!r}"
            )
        mail = vals.get("feedback_email", "")
        if mail and not _EMAIL.match(mail):
            raise InputError(
                f"workbench.toml: publication.feedback_email is not an e-mail address: {mail!r}"
            )
        return cls(**vals)

    def proposal_url(self, proposal_id: Any) -> str:
        """The participation page of one proposal ('' without a template); the id is
        percent-encoded, so it cannot leave its place in the address.

        >>> Publication(participation_url="https://x.de/p/{proposal_id}").proposal_url("a/b c")
        'https://x.de/p/a%2Fb%20c'
        """
        if not self.participation_url:
            return ""
        return self.participation_url.replace("{proposal_id}", quote(str(proposal_id), safe=""))

    def missing(self) -> list[str]:
        """Settings a public deployment still lacks (names as in ``workbench.toml``)."""
        need = ("operator", *URL_KEYS, "feedback_email")
        return [k for k in need if not getattr(self, k)]

    def public(self) -> dict[str, str]:
        """The settings as written into a published site (all of them are public)."""
        return asdict(self)


# ------------------------------------------------------------------------ legal texts
# Provisional texts shown where the city has not linked its own page. They state what the
# software does, which is all the workbench can know; the operator must complete them.
LEGAL = {
    "de": {
        "imprint": "Impressum",
        "privacy": "Datenschutz",
        "accessibility": "Erklärung zur Barrierefreiheit",
        "feedback": "Barriere melden",
        "operator": "Verantwortlich",
        "no_operator": "Die veröffentlichende Stelle ist noch nicht eingetragen.",
        "provisional": "Vorläufiger Text: Die veröffentlichende Stelle ergänzt ihn vor der "
        "Veröffentlichung.",
        "privacy_text": "Diese Seite setzt keine Cookies, zählt keine Besuche und bindet "
        "nichts von fremden Servern ein. Was Sie in das Suchfeld schreiben oder auf der "
        "Karte anklicken, bleibt in Ihrem Browser. „Mein Standort“ fragt Ihren Browser "
        "nach dem Standort; er wird nur im Browser verwendet und nicht übertragen. Der "
        "Webserver der veröffentlichenden Stelle speichert technisch nötige Zugriffsdaten "
        "(zum Beispiel IP-Adresse und Zeitpunkt) nach deren Regeln.",
        "privacy_text_server": "Diese Seite setzt keine Cookies zur Wiedererkennung, zählt "
        "keine Besuche und bindet nichts von fremden Servern ein. Was Sie in das Suchfeld "
        "schreiben, auf der Karte anklicken oder mit „Mein Standort“ freigeben, geht nur an "
        "den Server dieser Seite, um die Liste zu sortieren; es wird nicht gespeichert und "
        "mit dem Schließen der Seite verworfen. Der Webserver der veröffentlichenden Stelle "
        "speichert technisch nötige Zugriffsdaten (zum Beispiel IP-Adresse und Zeitpunkt) "
        "nach deren Regeln.",
        "privacy_tiles": "Die Hintergrundkarte wird von {host} geladen; dabei erhält dieser "
        "Server Ihre IP-Adresse.",
        "accessibility_text": "Diese Seite soll die Anforderungen der BITV 2.0 (WCAG 2.1, "
        "Stufe AA) erfüllen. Sie wird bei jeder Veröffentlichung automatisch mit axe-core "
        "geprüft und mit der Tastatur getestet; eine Prüfung durch eine unabhängige Stelle "
        "steht noch aus. Sie ist teilweise vereinbar: Die farbigen Kartenflächen sind nicht "
        "für alle lesbar. Dieselben Angaben stehen als Text bei jedem Vorschlag in der Liste.",
        "accessibility_contact": "Barrieren melden Sie bitte an: {email}",
        "no_contact": "Eine Kontaktadresse für Barrieren ist noch nicht eingetragen.",
        "enforcement": "Wenn Sie auf Ihre Meldung keine zufriedenstellende Antwort "
        "erhalten, können Sie sich an die für die veröffentlichende Stelle zuständige "
        "Durchsetzungs- oder Ombudsstelle für barrierefreie Informationstechnik wenden "
        "(für Kommunen in Nordrhein-Westfalen die des Landes NRW).",
        "privacy_rights": "Sie haben das Recht auf Auskunft, Berichtigung, Löschung und "
        "Einschränkung der Verarbeitung Ihrer Daten und auf Beschwerde bei einer "
        "Datenschutz-Aufsichtsbehörde, in Nordrhein-Westfalen bei der Landesbeauftragten für "
        "Datenschutz und Informationsfreiheit (LDI NRW).",
    },
    "en": {
        "imprint": "Legal notice",
        "privacy": "Privacy",
        "accessibility": "Accessibility statement",
        "feedback": "Report a barrier",
        "operator": "Responsible",
        "no_operator": "The publishing body has not been entered yet.",
        "provisional": "Provisional text: the publishing body completes it before publication.",
        "privacy_text": "This page sets no cookies, counts no visits and loads nothing from "
        "other servers. What you type into the search box or click on the map stays in "
        "your browser. “My location” asks your browser for your position; it is used in "
        "the browser only and never sent. The publishing body's web server keeps "
        "technically necessary access data (such as IP address and time) under its own "
        "rules.",
        "privacy_text_server": "This page sets no tracking cookies, counts no visits and "
        "loads nothing from other servers. What you type into the search box, click on the "
        "map or share with “My location” goes only to this page's server to sort the list; "
        "it is not stored and is discarded when you close the page. The publishing body's "
        "web server keeps technically necessary access data (such as IP address and time) "
        "under its own rules.",
        "privacy_tiles": "The background map is loaded from {host}, which receives your IP "
        "address.",
        "accessibility_text": "This page aims to meet BITV 2.0 (WCAG 2.1, level AA). It is "
        "checked automatically with axe-core at every publication and tested with the "
        "keyboard; an audit by an independent body is still pending. It is partially "
        "compliant: the coloured map areas are not readable for everyone. The same facts are "
        "given as text with every proposal in the list.",
        "accessibility_contact": "Please report barriers to: {email}",
        "no_contact": "No contact address for barriers has been entered yet.",
        "enforcement": "If your report gets no satisfactory answer, you can turn to the "
        "enforcement or ombuds body for accessible information technology responsible for "
        "the publishing body (for municipalities in North Rhine-Westphalia, that of the "
        "state of NRW).",
        "privacy_rights": "You have the right of access, rectification, erasure and "
        "restriction of processing of your data, and to lodge a complaint with a data "
        "protection supervisory authority; in North Rhine-Westphalia that is the State "
        "Commissioner for Data Protection and Freedom of Information (LDI NRW).",
    },
}


def legal_sections(
    pub: Publication, lang: str, *, tiles: str = "", server: bool = False
) -> list[dict[str, Any]]:
    """The three legal entries of the page footer.

    ``server``: the page sends visitors' input to its server (the Voila pages), rather
    than keeping it in the browser (the static site); the privacy text says which.

    Each is ``{"key", "label", "url"}`` when the city linked its own page, otherwise
    ``{"key", "label", "paragraphs"}`` with the provisional text (plain text, never HTML).
    """
    L = LEGAL[lang]
    host = urlsplit(tiles.replace("{s}", "a")).netloc if tiles else ""
    operator = f"{L['operator']}: {pub.operator}" if pub.operator else L["no_operator"]
    contact = (
        L["accessibility_contact"].format(email=pub.feedback_email)
        if pub.feedback_email
        else L["no_contact"]
    )
    privacy = [L["privacy_text_server" if server else "privacy_text"]] + (
        [L["privacy_tiles"].format(host=host)] if host else []
    )
    texts = {
        "imprint": [operator, L["provisional"]],
        "privacy": [operator, *privacy, L["privacy_rights"], L["provisional"]],
        "accessibility": [L["accessibility_text"], contact, L["enforcement"], L["provisional"]],
    }
    out = []
    for key, url_key in zip(("imprint", "privacy", "accessibility"), URL_KEYS, strict=True):
        url = getattr(pub, url_key)
        entry: dict[str, Any] = {"key": key, "label": L[key]}
        if url:
            entry["url"] = url
        else:
            entry["paragraphs"] = texts[key]
        out.append(entry)
    return out


def tile_settings(cfg: dict[str, Any]) -> tuple[str, str]:
    """``[dashboard] tiles`` and ``tiles_attribution``, validated: an https XYZ template
    with ``{z}``, ``{x}`` and ``{y}``; an attribution is required with tiles.

    >>> tile_settings({"dashboard": {"tiles": "https://t.example/{z}/{x}/{y}.png",
    ...                              "tiles_attribution": "© Example"}})
    ('https://t.example/{z}/{x}/{y}.png', '© Example')
    """
    d = cfg.get("dashboard", {}) or {}
    url = str(d.get("tiles", "") or "").strip()
    attribution = str(d.get("tiles_attribution", "") or "").strip()
    if not url:
        return "", ""
    check_url(url.replace("{", "").replace("}", ""), "dashboard.tiles")
    if not all(k in url for k in ("{z}", "{x}", "{y}")) or re.sub(r"\{[sxyz]\}", "", url).count(
        "{"
    ):
        raise InputError(
            f"workbench.toml: dashboard.tiles must be an XYZ template with {{z}}, {{x}} and "
            f"{{y}} (and optionally {{s}}), got {url!r}"
        )
    if not attribution:
        raise InputError(
            "workbench.toml: dashboard.tiles_attribution is required with tiles "
            '(e.g. "© basemap.de / BKG")'
        )
    return url, attribution


def tile_origin(url: str) -> str:
    """The origin a Content-Security-Policy must allow for the tiles ('' without tiles).

    >>> tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png")
    'https://*.tile.example.org'
    """
    if not url:
        return ""
    u = urlsplit(
        url.replace("{s}.", "SUB.").replace("{z}", "0").replace("{x}", "0").replace("{y}", "0")
    )
    return f"{u.scheme}://{u.netloc.replace('SUB.', '*.')}"
