"""``workbench report``: PDF, HTML and spreadsheet from the demo's latest run, checked by
reading them back (PDF text and page images, parsed HTML, openpyxl)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from conftest import ARTIFACTS, DEMO, HOSTILE_TITLES, run_cli

from workbench.pipeline import report as report_step
from workbench.present.report import build_content


def pdf_text(path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def squash(s: str) -> str:
    """Text without whitespace: table cells wrap titles over lines."""
    return re.sub(r"\s+", "", s)


def xlsx_text(path) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return "\n".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
    )


@pytest.fixture(scope="module")
def report(demo_workspace, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    proc = run_cli("report", "--workspace", str(demo_workspace.root), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert str(out / "report.pdf") in proc.stdout
    return out


def test_pdf_has_summary_every_proposal_and_the_scenarios(report, demo_workspace):
    text = pdf_text(report / "report.pdf")
    flat = squash(text)
    assert "Zusammenfassung" in text and "SIMULIERTE DEMO-DATEN" in text
    props = demo_workspace.results("proposals")
    missing = [t for t in props["title"] if squash(t) not in flat]
    assert not missing, missing
    summary = demo_workspace.results("allocation_summary")
    for name in ("Nur Stimmen", "Nach Bedarf", "Equal Shares mit Bedarf"):
        assert squash(name) in flat
    # the scenario table's money figures, German style
    for spent in summary["spent_eur"]:
        assert f"{spent:,.0f}".replace(",", ".") + "€" in flat
    # the measure of known effect is evaluated, new sensor sites and the district picture
    for heading in (
        "Wirkung umgesetzter Maßnahmen",
        "Wo neue Sensoren helfen",
        "Aktuelle Lage je Stadtteil",
    ):
        assert squash(heading) in flat
    assert "M-001" in text and "Wirkung belegt" in text
    # validation figures against both baselines are printed
    m = demo_workspace.metrics()
    rmse = m["heat"]["cv"]["loso"]["regression_kriging"]["rmse"]
    assert f"{rmse:.2f}".replace(".", ",") in text


def test_pdf_pages_render_to_images(report):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(report / "report.pdf"))
    assert len(pdf) >= 5
    ARTIFACTS.mkdir(exist_ok=True)
    # no near-empty page before the last one (the footer alone inks about 1 % of the lines)
    for i in range(len(pdf)):
        img = pdf[i].render(scale=1.0).to_pil()
        if i < 3:
            img.save(ARTIFACTS / f"report-page-{i + 1}.png")
        px = np.asarray(img.convert("L"), float)
        inked_lines = (px < 128).any(axis=1).mean()
        assert i == len(pdf) - 1 or inked_lines > 0.2, f"page {i + 1} is nearly empty"
    # the four maps are images, and nothing else is
    images = sum(
        len(list(page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]))) for page in pdf
    )
    assert images == 4


def test_no_personal_data_in_any_output(report):
    props = pd.read_csv(DEMO / "proposals.csv", dtype=str)
    voters = pd.read_csv(DEMO / "votes.csv", dtype=str)["voter_id"].unique()
    outputs = {
        "pdf": pdf_text(report / "report.pdf"),
        # without the maps' base64 PNG data, whose letters can spell "V01163" by chance
        "html": re.sub(
            r'src="data:[^"]*"', "", (report / "report.html").read_text(encoding="utf-8")
        ),
        "xlsx": xlsx_text(report / "ranking.xlsx"),
    }
    names = set(props["author_name"]) | set(props["author_email"])
    assert len(names) > 20 and len(voters) > 1000
    for kind, text in outputs.items():
        leaked = [n for n in names if n in text]
        assert not leaked, (kind, leaked[:5])
        ids = set(re.findall(r"V\d{5}", text))
        assert not ids & set(voters), (kind, sorted(ids)[:5])


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_escapes_citizen_text(hostile_workspace, tmp_path):
    files = report_step.run(hostile_workspace, tmp_path).files
    html = files["html"].read_text(encoding="utf-8")
    p = _Tags()
    p.feed(html)
    tags = {t for t, _ in p.tags}
    assert "script" not in tags and "a" not in tags
    for tag, attrs in p.tags:
        for k, v in attrs:
            assert not k.startswith("on"), (tag, k)
            assert "javascript:" not in (v or ""), (tag, k, v)
        if tag == "img":
            assert dict(attrs)["src"].startswith("data:image/png;base64,")
    shown = "".join(p.text)
    for title in HOSTILE_TITLES.values():
        assert title in shown  # shown as text, word for word
    assert "&lt;script&gt;" in html
    # the PDF prints the payloads as text too (ReportLab markup would swallow the tags)
    flat = squash(pdf_text(files["pdf"]))
    for title in HOSTILE_TITLES.values():
        assert squash(title) in flat


def test_spreadsheet_never_holds_a_formula_from_citizen_text(hostile_workspace, tmp_path):
    from openpyxl import load_workbook

    files = report_step.run(hostile_workspace, tmp_path).files
    wb = load_workbook(files["xlsx"])
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value: c for c in cells if isinstance(c.value, str)}
    for pid in ("GB-004", "GB-005", "GB-006", "GB-007"):
        title = HOSTILE_TITLES[pid]
        assert title in texts, f"{pid} missing from the spreadsheet"
        assert texts[title].data_type == "s" and texts[title].quotePrefix, title


@pytest.mark.parametrize(
    "text", ["=1+1", " =1+1", "-2+3", "\t=1", "\r=1", "\uff1d1+1", "\uff0b1", "\uff20A1"]
)
def test_every_formula_start_is_quoted(text):
    """Full-width and whitespace-led formula starts too (the PDF cannot show U+FF1D yet:
    DejaVu Sans lacks the glyph, so these are checked on the cell alone)."""
    from openpyxl import Workbook

    from workbench.present.report.xlsx import as_text

    cell = Workbook().active.cell(row=1, column=1, value=text)
    as_text(cell)
    assert cell.data_type == "s" and cell.quotePrefix
    plain = Workbook().active.cell(row=1, column=1, value="Bäume an der Schule")
    as_text(plain)
    assert plain.data_type == "s" and not plain.quotePrefix


def test_workbook_is_one_filterable_table_per_sheet(report, demo_workspace):
    from openpyxl import load_workbook

    wb = load_workbook(report / "ranking.xlsx")
    assert wb.sheetnames[0] == "Hinweise"
    notes = {r[0]: r[1] for r in wb["Hinweise"].iter_rows(values_only=True)}
    run_id = demo_workspace.latest_run().name
    assert notes["Lauf (Run-ID)"] == run_id and notes["Datenstand"].startswith("SIMULIERT")
    assert "Equal Shares mit Bedarf" in notes["Empfohlene Verteilung"]
    for ws in wb.worksheets[1:]:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
    props = demo_workspace.results("proposals").set_index("proposal_id")
    ranking = wb["Rangliste der Vorschläge"]
    head = [c.value for c in ranking[1]]
    assert {"Nr.", "Kosten (€)", "Breite (WGS 84)", "Länge (WGS 84)", "Platz von"} <= set(head)
    rows = [dict(zip(head, r, strict=True)) for r in ranking.iter_rows(min_row=2, values_only=True)]
    rows = [r for r in rows if r["Nr."] in props.index]
    assert len(rows) == len(props)
    for r in rows:
        p = props.loc[r["Nr."]]
        assert r["Platz"] == p["rank"] and isinstance(r["Kosten (€)"], int | float)
        assert r["Kosten (€)"] == pytest.approx(p["cost_eur"])
        assert r["Breite (WGS 84)"] == pytest.approx(p["lat"])
        assert r["Länge (WGS 84)"] == pytest.approx(p["lon"])
        assert isinstance(r["Menschen im Umkreis"], int | float)
    # funded under the recommendation = the run summary's list; spent per method as numbers
    from workbench.run_summary import load_run_summary

    facts = load_run_summary(demo_workspace.latest_run())
    funded = {f["proposal_id"] for f in facts["budget"]["funded"]}
    assert {r["Nr."] for r in rows if r["Gefördert nach Empfehlung"] == "ja"} == funded
    alloc = wb["Zuteilung"]
    head = [c.value for c in alloc[1]]
    col = head.index("Equal Shares mit Bedarf")
    chosen = [r for r in alloc.iter_rows(min_row=2, values_only=True) if r[col] == "ja"]
    spent = facts["budget"]["methods"]["equal_shares_need"]["spent_eur"]
    assert sum(r[3] for r in chosen) == pytest.approx(spent)
    scen = wb["Budget-Szenarien im Vergleich"]
    assert all(isinstance(r[3], int | float) for r in scen.iter_rows(min_row=2, values_only=True))


def test_english_report(demo_workspace, tmp_path):
    files = report_step.run(demo_workspace, tmp_path, lang="en").files
    text = pdf_text(files["pdf"])
    assert "Summary" in text and "SIMULATED DEMO DATA" in text
    assert "Votes only" in squash(text) or "Votesonly" in squash(text)
    html = files["html"].read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Zusammenfassung" not in html


def test_content_is_data_first(demo_workspace):
    c = build_content(demo_workspace.latest_run(), areas=demo_workspace.areas(), figures=False)
    keys = [s.key for s in c.sections]
    # the demo has one computation: nothing to compare with
    assert keys[:3] == ["decision", "summary", "ranking"] and "changes" not in keys
    ranking = c.table("ranking")
    props = demo_workspace.results("proposals")
    assert ranking.frame["Platz"].tolist() == sorted(props["rank"].tolist())
    assert set(ranking.frame.columns) == set(ranking.formats)
    # vote counts of fewer than five people are not shown as numbers
    few = ranking.frame[ranking.frame["Stimmen"] < 5]
    for row in few.index:
        assert ranking.formatted("de")[row][6] == "weniger als 5"


def test_report_without_results_is_a_clear_error(workspace):
    proc = run_cli("report", "--workspace", str(workspace.root))
    assert proc.returncode != 0
    assert "workbench fit" in proc.stderr and "Traceback" not in proc.stderr


def test_a_failed_renderer_leaves_the_previous_report_whole(demo_workspace, tmp_path, monkeypatch):
    """The three files are swapped in together: when the spreadsheet fails, the HTML and
    PDF of the new round do not replace those of the old one."""
    from workbench.present.report import xlsx

    out = tmp_path / "report"
    report_step.run(demo_workspace, out)
    before = {f: (out / f).read_bytes() for f in ("report.pdf", "report.html", "ranking.xlsx")}

    def broken(*_a, **_k):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(xlsx, "render_xlsx", broken)
    with pytest.raises(RuntimeError, match="renderer failed"):
        report_step.run(demo_workspace, out, lang="en")
    assert {f: (out / f).read_bytes() for f in before} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".report.versions"]
    leftovers = [p.name for p in (tmp_path / ".report.versions").iterdir() if not p.is_symlink()]
    assert len(leftovers) == 1  # the failed version was removed, the old one stays


def test_a_nul_byte_and_a_100000_character_title_still_give_a_whole_report(
    demo_workspace, tmp_path
):
    """Before: IllegalCharacterError in the spreadsheet, LayoutError in the PDF, and a mix
    of old and new files. Control characters go, long texts are cut for the page; the full
    text stays in the run's proposals table."""
    from conftest import copy_workspace

    from workbench.pipeline import participation, rank

    ws = copy_workspace(demo_workspace, tmp_path / "ws")
    props = pd.read_csv(DEMO / "proposals.csv", dtype=str)
    long_title = "Entsiegelung " + "sehr " * 20_000 + "lang"
    props.loc[props["proposal_id"] == "GB-001", "title"] = "Bäume\x00 für\x07 die Schule"
    props.loc[props["proposal_id"] == "GB-002", "title"] = long_title
    src = tmp_path / "proposals.csv"
    props.to_csv(src, index=False)
    participation.run(ws, [src, DEMO / "votes.csv"])
    rank.run(ws)
    files = report_step.run(ws, tmp_path / "report").files
    html = files["html"].read_text(encoding="utf-8")
    assert "\x00" not in html and "Bäume für die Schule" in html
    assert "sehr sehr" in html and long_title not in html and "…" in html
    from openpyxl import load_workbook

    texts = xlsx_text(files["xlsx"])
    assert "Bäume für die Schule" in texts
    load_workbook(files["xlsx"])
    assert "BäumefürdieSchule" in squash(pdf_text(files["pdf"]))
    stored = ws.results("proposals").set_index("proposal_id")["title"]
    assert stored["GB-002"] == long_title  # the data keeps the whole text


