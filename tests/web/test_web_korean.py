"""The whole interface in Korean: every sentence the core library can put on a page has a Korean
translation, and a Korean user walking every page of the demo workspace (and meeting a rejected
form and a refusal) reads no English sentence of the interface — only data values (codes, synthetic
source texts, names of lists) stay as recorded."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from support import BACKENDS, discard
from web_helpers import build_site, client_for, csrf_of, sign_in, username

from redzone.evidence import add_evidence
from redzone.link import LinkSettings, run_incident_linkage, run_linkage
from redzone.records.entry import Context
from redzone.records.users import actor_for
from redzone.security.audit_actions import AUDIT_ACTIONS, RECORD_TYPES
from redzone.security.policy import ACTIONS, ROLES, Actor

SOURCE = Path(__file__).resolve().parents[2] / "src" / "redzone"
LOCALE = SOURCE / "web" / "locale"
# Packages whose problems reach a page or a form; the CLI-only ones (import/export, backups,
# capture-table files) answer in English.
WEB_FACING = ("accounts", "evidence", "legal", "records", "search", "stats", "estimate/api.py",
              "estimate/caveats.py", "estimate/selection.py", "estimate/workspace.py", "extract/review.py", "link",
              "web/forms.py", "web/routes")
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _korean() -> dict[str, str]:
    with (LOCALE / "ko" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale="ko") if isinstance(m.id, str) and m.id}


def _constant(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def core_sentences() -> dict[str, str]:
    """Every `Message` template in the package, every policy action, and every fixed problem text of the
    web-facing packages, with the file it comes from."""
    found: dict[str, str] = {text: "security/policy.py" for text in ACTIONS.values()}
    found.update({text: "security/audit_actions.py" for text in (*AUDIT_ACTIONS.values(), *RECORD_TYPES.values())})
    for path in SOURCE.rglob("*.py"):
        relative = path.relative_to(SOURCE).as_posix()
        facing = relative.startswith(WEB_FACING)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            text = None
            if name == "Message" and node.args:
                text = _constant(node.args[0])
            elif facing and name == "Problem" and len(node.args) >= 2:
                text = _constant(node.args[1])
            elif facing and name in ("NotFound", "EstimationError") and node.args:
                text = _constant(node.args[0])
            if text and PLACEHOLDER.sub("", text).strip(" %;:()"):
                found.setdefault(text, relative)
    return found


def test_every_sentence_of_the_core_has_a_korean_translation():
    korean = _korean()
    missing = sorted(f"{where}: {text}" for text, where in core_sentences().items() if not korean.get(text))
    assert not missing, "translate these in ko/messages.po:\n" + "\n".join(missing)


def test_a_message_is_shown_in_korean_with_its_values_and_in_english_unchanged():
    from redzone.legal.facts import age_text
    from redzone.messages import Message
    from redzone.web import i18n

    message = Message("under %(age)s at the time of %(act)s, %(aged)s", age=18, act="ACT-1", aged=age_text(15, 16))
    i18n.set_language("ko")
    try:
        assert i18n.translate(message) == "ACT-1 당시 18세 미만(15–16세)"
        # A sentence read back from JSON (a background job's result) is recognised by its template.
        assert i18n.translate(str(Message("No estimate: %(reason)s", reason=Message("situation")))) == "추정 불가: 상황"
        assert i18n.translate("SRC-12: the brokers moved her inland") == "SRC-12: the brokers moved her inland"
        # Data that happens to end like a short template ("%(n)s accepted") is left as written...
        assert i18n.translate("the brokers accepted") == "the brokers accepted"
        # ...while a problem the linkage review wrote as a plain string is recognised, field and all.
        assert i18n.translate("pair: #7 belongs to run LR-1, not to the current run LR-2; review the current "
                              "run's pairs") == "pair: #7은(는) 현재 실행 LR-2이(가) 아니라 실행 LR-1에 속합니다. 현재 실행의 쌍을 검토하십시오"
    finally:
        i18n.set_language("en")
    assert i18n.translate(message) == "under 18 at the time of ACT-1, aged 15–16" == message


def english_fragments() -> set[str]:
    """The fixed English words of every catalog message and core sentence: runs of three words or more."""
    # Examples shown in empty fields ("women and girls at risk") are also what users type as data.
    examples = {m.group(1) for path in (SOURCE / "web" / "templates").glob("*.html")
                for m in re.finditer(r"""placeholder="\{\{ _\(['"]([^'"]+)['"]\) \}\}""", path.read_text(encoding="utf-8"))}
    texts = (set(_korean()) | set(core_sentences())) - examples
    fragments = set()
    for text in texts:
        for part in PLACEHOLDER.split(text):
            part = part.strip(" .,;:()—–-")
            if len(re.findall(r"[A-Za-z]{2,}", part)) >= 3 and not re.fullmatch(r"[\w.\-]+", part):
                fragments.add(part)
    return fragments


