"""The published citizen pages as a citizen meets them, in Debian's headless Chromium:
address search, sorting, layers, language, phone scrolling, keyboard, legal links, the
budget, background tiles from a (local) tile server, and axe-core with 0 violations."""

from __future__ import annotations

import http.server
import re
import threading
from dataclasses import replace
from typing import ClassVar

import pandas as pd
import pytest
from conftest import ARTIFACTS, HOSTILE_TITLES, axe_violations, one_finger_swipe_up

from workbench.errors import InputError
from workbench.present.dashboard.data import public_data
from workbench.present.dashboard.state import distance_m
from workbench.present.publication import Publication, legal_sections, tile_settings
from workbench.present.serve import site_process, stop, wait_ready
from workbench.present.static_site import write_site
from workbench.simulate.broker import free_port

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# a point in Erle and the address list the search must find it in
CRANGER_100 = (51.5535, 7.1045)
ADDRESSES = pd.DataFrame(
    {
        "street": ["Cranger Straße", "Cranger Straße", "Cranger Straße", "Hochstraße"],
        "housenumber": ["98", "100", "100a", "1"],
        "postcode": ["45891", "45891", "45891", "45894"],
        "lat": [51.5531, CRANGER_100[0], 51.5536, 51.5770],
        "lon": [7.1043, CRANGER_100[1], 7.1046, 7.0500],
    }
)


# ---------------------------------------------------------------- settings, no browser
def test_publication_settings_are_validated():
    ok = Publication.from_config(
        {
            "publication": {
                "operator": "Stadt Gelsenkirchen",
                "imprint_url": "https://www.gelsenkirchen.de/impressum",
                "participation_url": "https://beteiligung.example.de/p/{proposal_id}",
                "feedback_email": "barrierefrei@gelsenkirchen.de",
            }
        }
    )
    assert ok.proposal_url("P-1/../x") == "https://beteiligung.example.de/p/P-1%2F..%2Fx"
    assert ok.missing() == ["privacy_url", "accessibility_url"]
    bad = [
        {"imprint_url": "javascript:alert(1)"},
        {"privacy_url": 'https://x.de/" onmouseover="x'},
        {"participation_url": "https://x.de/p"},
        {"participation_url": "https://x.de/{proposal_id}/{proposal_id}"},
        {"participation_url": "https://x.de/{title}?id={proposal_id}"},
        {"feedback_email": "not an address"},
        {"imprint": "https://x.de"},
        {"operator": 5},
    ]
    for b in bad:
        with pytest.raises(InputError, match="publication"):
            Publication.from_config({"publication": b})
    for tiles in (
        "http://t.example/{z}/{x}.png",
        "file:///etc/{z}/{x}/{y}",
        "https://t/{q}/{z}/{x}/{y}",
    ):
        with pytest.raises(InputError, match="tiles"):
            tile_settings({"dashboard": {"tiles": tiles, "tiles_attribution": "© x"}})
    with pytest.raises(InputError, match="attribution"):
        tile_settings({"dashboard": {"tiles": "https://t.example/{z}/{x}/{y}.png"}})


def test_legal_texts_link_where_given_and_say_plainly_what_is_provisional():
    pub = Publication(operator="Stadt Gelsenkirchen", imprint_url="https://ge.de/impressum")
    de = {s["key"]: s for s in legal_sections(pub, "de", tiles="https://t.example/{z}/{x}/{y}")}
    assert de["imprint"] == {
        "key": "imprint",
        "label": "Impressum",
        "url": "https://ge.de/impressum",
    }
    assert de["privacy"]["label"] == "Datenschutz"
    privacy = " ".join(de["privacy"]["paragraphs"])
    assert "t.example" in privacy and "keine Cookies" in privacy and "Vorläufiger Text" in privacy
    access = " ".join(de["accessibility"]["paragraphs"])
    assert "BITV 2.0" in access and "noch nicht eingetragen" in access  # no feedback e-mail yet


