"""The report's closing block: Impressum, Datenschutz and Erklärung zur Barrierefreiheit.

The links come from ``[publication]`` through :func:`workbench.present.publication.legal_sections`,
the same entries the citizen pages show. Where the city has not linked its page yet, the
report says so in one plain sentence and adds what it can say about itself: who is
responsible (if entered), that it holds no personal data, how it is made accessible.
"""

from __future__ import annotations

from workbench.i18n import t
from workbench.present.publication import Publication, legal_sections

LegalEntry = tuple[str, str, list[str]]  # label, link ("" without one), sentences


def legal_entries(pub: Publication, lang: str) -> list[LegalEntry]:
    """Impressum, Datenschutz and Erklärung zur Barrierefreiheit for the report.

    >>> [e[0] for e in legal_entries(Publication(), "de")]
    ['Impressum', 'Datenschutzerklärung', 'Erklärung zur Barrierefreiheit']
    >>> legal_entries(Publication(imprint_url="https://ge.de/impressum"), "de")[0][1]
    'https://ge.de/impressum'
    """
    own = {
        "imprint": [],
        "privacy": [t("legal_report_privacy", lang)],
        "accessibility": [t("legal_report_accessibility", lang)],
    }
    out: list[LegalEntry] = []
    for entry in legal_sections(pub, lang):
        key = entry["key"]
        url = entry.get("url", "")
        texts = [] if url else [t("legal_no_link", lang)]
        if key == "imprint" and not url:
            texts.append(entry["paragraphs"][0])  # who is responsible, or that none is entered
        if key == "accessibility" and not url:
            texts.append(entry["paragraphs"][1])  # where to report barriers
        out.append((t(f"legal_{key}", lang), url, texts + own[key]))
    return out