WALKED: dict[str, set[str]] = {}  # backend -> page shapes the walks below reached
SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S)
HREF = re.compile(r'href="(/[^"#]*)"')


def visible_text(page: str) -> str:
    page = SCRIPT.sub(" ", page)
    shown = [m.group(1) for m in re.finditer(r">([^<]+)<", page)]
    shown += re.findall(r'(?:title|placeholder|aria-label|alt)="([^"]*)"', page)
    return "\n".join(html.unescape(text) for text in shown)


# Cells that show a code beside its label (the audit log's actions and kinds of record).
LABELLED_CODES = re.compile(r'<td class="(audit-action|audit-record)">(.*?)</td>', re.S)
CODE = re.compile(r'<span class="mono small">[^<]*</span>')


def english_left(page: str, fragments: set[str]) -> list[str]:
    text = visible_text(page)
    return sorted(f for f in fragments if f in text) + unlabelled_codes(page)


def unlabelled_codes(page: str) -> list[str]:
    """Codes shown with no label in Korean beside them (a record cell without a record type has none)."""
    return [f"unlabelled {html.unescape(re.sub(r'<[^>]+>', '', cell)).strip()}"
            for kind, cell in LABELLED_CODES.findall(page)
            if (kind == "audit-action" or "<span title=" in cell) and not re.search(r"[가-힣]", CODE.sub("", cell))]


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    ws = build_site(tmp_path_factory.mktemp("korean") / "ws", request.param, acts=120)
    analyst = Actor(username("data_analyst"), "data_analyst")
    # Linkage runs with a wide review band, so that the pair pages have pairs to show.
    run_linkage(ws, analyst, LinkSettings(review_low=0.05, review_high=0.999))
    run_incident_linkage(ws, analyst, LinkSettings(review_low=0.05, review_high=0.999))
    with ws.store.session() as session:  # and one evidence file, for its page
        add_evidence(Context(session, ws.keys, actor_for(session, username("interviewer"))), ws.evidence_dir,
                     b"synthetic audio bytes", media_type="audio/mp4", acquired_by="field team")
    yield ws
    discard(ws)


def korean_client(site, role: str, language: str = "ko"):  # noqa: ANN001, ANN201
    client = sign_in(client_for(site), role)
    response = client.post("/language", data={"language": language, "csrf_token": csrf_of(client, "/account"), "next": "/"})
    assert response.status_code == 303
    return client


def walk(client, limit: int = 60) -> dict[str, str]:  # noqa: ANN001
    """The pages reachable by links from the dashboard, at most three of each kind (by path shape)."""
    pages: dict[str, str] = {}
    queue, shapes = ["/"], {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        shape = re.sub(r"[A-Z]{2,4}-\w+|\d+", "N", url.split("?")[0])
        if url in pages or url.startswith(("/static", "/logout", "/api/")) or shapes.get(shape, 0) >= 3:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(url)
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        pages[url] = response.text
        queue.extend(HREF.findall(html.unescape(response.text)))
    return pages


def test_the_sign_in_pages_follow_the_browser_language(site):
    client = client_for(site)
    page = client.get("/login", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}).text
    assert 'lang="ko"' in page and not english_left(page, english_fragments())
    wrong = client.post("/login", headers={"Accept-Language": "ko"}, data={
        "username": username("interviewer"), "password": "not the password", "csrf_token": csrf_of(client), "next": "/"})
    assert wrong.status_code == 401 and not english_left(wrong.text, english_fragments())