# ---------------------------------------------------------------- the static site
class _Tiles(http.server.BaseHTTPRequestHandler):
    """A tile server on loopback: answers every /z/x/y.png with a small grey PNG."""

    seen: ClassVar[list[str]] = []

    def do_GET(self):  # http.server's name
        import io

        import matplotlib.pyplot as plt
        import numpy as np

        type(self).seen.append(self.path)
        buf = io.BytesIO()
        plt.imsave(buf, np.full((8, 8, 3), 0.85), format="png")
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(buf.getvalue())

    def log_message(self, *_a):
        pass


@pytest.fixture(scope="module")
def tile_server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _Tiles)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


@pytest.fixture(scope="module")
def site(hostile_workspace, tile_server, tmp_path_factory):
    """The hostile demo published with a city's settings, an address list and tiles."""
    data = replace(
        public_data(hostile_workspace),
        publication=Publication(
            operator="Stadt Gelsenkirchen (Test)",
            imprint_url="https://www.gelsenkirchen.de/de/impressum/",
            participation_url="https://beteiligung.example.de/budgets/1/investments/{proposal_id}",
            feedback_email="barrierefrei@example.de",
        ),
        tiles=(tile_server + "/{z}/{x}/{y}.png", "© Testkarte"),
        addresses=ADDRESSES,
        streets={"type": "FeatureCollection", "features": [{"type": "Feature",
                 "properties": {"name": "Cranger Straße"}, "geometry": {"type": "LineString",
                 "coordinates": [[7.1005, 51.548], [7.106, 51.556]]}}]},
    )  # fmt: skip
    out = tmp_path_factory.mktemp("site") / "site"
    write_site(data, out)
    port = free_port()
    proc = site_process(out, port)  # what `workbench serve --site` runs
    wait_ready(f"http://127.0.0.1:{port}/index.html", proc, timeout=30)
    yield f"http://127.0.0.1:{port}", out, data
    stop(proc)


def _open(browser, url, viewport, **kw):
    ctx = browser.new_context(viewport=viewport, **kw)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    return ctx, page, errors


def test_static_site_csp_allows_exactly_the_tile_host(site, tile_server):
    _url, out, _data = site
    html = (out / "index.html").read_text(encoding="utf-8")
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"', html).group(1)
    img = next(d for d in csp.split(";") if d.strip().startswith("img-src")).split()[1:]
    assert img == ["'self'", "data:", tile_server]


def test_address_search_sorts_by_distance_and_clears_on_unknown_input(site, browser):
    url, _out, data = site
    ctx, page, errors = _open(browser, url + "/", DESKTOP)
    search = page.get_by_role("searchbox", name=re.compile("Adresse"))
    props = data.proposals.dropna(subset=["lat", "lon"])
    dist = [
        distance_m(*CRANGER_100, [la], [lo])[0]
        for la, lo in zip(props["lat"], props["lon"], strict=True)
    ]
    nearest = props["title"].iloc[min(range(len(dist)), key=dist.__getitem__)]
    for text in ("Cranger Straße 100", "cranger str. 100", "CRANGER STRASSE 100"):
        search.fill(text)
        search.press("Enter")
        assert "Gefunden: Cranger Straße 100" in page.text_content("#message"), text
        first = page.locator("#list li").first
        assert first.locator("h3").inner_text().endswith(nearest)
        assert re.search(r"\d+(,\d)?\u00a0(m|km) entfernt", first.locator(".meta").inner_text())
    assert page.input_value("#sort") == "distance"
    search.fill("45891")
    search.press("Enter")
    assert "Gefunden: 45891" in page.text_content("#message")
    search.fill("Buer")
    page.get_by_role("button", name="Suchen").click()
    assert "Gefunden: Buer" in page.text_content("#message")
    # unknown input: a German message at the box, the old (distance) results cleared
    search.fill("Atlantisweg 7")
    search.press("Enter")
    assert "„Atlantisweg 7“ wurde nicht gefunden" in page.text_content("#message")
    assert page.input_value("#sort") == "value"
    assert "entfernt" not in page.locator("#list").inner_text()
    assert page.locator("#list li h3").first.inner_text().endswith(data.proposals["title"].iloc[0])
    assert not errors, errors
    ctx.close()


