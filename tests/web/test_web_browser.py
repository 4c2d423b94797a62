"""End to end in real headless Chromium (Debian's package, driven by Playwright): sign in, enter a
testimony with journey steps and see them on the person's timeline, code an act from a selected
passage, see it counted on the dashboard, record a claim traced to its quoted passage, be refused a
sealed identity as an analyst, switch to Korean. Saves screenshots of the main pages to
docs/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import discard
from web_helpers import build_site, forget_used_codes, live_server, password, totp_now, username

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VENDOR = Path(__file__).resolve().parents[2] / "src" / "redzone" / "web" / "static" / "vendor"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    assert VENDOR.joinpath("vega-embed.min.js").exists(), "front-end packages missing: run `make assets`"
    ws = build_site(tmp_path_factory.mktemp("e2e") / "ws", "sqlite", acts=400)
    with live_server(ws) as base:
        yield base, ws
    discard(ws)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield instance
        instance.close()


def _page(browser, base: str, problems: list[str]):  # noqa: ANN001, ANN202
    context = browser.new_context(base_url=base, viewport={"width": 1360, "height": 900}, locale="en-GB")
    context.set_default_timeout(90_000)  # a loaded 2-core CI machine can take well over 30 s a step
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page


def _sign_in(page, role: str, ws) -> None:  # noqa: ANN001
    page.goto("/login")
    page.fill("input[name=username]", username(role))
    page.fill("input[name=password]", password(role))
    with page.expect_navigation():  # read the URL only once the answer has arrived (slow CI machines)
        page.click("button[type=submit]")
    if "/login/second-factor" in page.url:
        forget_used_codes(ws)
        page.fill("input[name=code]", totp_now())
        with page.expect_navigation():
            page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _shot(page, name: str) -> None:  # noqa: ANN001
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _travelled_victim(ws) -> str:  # noqa: ANN001
    """A demo victim with a long journey and several acts, for the person page's screenshot."""
    import sqlalchemy as sa

    from redzone.records.models import Act, Participation, Person

    with ws.store.session() as session:
        steps = sa.select(Participation.person_id, sa.func.count().label("n")).group_by(Participation.person_id).subquery()
        return session.scalar(sa.select(Person.code).join(steps, steps.c.person_id == Person.id)
                              .where(Person.id.in_(sa.select(Act.victim_id))).order_by(steps.c.n.desc()).limit(1))


def _acts(page) -> int:  # noqa: ANN001
    page.goto("/")
    page.wait_for_selector(".chart.drawn", timeout=15000)
    return int(page.inner_text("#count-acts").replace(",", ""))


def _journey_rows(page) -> None:  # noqa: ANN001
    """Two journey steps besides the act's event: one row is shown, the second comes with "Add a step"."""
    assert page.is_visible("#journey-row-0") and not page.is_visible("#journey-row-1")
    page.select_option("#step-kind-0", "crossing")
    page.fill("#step-place-0", "무산")
    option = "#step-places-0 option[data-id^='kp.']"  # the North Korean town, not the crossing's Chinese side
    page.wait_for_selector(option, state="attached")
    page.fill("#step-place-0", page.eval_on_selector(option, "o => o.value"))
    page.dispatch_event("#step-place-0", "change")
    assert page.input_value("#step-place-id-0").startswith("kp.")
    page.fill("#step-date-0", "2015-11")
    page.click("#add-journey-step")
    assert page.is_visible("#journey-row-1")
    page.select_option("#step-kind-1", "arrest")
    page.fill("#step-place-1", "Tumen")  # typed, not picked: the server finds the gazetteer place
    page.fill("#step-date-1", "2018")


def _journey_on_the_timeline(page) -> None:  # noqa: ANN001
    """The steps entered with the testimony are on the person's timeline in time order; one more is
    added on the person page and takes its place."""
    with page.expect_navigation():
        page.click("#journey-link")
    steps = page.locator("#journey li strong").all_inner_texts()
    assert steps == ["Border crossing", "Sale", "Arrest"], steps
    assert "Musan" in page.inner_text("#journey") and "Sale or purchase of a person" in page.inner_text("#journey")
    page.click(".add-step summary")
    page.select_option("#step-kind-0", "repatriation")
    page.fill("#step-place-0", "Onsong")
    page.fill("#step-date-0", "2018-06")
    with page.expect_navigation():
        page.click("#add-step button[type=submit]")
    assert page.locator("#journey li strong").all_inner_texts() == ["Border crossing", "Sale", "Arrest",
                                                                    "Repatriation"]
    assert page.locator("#journey li.new-step").count() == 1
    _shot(page, "journey")