@pytest.mark.parametrize("role", [r for r in ROLES if r != "public"])
def test_every_page_a_korean_user_reaches_is_in_korean(site, role):
    fragments = english_fragments()
    client = korean_client(site, role)
    pages = walk(client)
    pages["/search?q=broker"] = client.get("/search?q=broker").text
    assert len(pages) >= 8, sorted(pages)
    left = {url: found for url, page in pages.items() if (found := english_left(page, fragments))}
    assert not left, f"English left on {role}'s Korean pages: {left}"
    assert all('lang="ko"' in page for page in pages.values())
    WALKED.setdefault(site.config.backend, set()).update(re.sub(r"[A-Z]{2,4}-\w+|\d+", "N", u.split("?")[0]) for u in pages)


def test_the_walk_reached_every_page(site):
    """Runs after the walks above (same module, same worker): each page of the interface was checked."""
    from fastapi.routing import APIRoute

    from redzone.web.routes import ROUTERS

    not_pages = ("/status", "/file", "/suggest", "/login")  # JSON, file downloads, the sign-in pages (tested above)
    pages = {re.sub(r"\{\w+\}", "N", route.path) for router in ROUTERS for route in router.routes
             if isinstance(route, APIRoute) and "GET" in route.methods and not route.path.startswith("/api/")
             and not route.path.endswith(not_pages) and "/login" not in route.path}
    assert pages - WALKED.get(site.config.backend, set()) == set()


def test_the_legal_analysis_and_the_estimates_are_in_korean(site):
    import sqlalchemy as sa

    from redzone.records.models import Act, Person

    with site.store.session() as session:
        person = session.scalar(sa.select(Person.code).join(Act, Act.victim_id == Person.id).limit(1))
    legal = korean_client(site, "legal_analyst").get(f"/persons/{person}").text
    section = legal[legal.index('id="legal-analysis"'):]
    assert "로마규정" in section or "의정서" in section or "협약" in section
    assert not re.search(r"evidenced by|no recorded act|not recorded yet|Rome Statute|Convention", section)
    # The context of crimes against humanity is cited by the opening words of art. 7(1): 두문, not "chapeau".
    with site.store.session() as session:
        victims = session.scalars(sa.select(Person.code).join(Act, Act.victim_id == Person.id)
                                  .where(Act.violation.like("sexual.%")).distinct().limit(3)).all()
    client = korean_client(site, "legal_analyst")
    cited = [client.get(f"/persons/{code}").text for code in victims]
    assert any("7(1) 두문, 7(2)(a)" in page for page in cited) and not any("chapeau" in page for page in cited)
    estimates = korean_client(site, "data_analyst").get("/estimates").text
    warnings = "\n".join(re.findall(r'<ul class="warnings"[^>]*>(.*?)</ul>', estimates, re.S))
    assert warnings and not re.search(r"\b(the|lists?|estimate|recorded)\b", re.sub(r"demo-[\w-]+", "", warnings))