# ------------------------------------------------------------------ #19: a report to decide on
def page_texts(path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


def test_pdf_is_tagged_with_language_title_and_alt_texts(report):
    import shutil
    import subprocess

    pdf = report / "report.pdf"
    if shutil.which("pdfinfo") is None:
        pytest.fail("pdfinfo (poppler-utils) is missing")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Tagged:\s+yes$", info.stdout, re.M), info.stdout
    assert "Grünes Bürgerbudget" in info.stdout  # the title
    from pypdf import PdfReader

    root = PdfReader(pdf).trailer["/Root"]
    assert root["/Lang"] == "de"
    assert bool(root["/MarkInfo"]["/Marked"])
    struct = subprocess.run(
        ["pdfinfo", "-struct", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    for tag in ("H1", "H2", "Table", "TH", "TD", "Figure"):
        assert re.search(rf"^\s*{tag}\b", struct, re.M), tag
    # every figure of the structure tree carries its text alternative
    alts = [n.get("/Alt") for n in struct_elements(root["/StructTreeRoot"]) if n["/S"] == "/Figure"]
    assert len(alts) == 4 and all(a and str(a).startswith("Karte:") for a in alts), alts


def struct_elements(node) -> list:
    """Every structure element (a dictionary with /S) under a node of a PDF's tag tree."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        return [e for k in node for e in struct_elements(k)]
    if not isinstance(node, dict):
        return []
    here = [node] if "/S" in node else []
    return here + (struct_elements(node["/K"]) if "/K" in node else [])


def test_page_one_is_the_decision_with_the_summary_figures(report, demo_workspace):
    from workbench.i18n import fmt_eur, fmt_pct
    from workbench.run_summary import compute_run_summary, load_run_summary

    run = demo_workspace.latest_run()
    facts = load_run_summary(run)
    # summary.json was written with the run and equals a fresh computation
    assert (run / "summary.json").exists()
    assert facts == compute_run_summary(run, demo_workspace.areas())
    b = facts["budget"]
    rec, base = b["methods"][b["recommended"]], b["methods"][b["baseline"]]
    page1 = squash(page_texts(report / "report.pdf")[0])
    assert squash("Zu entscheiden") in page1 and squash("Empfehlung:") in page1
    for figure in (
        fmt_eur(b["budget_eur"], "de"),
        fmt_eur(rec["spent_eur"], "de"),
        f"{rec['funded']}Vorschläge",
        fmt_pct(rec["to_hotspots_share"], "de"),
        fmt_pct(base["to_hotspots_share"], "de"),
        fmt_pct(rec["voters_share"], "de"),
        fmt_pct(base["voters_share"], "de"),
    ):
        assert squash(figure) in page1, figure
    for f in b["funded"]:
        assert squash(f["title"]) in page1, f["title"]
    # both terms are explained where they first appear
    assert "Bedarfsindex" in page1 and "EqualShares" in page1
    # the situation section quotes the same sensor counts as the summary
    text = squash(pdf_text(report / "report.pdf"))
    assert f"Hitze:{facts['heat']['n_sensors']}Sensoren" in text
    assert f"Luft:{facts['air']['n_sensors']}Feinstaub-Sensoren" in text


ENGLISH = ["degraded", "dead", "not fitted", "greedy", "gierig", "green_deficit",
           "vulnerability", "exposure", "Warning", "Note:", " the ", " and "]  # fmt: skip
GERMAN = ["Stadtteil", "Vorschläge", "Bedarfsindex", "Sensoren", " und ", " nicht ", "Empfehlung"]


def visible_text(html: str) -> str:
    """The HTML report's text, without the two annex tables that list setting names and
    software versions (identifiers, not words)."""
    annex = r'<div class="table-wrap"[^>]*="table-(parameters|software)-cap".*?</div>'
    html = re.sub(annex, "", html, flags=re.S)
    html = re.sub(r'src="data:[^"]*"', "", html)
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_german_report_is_german_and_english_report_english(report, demo_workspace, tmp_path):
    de = visible_text((report / "report.html").read_text(encoding="utf-8"))
    assert not [w for w in ENGLISH if w in de]
    files = report_step.run(demo_workspace, tmp_path, lang="en").files
    en = visible_text(files["html"].read_text(encoding="utf-8"))
    assert "Recommendation:" in en
    assert not [w for w in GERMAN if w in en]


def test_html_report_fits_a_phone(report, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto((report / "report.html").as_uri())
    width = page.evaluate("document.documentElement.scrollWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-html-phone.png"))
    page.close()
    assert width <= 390, width


def _run_dir(root, name, finished, ranked=None, sensors=(), ranks=None, heat_share=None):
    import json

    run = root / name
    run.mkdir()
    metrics = {"finished_at": finished}
    if ranked:
        metrics["ranking"] = {"ranked_at": ranked}
    (run / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    pd.DataFrame({"sensor_id": list(sensors)}).to_parquet(run / "sensors.parquet")
    if heat_share is not None:
        pd.DataFrame({"area_id": ["A", "B"], "heat_hotspot_share": heat_share}).to_parquet(
            run / "areas.parquet"
        )
    if ranks is not None:
        ids = [f"P{i}" for i in range(len(ranks))]
        frame = pd.DataFrame({"proposal_id": ids, "title": [f"T{i}" for i in ids], "rank": ranks})
        frame.to_parquet(run / "proposals.parquet")
    return run


def test_what_changed_names_sensors_hotspots_and_moved_proposals(tmp_path):
    from workbench.present.report.changes import changes_section, previous_run

    areas = pd.DataFrame({"area_id": ["A", "B"], "name": ["Altstadt", "Buer"]})
    old = _run_dir(
        tmp_path, "20260101T000000Z-a", "2026-01-01T00:00:00Z", "2026-01-01T00:10:00Z",
        sensors=["s1", "s2"], ranks=[1, 2, 3, 4, 5], heat_share=[0.10, 0.30],
    )  # fmt: skip
    # the new fit before it is ranked: a step on the way, not a computation to compare with
    fit_only = _run_dir(
        tmp_path, "20260201T000000Z-b", "2026-02-01T00:00:00Z", sensors=["s2", "s3"]
    )
    new = _run_dir(
        tmp_path, "20260201T000100Z-c", "2026-02-01T00:00:00Z", "2026-02-01T00:01:00Z",
        sensors=["s2", "s3"], ranks=[5, 2, 3, 4, 1], heat_share=[0.25, 0.31],
    )  # fmt: skip
    assert previous_run(new) == old
    assert previous_run(fit_only) == old
    assert previous_run(old) is None and changes_section(old, areas, "de") is None

    sec = changes_section(new, areas, "de")
    text = " ".join(sec.paragraphs)
    assert "vom 01.01.2026, 01:00 Uhr" in text
    assert "Sensoren: 1 neu, 1 nicht mehr dabei." in text
    assert "Altstadt 10 % → 25 %" in text and "Buer" not in text  # B moved 1 point only
    assert "2 Vorschläge" in text
    moved = sec.tables[0].frame
    assert moved.iloc[:, 0].tolist() == ["P4", "P0"]  # P4 5→1 and P0 1→5; the others stay
    assert "What changed" == changes_section(new, areas, "en").title


def test_every_output_quotes_the_one_summary(report, demo_workspace):
    """The report, both citizen pages (they share PublicData; the static site's meta.json)
    and ``workbench status`` show the run's summary.json figures, so none can disagree."""
    import json

    from workbench.i18n import fmt_int
    from workbench.present.dashboard.data import public_data
    from workbench.present.dashboard.page_html import about_html
    from workbench.present.static_site import site_files
    from workbench.run_summary import load_run_summary

    facts = load_run_summary(demo_workspace.latest_run())
    s = facts["sensors"]
    assert s["with_position"] > s["heat_model"] > 0 and s["air_model"] > 0
    data = public_data(demo_workspace)
    site_meta = json.loads(site_files(data)["data/meta.json"])
    for meta in (data.meta, site_meta):
        assert (meta["sensors"], meta["sensors_heat"], meta["sensors_air"]) == (
            s["with_position"], s["heat_model"], s["air_model"],
        )  # fmt: skip
        assert meta["budget_eur"] == facts["budget"]["budget_eur"]
        assert meta["recommended"] == facts["budget"]["recommended"]
    about = about_html(data.meta, "de")
    assert f"{fmt_int(s['heat_model'], 'de')} davon liefern Werte für die Hitzekarte" in about
    rec = facts["budget"]["methods"][facts["budget"]["recommended"]]
    page_alloc = {a["method"]: a for a in data.allocations}[facts["budget"]["recommended"]]
    assert len(page_alloc["funded"]) == rec["funded"]
    assert page_alloc["spent_eur"] == rec["spent_eur"]
    assert page_alloc["funded"] == [f["proposal_id"] for f in facts["budget"]["funded"]]

    status = run_cli("status", "--workspace", str(demo_workspace.root), "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["results"] == facts
    lines = run_cli("status", "--workspace", str(demo_workspace.root)).stdout
    assert f"heat        {s['heat_model']} sensors" in lines
    assert f"funds {rec['funded']} proposals" in lines


# ------------------------------------------------------- #19: what a reader walking through saw
RUN_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")
DATE = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")
DECIMAL_POINT = re.compile(r"\d\.(?!\d{3}(?!\d))\d")  # 0.05, 2000.0, 51.50030; not 11.972


def shown_text(html: str, drop: tuple[str, ...] = ()) -> str:
    """The HTML report's visible text (no style sheet, no images), without the annex tables
    named in ``drop``."""
    from html import unescape

    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    for key in drop:
        html = re.sub(rf'<div class="table-wrap[^"]*"[^>]*="table-{key}-cap".*?</div>', "", html,
                      flags=re.S)  # fmt: skip
    html = re.sub(r'src="data:[^"]*"', "", html)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_every_pdf_page_says_simulated_and_when_it_was_computed(report, demo_workspace):
    from workbench.i18n import fmt_datetime

    when = fmt_datetime(demo_workspace.metrics()["finished_at"], "de")
    pages = page_texts(report / "report.pdf")
    assert len(pages) > 5
    for n, page in enumerate(pages, 1):
        assert "SIMULIERTE DEMO-DATEN" in page, n
        assert squash(f"Berechnung vom {when}") in squash(page), n


def test_run_id_only_once_in_the_annex_and_times_for_people(report, demo_workspace):
    run_id = demo_workspace.latest_run().name
    html = (report / "report.html").read_text(encoding="utf-8")
    assert RUN_ID.search(run_id)
    assert RUN_ID.findall(shown_text(html, drop=("coverage",))) == []
    assert shown_text(html).count(run_id) == 1
    assert "Technische Kennung des Laufs" in shown_text(html)
    pages = page_texts(report / "report.pdf")
    assert sum(len(RUN_ID.findall(p)) for p in pages) == 1
    text = shown_text(html)
    assert not re.search(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}", text)
    assert "Stand: 01.09.2025, 01:00 Uhr" in text.replace("\xa0", " ")
    # the workbook: human dates, the run id as one technical row
    from openpyxl import load_workbook

    wb = load_workbook(report / "ranking.xlsx")
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert sum(run_id in c for c in cells) == 1
    assert not [c for c in cells if re.search(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}", c)]
    notes = {r[0]: r[1] for r in wb["Hinweise"].iter_rows(values_only=True)}
    assert notes["Berechnung"].startswith("Berechnung vom ") and DATE.search(notes["Berechnung"])


def test_german_numbers_in_the_german_report(report):
    html = (report / "report.html").read_text(encoding="utf-8")
    text = DATE.sub("", shown_text(html, drop=("software",)))
    assert [m.group(0) for m in DECIMAL_POINT.finditer(text)] == []
    flat = text.replace("\xa0", " ")
    assert re.search(r"Rasterzellen\s+\d{1,3}\.\d{3}\b", flat)
    assert re.search(r"Abstimmende \(pseudonymisiert\)\s+\d\.\d{3}\b", flat)
    assert "Hitze 0,30; Luft 0,20" in flat and re.search(r"alpha\s+0,05\s", flat)
    assert re.search(r"Breite \(WGS 84\).*?\b51,\d{5}\b", flat, re.S)
    assert not re.search(r"\bCV\b", flat) and "Kreuzvalidierung" in flat


def test_numbers_keep_their_unit_and_a_real_minus(report, demo_workspace, tmp_path):
    from workbench.present.report.typeset import typeset

    assert typeset("500.000 € und -0,81 K") == "500.000\u00a0€ und \u22120,81\u00a0K"
    de = shown_text((report / "report.html").read_text(encoding="utf-8"))
    files = report_step.run(demo_workspace, tmp_path, lang="en").files
    en = shown_text(files["html"].read_text(encoding="utf-8"))
    pdf = pdf_text(files["pdf"])
    for text in (de, en):
        assert not re.search(r"\d (€|%|K\b|K²|µg/m³)", text), re.search(r".{20}\d (€|%|K\b)", text)
        assert not re.search(r"(?<![\w.,\-/])-\d", text)
        assert "\u2212" in text  # the measure's effect is negative
    assert "SIMULATED DEMO DATA" in pdf and all(
        "SIMULATED DEMO DATA" in p for p in page_texts(files["pdf"])
    )
    assert "Computed on" in pdf and not RUN_ID.search(shown_text(files["html"].read_text(
        encoding="utf-8"), drop=("coverage",)))  # fmt: skip


def test_closing_block_and_footer_carry_the_legal_links(report, demo_workspace):
    from workbench.present.publication import Publication
    from workbench.present.report.html import render_html

    # the demo links nothing yet: the report says so, in plain German, and links nothing
    html = (report / "report.html").read_text(encoding="utf-8")
    for label in ("Impressum", "Datenschutzerklärung", "Erklärung zur Barrierefreiheit"):
        assert label in shown_text(html)
    assert "<footer>" in html and "<a " not in html
    assert "Erklärung zur Barrierefreiheit" in pdf_text(report / "report.pdf")
    pub = Publication.from_config(
        {"publication": {"imprint_url": "https://www.gelsenkirchen.de/impressum",
                         "privacy_url": "https://www.gelsenkirchen.de/datenschutz",
                         "accessibility_url": "https://www.gelsenkirchen.de/barrierefreiheit"}}
    )  # fmt: skip
    c = build_content(
        demo_workspace.latest_run(), areas=demo_workspace.areas(), figures=False, publication=pub
    )
    out = render_html(c)
    footer = out[out.index("<footer>") :]
    for url in ("impressum", "datenschutz", "barrierefreiheit"):
        assert f'href="https://www.gelsenkirchen.de/{url}"' in footer
        assert f'href="https://www.gelsenkirchen.de/{url}"' in out[out.index('id="legal"') :]


def test_each_table_once_and_the_district_table_has_every_district(report, demo_workspace):
    c = build_content(demo_workspace.latest_run(), areas=demo_workspace.areas(), figures=False)
    keys = [tb.key for s in c.sections for tb in s.tables]
    assert keys.count("scenarios") == 1 and "scenarios" not in [
        tb.key for tb in c.section("summary").tables
    ]
    titles = [s.title for s in c.sections] + [tb.title for s in c.sections for tb in s.tables]
    assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)
    areas = demo_workspace.areas()
    districts = c.table("districts").frame
    assert sorted(districts["Stadtteil"]) == sorted(areas["name"])
    assert len(districts) == len(areas)
    money = districts.drop(columns="Stadtteil")
    assert (money.sum(axis=1) == 0).any()  # districts no method funds are listed with 0 €
    html = (report / "report.html").read_text(encoding="utf-8")
    assert html.count("Budget-Szenarien im Vergleich</") == 1
    from openpyxl import load_workbook

    sheet = load_workbook(report / "ranking.xlsx")["Geld je Stadtteil"]
    assert sheet.max_row - 1 == len(areas)


def test_map_legend_and_numbered_markers_leave_district_names_readable(demo_workspace):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from workbench.present.maps import city_map

    run = demo_workspace.latest_run()
    cells = pd.read_parquet(run / "cells.parquet")
    props = demo_workspace.results("proposals")
    fig = city_map(cells, "need_index", areas=demo_workspace.areas(), kind="need",
                   points=props, point_labels=True, lang="de")  # fmt: skip
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    names = {tx.get_text(): tx.get_window_extent(renderer) for tx in ax.texts if tx.zorder == 2.5}
    ranks = [tx.get_bbox_patch().get_window_extent(renderer) for tx in ax.texts if tx.zorder == 6]
    legend = ax.get_legend().get_window_extent(renderer)
    plt.close(fig)
    assert {"Rotthausen", "Ückendorf", "Altstadt", "Schalke"} <= set(names)
    assert len(ranks) == 10
    assert not [n for n, box in names.items() if box.overlaps(legend)]
    covered = [n for n, box in names.items() if any(box.overlaps(r) for r in ranks)]
    assert not covered, covered


def test_running_text_says_grad_and_k_is_explained_once(demo_workspace):
    c = build_content(demo_workspace.latest_run(), areas=demo_workspace.areas(), figures=False)
    summary = c.section("summary")
    heat = next(p for p in summary.paragraphs if p.startswith("Hitze:"))
    assert re.search(r"\(\d+,\d Grad\)", heat) and "Grad genau" in heat
    assert not re.search(r"\d K\b", " ".join(summary.paragraphs))
    terms = [k for s in c.sections for k, _ in s.terms]
    assert terms.count("K (Kelvin)") == 1
    assert "Wärmeinsel nachts (K)" in c.table("validation").frame.iloc[:, 0].tolist()


def test_every_reason_is_printed_whole(report, demo_workspace):
    """The reasons (the workbench's own text, ~700 characters) were cut at 600 characters
    in the PDF, the HTML and the workbook, mid-word ('… zum Bedar…')."""
    from html import unescape

    from openpyxl import load_workbook

    def plain(s: str) -> str:
        return re.sub(r"\s+", " ", s.replace("\u00a0", " ").replace("\u2212", "-"))

    props = demo_workspace.results("proposals")
    assert props["explanation_de"].str.len().max() > 600
    html = plain(unescape(re.sub(r"<[^>]+>", " ", (report / "report.html").read_text("utf-8"))))
    wb = load_workbook(report / "ranking.xlsx")
    cells = {plain(str(c.value)) for sh in wb.worksheets for row in sh.iter_rows() for c in row}
    for why in props["explanation_de"]:
        assert plain(why) in html, why[-60:]
        assert plain(why) in cells, why[-60:]


def test_workbook_notes_name_its_sheets_and_speak_german(report):
    from openpyxl import load_workbook

    wb = load_workbook(report / "ranking.xlsx")
    notes = {r[0].value: r[1].value for r in wb[wb.sheetnames[0]].iter_rows()}
    assert notes["Blätter"] == ", ".join(wb.sheetnames[1:])
    text = " ".join(str(v) for v in notes.values())
    assert "not fitted" not in text and "entfernt fehlerhafte" not in text
    assert "gelöscht wird nichts" in text
    # the data basis holds its counts as numbers
    basis = next(sh for sh in wb.worksheets if any(c.value == "Rasterzellen" for c in sh["A"]))
    cells = {r[0].value: r[1].value for r in basis.iter_rows(min_row=2)}
    assert isinstance(cells["Rasterzellen"], int) and cells["Rasterzellen"] > 10_000