def test_sorting_layers_legends_budget_and_legal_links(site, browser, tile_server):
    url, _out, data = site
    _Tiles.seen.clear()
    ctx, page, errors = _open(browser, url + "/", DESKTOP)
    # the title says what the order means; votes are said not to count
    assert "Nutzen je Euro" in page.text_content("#intro")
    assert "Stimmen fließen in diese Reihenfolge nicht ein" in page.text_content("#intro")
    # sort by votes: the most-voted proposal first
    page.select_option("#sort", "votes")
    top = data.proposals.sort_values("votes", ascending=False)["title"].iloc[0]
    assert page.locator("#list li h3").first.inner_text().endswith(top)
    page.select_option("#sort", "need")
    top = data.proposals.sort_values("need_at_site", ascending=False)["title"].iloc[0]
    assert page.locator("#list li h3").first.inner_text().endswith(top)
    # the need layer: hidden until ticked, then visible with its legend; heat off drops its legend
    need = page.locator('#overlays image[data-layer="need"]')
    assert need.get_attribute("visibility") == "hidden"
    assert page.locator('#legends [data-layer="need"]').count() == 0
    page.get_by_label("Bedarfsindex").check()
    assert need.get_attribute("visibility") == "visible"
    assert page.locator('#legends [data-layer="need"]').count() == 1
    page.get_by_label("Wärmeinsel nachts").uncheck()
    assert page.locator('#legends [data-layer="heat"]').count() == 0
    assert "Punkte: Vorschläge" in page.text_content("#legends")
    # district names on the map
    names = set(page.locator("#district-names text").all_text_contents())
    assert {"Buer", "Erle", "Altstadt"} <= names
    assert page.locator("#streets path.street").count() == 1  # main streets, when given
    overlaps = page.evaluate(
        """() => {
          const r = Array.from(document.querySelectorAll('#district-names text'))
            .filter(t => t.getAttribute('visibility') !== 'hidden')
            .map(t => t.getBoundingClientRect());
          let n = 0;
          for (let i = 0; i < r.length; i++) for (let j = i + 1; j < r.length; j++)
            if (r[i].left < r[j].right && r[j].left < r[i].right &&
                r[i].top < r[j].bottom && r[j].top < r[i].bottom) n++;
          return [n, r.length];
        }"""
    )
    assert overlaps[0] == 0 and overlaps[1] >= 10, overlaps  # names never overlap
    # background tiles came from the configured (local) tile server, with attribution
    page.wait_for_function("document.querySelectorAll('#tiles image').length > 0")
    page.wait_for_timeout(500)
    assert any(re.fullmatch(r"/1[0-5]/\d+/\d+\.png", p) for p in _Tiles.seen), _Tiles.seen
    assert page.text_content("#attribution") == "© Testkarte"
    # the money: the budget and what each allocation funds
    assert "500.000\u00a0€" in page.text_content("#budget-body")
    summaries = page.locator("#budget-body summary").all_text_contents()
    assert len(summaries) == len(data.allocations) >= 3
    for s, a in zip(summaries, data.allocations, strict=True):
        assert s.startswith(a["label"]["de"]) and f"{len(a['funded'])} Vorschläge" in s
    # participation link-out per proposal, legal links in the footer
    link = page.locator("#list li").first.get_by_role("link", name=re.compile("Zur Abstimmung"))
    pid = data.proposals["proposal_id"].iloc[0]
    assert link.get_attribute("href").endswith(f"/investments/{pid}")
    footer = page.locator("footer")
    assert footer.get_by_role("link", name="Impressum").get_attribute("href").startswith("https://")
    for name in ("Datenschutz", "Erklärung zur Barrierefreiheit"):
        footer.get_by_role("link", name=name).click()
        assert footer.locator("details[open] summary", has_text=name).count() == 1
    assert "Stadt Gelsenkirchen (Test)" in footer.inner_text()
    # ten at a time; "more" shows the rest
    assert page.locator("#list li").count() == 10
    while page.locator("#more").is_visible():
        page.click("#more")
    assert page.locator("#list li").count() == len(data.proposals)
    # hostile titles are text, run nothing
    text = page.locator("#list").inner_text()
    for title in HOSTILE_TITLES.values():
        assert title in text
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#list script, #list img, #list iframe").count() == 0
    assert not errors, errors
    ctx.close()