def test_a_rejected_form_and_a_refusal_are_explained_in_korean(site):
    interviewer = korean_client(site, "interviewer")
    response = interviewer.post("/testimony", data={
        "csrf_token": csrf_of(interviewer, "/testimony/new"), "text": "synthetic", "title": "synthetic",
        "language": "ko", "sex": "female", "birth_year_min": "1850", "violation": "trafficking.sale",
        "date_precision": "month", "date_start": "2015-13"})
    assert response.status_code == 422
    problems = " ".join(re.findall(r'class="alert small field-error"[^>]*>([^<]*)<', response.text))
    assert "1900에서 2100 사이여야 합니다" in problems and "형식의 날짜가 아닙니다" in html.unescape(problems)
    assert "must be between" not in problems and "is not a date" not in problems
    assert not english_left(response.text, english_fragments())
    # A form the route never sees (FastAPI's own checks) is explained in Korean too.
    bare = interviewer.post("/account/tokens", data={"csrf_token": csrf_of(interviewer, "/account"), "days": "99999"})
    assert bare.status_code == 422
    message = html.unescape(re.search(r'id="error-message">([^<]*)<', bare.text).group(1))
    assert message.startswith("입력이 올바르지 않습니다") and "필수 항목입니다" in message and "Field required" not in message
    analyst = korean_client(site, "data_analyst")
    refused = analyst.get("/review")
    assert refused.status_code == 403
    message = html.unescape(re.search(r'id="error-message">([^<]*)<', refused.text).group(1))
    assert message.startswith("권한 없음") and "may not" not in message
    missing = analyst.get("/persons/RZ-NOSUCH")
    assert missing.status_code == 404 and "코드가 'RZ-NOSUCH'인 사람이 없습니다" in html.unescape(missing.text)


def test_search_results_are_titled_in_korean(site):
    page = korean_client(site, "documentation_officer").get("/search?q=broker").text
    rows = re.findall(r"<tr><td>.*?</tr>", page, re.S)
    assert rows
    for row in rows:
        kind, title = [html.unescape(cell) for cell in re.findall(r"<td>([^<]*)</td>", row)[:2]]
        assert kind in ("출처", "행위", "주장", "인물"), row
        assert re.search(r"[가-힣]", title) and " in " not in title and ", from " not in title, row


def test_the_custody_log_names_its_actions_in_korean(site):
    client = korean_client(site, "interviewer")
    code = re.search(r'href="/evidence/(EVD-\w+)"', client.get("/evidence").text).group(1)
    custody = client.get(f"/evidence/{code}").text
    custody = custody[custody.index('id="custody"'):]
    assert "<td>입수</td>" in custody and "<td>acquired</td>" not in custody


@pytest.mark.parametrize("stratify", [None, "province", "crossing_period"])
def test_every_estimate_warning_reads_in_korean_also_when_read_back_from_a_job(site, stratify):
    """The page shows warnings computed just now (Messages) or by a background job (kept as JSON)."""
    import json

    from redzone.estimate import StratumEstimate, estimate_workspace
    from redzone.web import i18n

    found = estimate_workspace(site, Actor(username("data_analyst"), "data_analyst"),
                               methods=["bic", "stepwise", "chao", "lincoln-petersen"], stratify=stratify)
    stored = [StratumEstimate.from_dict(json.loads(json.dumps(f.to_dict(details=True)))) for f in found]
    i18n.set_language("ko")
    try:
        for strata in (found, stored):
            sentences = {s for f in strata for s in (*f.warnings, *f.failures.values(),
                                                     *(w for r in f.results for w in r.warnings))}
            assert sentences
            shown = [i18n.translate(s) for s in sentences]
            left = [s for s in shown if re.search(r"[A-Za-z]{3,} [a-z]{3,}", re.sub(r"demo-[\w-]+|'[^']*'", "", s))]
            assert not left
    finally:
        i18n.set_language("en")


def test_every_legal_element_reason_reads_in_korean(site):
    """All the victims of the demo world, not only the pages the walk opened."""
    import sqlalchemy as sa

    from redzone.legal import analyse_person
    from redzone.records.models import Act, Person
    from redzone.web import i18n

    analyst = Actor(username("legal_analyst"), "legal_analyst")
    with site.store.session() as session:
        codes = session.scalars(sa.select(Person.code).where(Person.id.in_(sa.select(Act.victim_id)))).all()
        analyses = [analyse_person(session, code, actor=analyst) for code in codes]
    i18n.set_language("ko")
    try:
        shown = {i18n.translate(text) for a in analyses for p in a.provisions
                 for text in (p.reason, *(e.reason for e in p.elements))} | \
                {i18n.translate(note) for a in analyses for note in a.notes}
    finally:
        i18n.set_language("en")
    assert len(codes) >= 10 and shown
    # Codes (ACT-…, sexual.rape, the element slugs) stay; no English words around them.
    left = [s for s in shown if re.search(r"\b[a-z]{3,} [a-z]{3,}\b", re.sub(r"[\w-]*[._][\w.]+", "", s))]
    assert not left, left[:5]