def _claim_from_the_source(page, source_url: str, text: str) -> None:  # noqa: ANN001
    """From the source page to the claims ledger's form, prefilled with the source; the figure recorded
    is shown in its measure's table, linked to its quoted passage on the source page."""
    page.goto(source_url)
    assert page.locator("#review-facts").count() == 1  # an interviewer may review this source's proposals
    with page.expect_navigation():
        page.click("#claim-from-source")
    assert page.input_value("#claim-source") == source_url.rsplit("/", 1)[1].split("?")[0]
    page.fill("#claim-measure", "bride_price")  # a measure of the demo ledger: the new figure joins its table
    page.select_option("#claim-qualifier", "exact")
    page.fill("#claim-value", "20,000")
    page.fill("#claim-unit", "CNY")
    page.fill("#claim-scope", "price of a North Korean woman sold as a wife")
    page.fill("#claim-year", "2016")
    page.fill("#claim-quote", "for 20,000 yuan")
    page.locator("div.card:has(#claim-form)").screenshot(path=str(SCREENSHOTS / "claim-entry.png"))
    with page.expect_navigation():
        page.click("#claim-form button[type=submit]")
    assert "recorded" in page.inner_text("#claim-notice")
    row = page.locator("tr.recorded")
    assert "20,000" in row.inner_text() and "CNY" in row.inner_text()
    assert page.locator("section.measure-group tbody tr").count() > 1  # side by side with the other sources
    _shot(page, "claim-recorded")
    with page.expect_navigation():
        row.locator("a", has_text="quoted passage").click()
    assert "for 20,000 yuan" in page.inner_text("#claims") and "for 20,000 yuan" in text


def test_interviewer_records_and_codes_a_testimony_seen_on_the_dashboard(server, browser):
    base, ws = server
    problems: list[str] = []
    page = _page(browser, base, problems)
    page.goto("/login")
    _shot(page, "login")
    _sign_in(page, "interviewer", ws)
    before = _acts(page)
    assert page.locator(".chart.drawn canvas").count() == 4, "the four charts were not drawn"
    _shot(page, "dashboard")

    page.goto("/testimony/new")
    page.fill("input[name=title]", "Synthetic interview (test)")
    text = "I was taken across the river near Musan. A broker sold me to a farmer in Yanji for 20,000 yuan."
    page.fill("#testimony-text", text)
    page.select_option("#testimony-violation", "trafficking.sale")
    page.check("input[name=roles][value=broker]")
    page.fill("#event-place", "연길")
    # (wait_for_function would need eval, which the page's CSP rightly forbids)
    page.wait_for_selector("#event-places option", state="attached")
    label = page.eval_on_selector("#event-places option", "o => o.value")
    page.fill("#event-place", label)
    page.dispatch_event("#event-place", "change")
    assert page.input_value("#event-place-id").startswith("cn.")
    page.select_option("select[name=date_precision]", "year")
    page.fill("input[name=date_start]", "2016")
    _journey_rows(page)
    _shot(page, "testimony-entry")
    page.locator("#journey-steps").screenshot(path=str(SCREENSHOTS / "testimony-journey.png"))
    page.click("#testimony-form button[type=submit]")
    page.wait_for_url(re.compile(r"/sources/"))
    assert "Testimony recorded" in page.inner_text("main")
    source_url = page.url
    _journey_on_the_timeline(page)
    page.goto(source_url)

    # Code a second act by selecting the quoted passage in the text.
    passage = "A broker sold me to a farmer in Yanji"
    page.evaluate("""passage => {
        const node = document.getElementById('source-text').firstChild;
        const start = node.textContent.indexOf(passage);
        const range = document.createRange();
        range.setStart(node, start); range.setEnd(node, start + passage.length);
        const selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range);
    }""", passage)
    for _ in range(50):
        if page.input_value("#span_end"):
            break
        page.wait_for_timeout(50)
    assert int(page.input_value("#span_start")) == text.index(passage)
    assert int(page.input_value("#span_end")) == text.index(passage) + len(passage)
    page.select_option("#act-violation", "marriage.forced")
    _shot(page, "source-act-coding")
    page.click("#code-act button[type=submit]")
    page.wait_for_selector("#coded-notice")
    assert passage in page.inner_text("#acts")

    assert _acts(page) == before + 2
    _claim_from_the_source(page, source_url, text)
    for path, name in (("/sources", "sources"), ("/claims", "claims"), ("/persons", "persons")):
        page.goto(path)
        _shot(page, name)
    page.goto(f"/persons/{_travelled_victim(ws)}")
    _shot(page, "person")
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], "\n".join(problems)


def test_analyst_is_refused_a_sealed_identity_and_switches_to_korean(server, browser):
    base, ws = server
    problems: list[str] = []
    page = _page(browser, base, problems)
    _sign_in(page, "data_analyst", ws)
    page.goto("/persons")
    with page.expect_navigation():
        page.click("table.data tbody tr:first-child a")
    assert page.locator("#identity-sealed").count() == 1 or "No identity" in page.inner_text("main")
    code = page.url.rsplit("/", 1)[1]
    response = page.goto(f"/persons/{code}/identity")
    assert response.status == 403
    assert "may not see a person" in page.inner_text("#error-message")
    page.goto("/")
    with page.expect_navigation():
        page.click("#switch-language")
    assert "대시보드" in page.inner_text("main h1")
    page.wait_for_selector(".chart.drawn", timeout=15000)
    _shot(page, "dashboard-ko")
    page.goto("/sources")  # remembered for the user, not just the page
    assert "출처" in page.inner_text("main h1")


def test_administrator_reads_the_audit_log(server, browser):
    base, ws = server
    page = _page(browser, base, [])
    _sign_in(page, "administrator", ws)
    page.goto("/audit?verify=1")
    assert page.locator("#chain-ok").count() == 1
    assert "person.view_sealed" in page.inner_text("#audit-table")
    _shot(page, "audit")
    page.goto("/users")
    assert "demo-interviewer" in page.inner_text("#users-table")
    _shot(page, "users")
