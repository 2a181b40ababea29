"""The review app driven in a real headless browser: Chromium and chromedriver from Debian's packages, through
Selenium, against the app served on 127.0.0.1 over a dataset built from the seeds, ../shared/real and
generated PDFs. Open a report, jump to a doubtful cell with the keys, see its source line or its PDF box,
enter a correction, reload, find it kept, the check it fixes passing and the export showing it.

Screenshots of the report page and of the PDF source view are written to ``tests/.cache/screenshots/`` (or
``$ZFXXGK_SCREENSHOTS``); the README shows one of them (copied to ``docs/screenshots/``).
"""

from __future__ import annotations

import csv
import io
import os
import threading
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT
from review_dataset import HUAIAN, PTHZS, available, build

pytest.importorskip("flask")
pytestmark = pytest.mark.skipif(not available(), reason="../shared/seeds and ../shared/real are not beside the project")

SHOTS = Path(os.environ.get("ZFXXGK_SCREENSHOTS") or ROOT / "tests" / ".cache" / "screenshots")
REVIEW_TOTAL = "review_litigation.review.total"


@pytest.fixture(scope="module")
def browser():
    from tests.generators import real_tools

    real_tools.need("chromium")
    try:
        real_tools.chromedriver()
        pytest.importorskip("selenium.webdriver")
    except real_tools.ToolMissing as e:
        real_tools.missing(e)
    with real_tools.chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app on 127.0.0.1 (a free port) over a fresh dataset; stopped at the end of the module."""
    from zfxxgk_review.server import make_server

    data = build(tmp_path_factory.mktemp("review-browser"))
    server = make_server(data.db, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield data, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def _rid(db: Path, name: str) -> int:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT id FROM reports WHERE path LIKE ?", (f"%{name}",)).fetchone()[0]
    finally:
        conn.close()


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as r:  # the app on 127.0.0.1 only
        return r.read()


def _key(driver, key: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(key).perform()


def _cell(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, "cell-path").text


def _wait_cell(driver, old: str | None) -> str:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20).until(lambda d: d.find_elements("id", "cell-path") and _cell(d) != old)
    return _cell(driver)


def test_a_text_report_s_conflict_is_corrected_at_its_source_and_kept(browser, served):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    data, base = served
    d = browser
    d.get(base + "/?doubt=conflict")
    link = d.find_element(By.XPATH, f"//tr[td[contains(@class, 'path') and contains(., '{PTHZS}')]]//td[1]/a")
    link.click()
    WebDriverWait(d, 20).until(lambda d: "/report/" in d.current_url)
    # c: the next conflict, until the 复议 总计 the document breaks (the 5 cells of its rule are conflicts)
    cell = None
    for _ in range(8):
        _key(d, "c")
        cell = _wait_cell(d, cell)
        if cell == REVIEW_TOTAL:
            break
    assert cell == REVIEW_TOTAL
    assert d.find_element(By.ID, "cell-status").text == "conflict"
    hit = d.find_element(By.ID, "source-hit")
    assert hit.is_displayed() and hit.text == "0"
    assert "review_litigation_group_total" in d.find_element(By.ID, "cell-checks").text
    # n and p walk the doubtful cells
    _key(d, "n")
    after = _wait_cell(d, REVIEW_TOTAL)
    _key(d, "p")
    assert _wait_cell(d, after) == REVIEW_TOTAL
    SHOTS.mkdir(parents=True, exist_ok=True)
    d.save_screenshot(str(SHOTS / "review-report.png"))
    # e: type the right value and a note, save
    _key(d, "e")
    assert d.switch_to.active_element.get_attribute("id") == "value"
    d.switch_to.active_element.send_keys("1")
    d.find_element(By.ID, "note").send_keys("结果维持 1 件：总计应为 1")
    d.find_element(By.ID, "save-btn").click()
    WebDriverWait(d, 20).until(lambda d: d.find_elements(By.ID, "cell-correction"))
    d.refresh()
    WebDriverWait(d, 20).until(lambda d: d.find_elements(By.ID, "cell-status"))
    assert d.find_element(By.ID, "cell-status").text == "corrected"
    assert d.find_element(By.ID, "cell-value").text == "1"
    assert "总计应为 1" in d.find_element(By.ID, "cell-correction").text
    td = d.find_element(By.CSS_SELECTOR, f"td[data-cell='{REVIEW_TOTAL}']")
    assert "st-corrected" in td.get_attribute("class") and "1" in td.text
    assert "every check of the template passes" in d.find_element(By.ID, "failed-checks").text
    assert d.find_element(By.ID, "cell-checks").text.startswith("✓")
    d.save_screenshot(str(SHOTS / "review-report-corrected.png"))
    # the export shows the corrected value beside the parsed one
    rows = list(csv.DictReader(io.StringIO(_get(base + "/export/values.csv").decode("utf-8-sig"))))
    rid = str(_rid(data.db, PTHZS))
    mine = [r for r in rows if r["report_id"] == rid and r["field"] == "review.total"]
    assert len(mine) == 1
    assert (mine[0]["value"], mine[0]["status"], mine[0]["parsed_value"]) == ("1", "corrected", "0")
    # a new page load of the list counts it: no conflict left in that report
    d.get(base + "/?doubt=conflict")
    assert PTHZS not in d.find_element(By.ID, "reports").text


def test_a_pdf_cell_is_shown_boxed_on_its_rendered_page(browser, served):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    data, base = served
    d = browser
    rid = _rid(data.db, HUAIAN)
    d.get(f"{base}/report/{rid}")
    _key(d, "n")  # the first doubtful cell: section 二, which no identity checks
    cell = _wait_cell(d, None)
    assert cell.startswith("active_disclosure.")
    box = d.find_element(By.ID, "pdf-box")
    page = d.find_element(By.ID, "pdf-page")
    n = page.get_dom_attribute("data-page")
    png = _get(f"{base}/report/{rid}/page/{n}.png")
    assert png.startswith(b"\x89PNG")
    # the box is drawn inside the page, where the provenance says
    x, y, w, h = (float(v) for v in box.get_dom_attribute("data-bbox").split(","))
    vb = [float(v) for v in page.get_dom_attribute("viewBox").split()]
    assert x >= 0 and x + w <= vb[2] and y >= 0 and y + h <= vb[3] and w > 0 and h > 0
    assert box.is_displayed() and d.find_element(By.ID, "pdf-box-zoom").is_displayed()
    WebDriverWait(d, 20).until(lambda d: d.execute_script(
        "return document.readyState === 'complete'"))
    # the whole page with its box in view, for the screenshot
    d.execute_script("document.getElementById('pdf-box').scrollIntoView({block: 'center'});")
    SHOTS.mkdir(parents=True, exist_ok=True)
    d.save_screenshot(str(SHOTS / "review-pdf.png"))
    # a generated PDF, corrected through the form; the reload keeps it
    pdf = next(p for p in data.generated if p.suffix == ".pdf")
    rid = _rid(data.db, str(pdf.relative_to(data.inputs)))
    d.get(f"{base}/report/{rid}?cell=applications.new_received.natural_person")
    assert d.find_elements(By.ID, "pdf-box")
    value = d.find_element(By.ID, "value")
    value.send_keys("blank")
    d.find_element(By.ID, "save-btn").click()
    WebDriverWait(d, 20).until(lambda d: d.find_elements(By.ID, "cell-correction"))
    d.refresh()
    assert d.find_element(By.ID, "cell-status").text == "corrected"
    assert d.find_element(By.ID, "cell-value").text == "(blank)"


def test_year_over_year_page_and_its_exports(browser, served):
    from selenium.webdriver.common.by import By

    _data, base = served
    d = browser
    d.get(base + "/")
    d.find_element(By.CSS_SELECTOR, "ul.organs a").click()
    table = d.find_element(By.ID, "compare")
    assert len(table.find_elements(By.CSS_SELECTOR, "thead th")) >= 3
    assert d.find_elements(By.CSS_SELECTOR, "ul.cross li.ok")
    assert d.find_elements(By.CSS_SELECTOR, "td.diff")
    docx_url = d.find_element(By.ID, "export-docx").get_attribute("href")
    csv_url = d.find_element(By.ID, "export-csv").get_attribute("href")
    assert _get(docx_url).startswith(b"PK\x03\x04")
    assert _get(csv_url).decode("utf-8-sig").startswith("kind,year_a,year_b")
    # the changed-only switch hides the unchanged rows
    before = len([r for r in table.find_elements(By.CSS_SELECTOR, "tbody tr") if r.is_displayed()])
    d.find_element(By.ID, "changed-only").click()
    after = len([r for r in table.find_elements(By.CSS_SELECTOR, "tbody tr") if r.is_displayed()])
    assert 0 < after < before
    d.save_screenshot(str(SHOTS / "review-year-over-year.png"))