def test_language_switch_sets_lang_and_every_label(site, browser):
    url, _out, _data = site
    ctx, page, _errors = _open(browser, url + "/", DESKTOP)
    assert page.get_attribute("html", "lang") == "de"
    assert page.title().startswith("GE grünt – ")
    assert re.search(r"\d,\d", page.text_content("#legends"))
    page.fill("#address", "Buer")
    page.click("#search")
    assert page.text_content("#message").startswith("Gefunden: Buer")
    # no line break between a number and its unit: "500.000 €", "1,2 km"
    assert "\u00a0€" in page.text_content("section.budget")
    page.click("#lang-en")
    assert page.get_attribute("html", "lang") == "en"
    assert page.text_content("#message").startswith("Found: Buer")  # the message follows
    assert page.text_content("#title").startswith("Green Citizens")
    assert re.search(r"\d\.\d", page.text_content("#legends"))
    assert page.locator("footer").get_by_role("link", name="Legal notice").count() == 1
    ctx.close()


def test_phone_one_finger_scrolls_the_page_and_first_proposal_is_near(site, browser):
    url, _out, _data = site
    ctx, page, _errors = _open(browser, url + "/", PHONE, has_touch=True, is_mobile=True)
    top = page.evaluate("document.querySelector('#list li').getBoundingClientRect().top")
    assert top < 1.5 * PHONE["height"], top
    small = page.evaluate(
        """() => Array.from(document.querySelectorAll('#list li *, .legend, footer *'))
             .filter(e => e.childNodes.length && e.innerText && e.innerText.trim())
             .map(e => parseFloat(getComputedStyle(e).fontSize)).filter(s => s < 14)"""
    )
    assert not small, small
    page.locator("#map").scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    view_before = page.get_attribute("#map", "viewBox")
    box = page.locator("#map").bounding_box()
    # one finger moves 250 px up over the map
    one_finger_swipe_up(page, box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8)
    assert page.evaluate("window.scrollY") > before + 100  # the page scrolled ...
    assert page.get_attribute("#map", "viewBox") == view_before  # ... the map did not pan
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "static-phone.png"))
    ctx.close()


def test_keyboard_reaches_the_list_before_the_map(site, browser):
    url, _out, data = site
    ctx, page, _errors = _open(browser, url + "/", DESKTOP)
    assert page.locator("circle[tabindex]").count() == 0  # dots are not tab stops
    order = []
    for _ in range(30):  # tab until the first "Auf der Karte zeigen"
        page.keyboard.press("Tab")
        order.append(
            page.evaluate("document.activeElement.id || document.activeElement.textContent")
        )
        if order[-1].startswith("Auf der Karte zeigen"):
            break
    assert order[-1].startswith("Auf der Karte zeigen"), order
    assert "zoom-in" not in order and "layer-heat" not in order  # the list comes first
    page.keyboard.press("Enter")  # on "Auf der Karte zeigen" of place 1
    pid = data.proposals["proposal_id"].iloc[0]
    assert page.locator(f'circle.proposal.selected[data-id="{pid}"]').count() == 1
    # a visible 3 px focus ring
    page.focus("#search")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineWidth") == "3px"
    ctx.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_static_site_has_no_axe_violations(site, browser, viewport):
    url, _out, _data = site
    ctx, page, _errors = _open(browser, url + "/", viewport, bypass_csp=True)
    for lang in ("de", "en"):
        page.click(f"#lang-{lang}")
        page.click("#footer summary >> nth=0")  # open texts count too
        found = axe_violations(page)
        assert found == [], (lang, found)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"static-{viewport['width']}.png"), full_page=True)
    ctx.close()