def test_the_audit_log_names_every_action_and_record_in_korean_beside_its_code(site):
    client = korean_client(site, "administrator")
    page = client.get("/audit").text
    rows = re.findall(r"<tr><td class=\"num\">\d+</td>(.*?)</tr>", page, re.S)
    assert len(rows) >= 20
    for row in rows:
        action, record = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[2:4]
        code = re.search(r'<span class="mono small">([\w.]+)</span>', action).group(1)
        assert code in AUDIT_ACTIONS  # the code stays, for the filter
        assert re.search(r"[가-힣]", action.replace(code, "")), row
        if re.search(r"title=\"\w+\"", record):
            assert re.search(r"[가-힣]", record), row
    # The filter still takes the code; its suggestions are labelled in Korean.
    filtered = client.get("/audit", params={"action": "user.create"}).text
    assert "계정 생성" in filtered and 'value="user.create">계정 생성</option>' in filtered


def test_source_languages_are_named_in_the_readers_language(site):
    names = {"ko": {"en": "영어", "ko": "한국어", "zh": "중국어"}, "en": {"en": "English", "ko": "Korean", "zh": "Chinese"}}
    for language, shown in names.items():
        client = korean_client(site, "documentation_officer", language)
        listing = client.get("/sources").text
        cells = re.findall(r"<tr><td><a href=\"/sources/[^\"]+\" class=\"mono\">[^<]*</a></td>(?:<td>[^<]*</td>){2}"
                           r"<td>([^<]*)</td>", listing)
        assert cells and set(cells) <= set(shown.values()) and len(set(cells)) >= 2, cells
        code = re.search(r'href="/sources/(SRC-[\w-]+)"', listing).group(1)
        page = client.get(f"/sources/{code}").text
        stated = re.search(r"<dd>([^<]*)</dd>", page[page.index(">" + ("언어" if language == "ko" else "Language") + "<"):])
        assert stated and stated.group(1) in shown.values(), stated
        form = client.get("/testimony/new").text
        options = re.findall(r'<option value="(en|ko|zh)"[^>]*>([^<]*)</option>', form)
        assert sorted(options) == sorted(shown.items())  # the codes stay the form's values


def test_a_person_role_in_a_sentence_is_named_as_the_vocabulary_names_it(site):
    from redzone.errors import NotFound
    from redzone.estimate import EstimationError, estimate_workspace
    from redzone.link.runs import current_run
    from redzone.web import i18n

    with pytest.raises(EstimationError) as no_records:  # the demo world records no witness on any list
        estimate_workspace(site, Actor(username("data_analyst"), "data_analyst"), methods=["chao"],
                           stratify="province", person_role="witness")
    with site.store.session() as session, pytest.raises(NotFound) as no_run:
        current_run(session, "perpetrator")
    i18n.set_language("ko")
    try:
        shown = [i18n.translate_error(no_records.value), i18n.translate_error(no_run.value)]
    finally:
        i18n.set_language("en")
    assert "어느 단체의 목록에도 목격자 기록이 없어" in shown[0] and "witness" not in shown[0]
    assert shown[1].startswith("가해자 기록에 대한 연결이 아직") and "perpetrator" not in shown[1]
    assert str(no_records.value.message) == "no witness records on any organisation's list: nothing to estimate"