def test_site_search_normalises_like_the_python_index(site, browser):
    """The static site's JavaScript applies the rules of workbench.addresses.normalise."""
    from workbench.addresses import normalise

    cases = [
        "Cranger Straße 100", "cranger str. 100", "CRANGER STRASSE 100", "Hohenzollernstr. 5",
        "Kurt-Schumacher-Str.12 a", "Ückendorfer Straße 3-b", "Crangerstr 7", "Café-Weg 1,2",
        "  Straße   des 17. Juni  ", "Flöz Sonnenschein", "Bahnhofstraße 12A",
    ]  # fmt: skip
    url, _out, _data = site
    ctx, page, _errors = _open(browser, url + "/", DESKTOP)
    js = page.evaluate("(cases) => cases.map(c => window.__normalise(c))", cases)
    assert js == [normalise(c) for c in cases]
    ctx.close()


def test_both_pages_find_the_same_point_for_a_place(site, browser):
    """A district name, a street and a postcode lead to the same point (and so to the same
    distances) on the static site and on the Voila page ("Buer" once gave 560 m on one
    and 440 m on the other)."""
    from workbench.addresses import AddressIndex, district_points
    from workbench.present.dashboard.state import CitizenState

    url, _out, data = site
    state = CitizenState(
        data.proposals, districts=data.districts(), bbox=data.bbox(),
        addresses=AddressIndex(data.addresses, district_points(data.areas)),
        district_points=data.district_points(),
    )  # fmt: skip
    ctx, page, _errors = _open(browser, url + "/", DESKTOP)
    places = [*(name for _aid, name in data.districts()[:6]), "Cranger Straße 100", "45891"]
    for text in places:
        lat, lon, _label = state.find_place(text)
        js = page.evaluate("(t) => window.__findPlace(t)", text)
        assert js is not None, text
        assert abs(js["lat"] - lat) < 2e-5 and abs(js["lon"] - lon) < 2e-5, (text, js, lat, lon)
    ctx.close()


def test_site_need_words_follow_the_ranking_steps(site, browser):
    from workbench.present.dashboard.page_html import need_word

    values = [0.0, 0.2, 0.25, 0.3, 0.399, 0.4, 0.5, 0.55, 0.9]
    url, _out, _data = site
    ctx, page, _errors = _open(browser, url + "/", DESKTOP)
    js = page.evaluate("(vs) => vs.map(v => window.__needWord(v))", values)
    assert js == [need_word(v, "de") for v in values]
    ctx.close()


def test_old_data_is_pointed_out():
    from workbench.present.dashboard.page_html import about_html

    meta = {"latest_data_text": {"de": "01.09.2025, 01:00 Uhr"}, "data_age_days": 457}
    assert "457 Tage älter als diese Berechnung" in about_html(meta, "de")
    assert "älter als diese" not in about_html({**meta, "data_age_days": 2}, "de")


def test_site_server_caches_hashed_code_revalidates_data_and_sends_the_headers(site):
    """`workbench serve --site` serves the static site for a crowd: the code (named after
    its content) cached for a year, data revalidated, gzip, security headers everywhere."""
    import gzip
    import urllib.error
    import urllib.request

    _url, out, _data = site
    port = free_port()
    proc = site_process(out, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base + "/", proc, timeout=30)
        index = urllib.request.urlopen(base + "/", timeout=10)
        html = index.read().decode("utf-8")
        assert index.headers["Cache-Control"] == "no-cache"
        csp = index.headers["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in csp and "default-src 'self'" in csp
        # the tile host allowed by the page's own policy is allowed by the header too
        assert "127.0.0.1" in csp
        js = re.search(r'src="(assets/app\.[0-9a-f]{10}\.js)"', html).group(1)
        css = re.search(r'href="(assets/app\.[0-9a-f]{10}\.css)"', html).group(1)
        for asset in (js, css):
            req = urllib.request.Request(f"{base}/{asset}", headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(req, timeout=10) as r:
                assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
                assert r.headers["Content-Encoding"] == "gzip"
                body = gzip.decompress(r.read())
            assert body == (out / asset).read_bytes()
        meta = urllib.request.urlopen(base + "/data/meta.json", timeout=10)
        assert meta.headers["Cache-Control"] == "no-cache" and meta.headers["ETag"]
        for bad in ("/nope.html", "/../../etc/passwd", "/data/"):
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(base + bad, timeout=10)
            assert e.value.code in (403, 404), bad
            assert e.value.headers["X-Content-Type-Options"] == "nosniff", bad
    finally:
        stop(proc)