def test_linkage_refusals_and_decisions_read_in_korean(site):
    import sqlalchemy as sa

    from redzone.records.models import Person

    with site.store.session() as session:
        victim, perpetrator = (session.scalar(sa.select(Person.code).where(Person.person_role == role).limit(1))
                               for role in ("victim", "perpetrator"))
    client = korean_client(site, "data_analyst")
    token = csrf_of(client, "/linkage")

    def refused(url: str, **data: str) -> str:
        response = client.post(url, data={"csrf_token": token, **data})
        assert response.status_code in (404, 422), (url, response.status_code)
        return html.unescape(re.search(r'id="error-message">([^<]*)<', response.text).group(1))

    shown = {
        "unknown": refused("/linkage/merge", person_a="RZ-NOSUCH", person_b=victim),
        "same": refused("/linkage/merge", person_a=victim, person_b=victim),
        "roles": refused("/linkage/merge", person_a=victim, person_b=perpetrator),
        "cluster": refused("/linkage/split", cluster="CL-NOSUCH", person=victim),
        "decision": refused("/linkage/decisions/999999/undo"),
        "threshold": refused("/linkage/run", person_role="victim", threshold="1.5"),
        "band": refused("/linkage/run", person_role="victim", review_low="0.9", review_high="0.6"),
    }
    assert "코드가 'RZ-NOSUCH'인 사람이 없습니다" in shown["unknown"]
    assert "같은 기록입니다" in shown["same"]
    assert f"{perpetrator}은(는) 가해자 기록이고 {victim}은(는) 피해자 기록입니다" in shown["roles"]
    assert "묶음 CL-NOSUCH에 없습니다" in shown["cluster"]
    assert "연결 결정 #999999이(가) 없습니다" in shown["decision"]
    assert "0보다 크고 1보다 작은 확률이어야 합니다" in shown["threshold"]
    assert "review_high(0.6)보다 작아야 합니다" in shown["band"]
    left = {k: v for k, v in shown.items() if re.search(r"\b[a-z]{3,} [a-z]{3,}\b", v)}
    assert not left, left
    # A decision and its undoing are named in Korean in the notice and the decision log.
    pair = re.search(r'action="/linkage/pairs/(\d+)/decision"', client.get("/linkage").text).group(1)
    done = client.post(f"/linkage/pairs/{pair}/decision", data={"csrf_token": token, "verb": "accept",
                                                                 "back_to": "victim"})
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "(승인됨)" in html.unescape(re.search(r'id="linkage-notice">([^<]*)<', page).group(1))
    decision = re.search(r"decision=(\d+)", done.headers["location"]).group(1)
    undone = client.post(f"/linkage/decisions/{decision}/undo", data={"csrf_token": token})
    log = client.get(undone.headers["location"]).text
    kinds = re.findall(r'<tr data-decision="\d+"><td class="mono">\d+</td><td>([^<]*)</td>', log)
    assert kinds[:2] == ["취소", "승인됨"], kinds


def test_a_job_result_joins_its_parts_in_the_readers_language(site):
    """A background job's result is stored as JSON; its sentences keep their parts, so that a list of
    pairs ("a and b; c and d") is joined at display time in the reader's language."""
    from redzone.estimate import CaptureTable
    from redzone.estimate.caveats import table_warnings
    from redzone.web import i18n
    from redzone.web.jobs import Jobs

    # Lists a and b have nobody in common (cells 3 and 7 are empty).
    table = CaptureTable.from_counts(["list-a", "list-b", "list-c"], [0, 5, 7, 0, 9, 3, 4, 0])
    notes = [w for w in table_warnings(table) if "nobody in common" in w]
    assert notes and "list-a and list-b" in notes[0]
    jobs = Jobs(site.store)
    job = jobs.start("test-korean-join", username("data_analyst"), lambda: [{"warnings": notes}])
    assert job.wait(30) and job.status == "done", job.error
    stored = Jobs(site.store).latest("test-korean-join").result[0]["warnings"]
    assert stored == notes  # the same English, read back
    i18n.set_language("ko")
    try:
        shown = i18n.translate(stored[0])
    finally:
        i18n.set_language("en")
    assert "(list-a 및 list-b)" in shown and " and " not in shown, shown
