"""The course-finder page in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``, which ``.ci/run`` installs) driven by Selenium, against a real
``skillmatch serve`` process with the shipped bundle.

The server requires an API key, and the browser first meets it as a worker would without a
platform in front (the page explains what to do); the other tests add the key to every
request the browser makes, as a platform's server does behind its own sign-in. Every test
fails on a console error: a script error, a Content-Security-Policy violation, or a failed
request other than the error answer the test provokes.

Screenshots of each view go to ``$SKILLMATCH_PAGE_SCREENSHOTS`` when it is set (the README's
come from there), else to a temporary directory.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

#: Set by ``.ci/run``: there a missing browser or driver fails instead of skipping.
REQUIRED = bool(os.environ.get("SKILLMATCH_REQUIRE_BROWSER"))
pytest.importorskip("uvicorn")
if not REQUIRED:
    pytest.importorskip("selenium.webdriver", reason="needs selenium (the dev extra)")

import httpx  # noqa: E402
from PIL import Image  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from skillmatch.cli.demo import CHINESE_WORKERS  # noqa: E402
from tests.service.live import ROOT, Server  # noqa: E402

CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)
CHROMEDRIVER = shutil.which("chromedriver")
MISSING = (
    "needs Chromium and its driver: apt-get install chromium chromium-driver "
    "(.ci/run installs them)"
)
pytestmark = pytest.mark.skipif(
    (CHROMIUM is None or CHROMEDRIVER is None) and not REQUIRED, reason=MISSING
)

KEY = "page-browser-key"
AUTH = {"X-API-Key": KEY}
K = 5
MOBILE = (360, 640)
DESKTOP = (1280, 800)
WELDER: dict[str, Any] = dict(CHINESE_WORKERS[0])
KINDS_ZH = {"credential": "学历提升", "certificate": "职业技能等级证书", "short_course": "短期培训"}
MODALITIES_ZH = {"online": "线上", "in_person": "线下面授", "blended": "线上线下结合"}
SCHEDULES_ZH = {
    "weekday_evening": "工作日晚上",
    "weekend": "周末",
    "weekday_day": "工作日白天",
    "self_paced": "自己安排时间",
    "full_time": "全日制",
}


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server(
        argv=[sys.executable, "-m", "skillmatch.cli", "serve", "--port", "{port}"],
        env={"SKILLMATCH_API_KEY": KEY},
    )
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=AUTH, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def driver(server: Server) -> Iterator[WebDriver]:
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.fail(MISSING)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--window-size=1280,800")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    browser.execute_cdp_cmd("Network.enable", {})
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("SKILLMATCH_PAGE_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("page-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture()
def allowed() -> set[int]:
    """HTTP statuses a test provokes on purpose; the browser logs them as failed loads."""
    return set()


@pytest.fixture(autouse=True)
def clean_console(request: pytest.FixtureRequest, allowed: set[int]) -> Iterator[None]:
    if "driver" not in request.fixturenames:
        yield
        return
    browser: WebDriver = request.getfixturevalue("driver")
    browser.get_log("browser")  # drop what an earlier test left
    yield
    errors = [
        e["message"]
        for e in browser.get_log("browser")
        if e["level"] == "SEVERE"
        and not (
            e["source"] == "network" and any(f"status of {s} " in e["message"] for s in allowed)
        )
    ]
    assert errors == [], "console errors:\n" + "\n".join(errors)


def open_page(browser: WebDriver, server: Server, size: tuple[int, int], *, key: bool) -> None:
    """Load the page at ``size``; ``key`` adds the API key to every request, as a platform's
    server would (the page itself never holds it)."""
    browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": AUTH if key else {}})
    width, height = size
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    browser.get(server.url + "/")
    wait(
        browser,
        lambda b: "ready" in (b.find_element(By.TAG_NAME, "body").get_attribute("class") or ""),
    )


def wait(browser: WebDriver, until: Callable[[WebDriver], Any], timeout: float = 60) -> Any:
    return WebDriverWait(browser, timeout, poll_frequency=0.1).until(until)


def by_id(browser: WebDriver, element_id: str) -> WebElement:
    return browser.find_element(By.ID, element_id)


def fill(browser: WebDriver, worker: dict[str, Any]) -> None:
    """Type a worker's profile into the form, one skill at a time."""
    for skill in worker.get("skills", []):
        by_id(browser, "skill-text").send_keys(skill["text"])
        if skill.get("level"):
            Select(by_id(browser, "skill-level")).select_by_value(str(skill["level"]))
        by_id(browser, "skill-add").click()
    by_id(browser, "f-occupation").send_keys(worker["occupation"])
    for name in ("education", "region", "shift_pattern", "preferred_modality"):
        if name in worker:
            Select(by_id(browser, f"f-{name}")).select_by_value(worker[name])
    by_id(browser, "f-weekly_hours").send_keys(str(worker["weekly_hours"]))
    if worker.get("goal"):
        by_id(browser, "f-goal").send_keys(worker["goal"])
    if worker["migrant"]:
        by_id(browser, "f-migrant").click()


def submit(browser: WebDriver) -> list[WebElement]:
    by_id(browser, "submit").click()
    return wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#cards > li.card"))  # type: ignore[no-any-return]


def texts(element: WebElement, selector: str) -> list[str]:
    return [e.text for e in element.find_elements(By.CSS_SELECTOR, selector)]


def shoot(
    browser: WebDriver, shots: Path, name: str, element_id: str | None = None, block: str = "center"
) -> None:
    """Save the view as a small PNG (64 colours), ``element_id`` scrolled into it."""
    script = "document.getElementById(arguments[0]).scrollIntoView({block: arguments[1]})"
    if element_id is None:
        browser.execute_script("window.scrollTo(0, 0)")
    else:
        browser.execute_script(script, element_id, block)
    image = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")
    image.quantize(64, dither=Image.Dither.NONE).save(shots / f"{name}.png", optimize=True)


def fits_width(browser: WebDriver) -> bool:
    return bool(
        browser.execute_script(
            "const d = document.documentElement; return d.scrollWidth <= d.clientWidth;"
        )
    )


def test_api_key_notice_without_a_platform(
    driver: WebDriver, server: Server, shots: Path, allowed: set[int]
) -> None:
    allowed.add(401)
    open_page(driver, server, MOBILE, key=False)
    fill(driver, WELDER)
    driver.find_element(By.ID, "submit").click()
    notice = wait(
        driver, lambda b: by_id(b, "notice") if by_id(b, "notice").is_displayed() else None
    )
    assert "X-API-Key" in notice.text and "登录" in notice.text
    assert driver.find_elements(By.CSS_SELECTOR, "input[type=password]") == []
    stored = driver.execute_script(
        "return [localStorage.length, sessionStorage.length, document.cookie]"
    )
    assert stored == [0, 0, ""]
    shoot(driver, shots, "page-api-key-zh-mobile", "notice")


@pytest.mark.parametrize("size", [MOBILE, DESKTOP], ids=["360x640", "desktop"])
def test_chinese_profile_cards_equal_the_api(
    driver: WebDriver, server: Server, api: httpx.Client, shots: Path, size: tuple[int, int]
) -> None:
    open_page(driver, server, size, key=True)
    view = "mobile" if size == MOBILE else "desktop"
    shoot(driver, shots, f"page-form-zh-{view}")
    fill(driver, WELDER)
    cards = submit(driver)

    worker = {**WELDER, "worker_id": "page-visitor"}
    expected = api.post("/v1/recommendations", json={"worker": worker, "k": K}).json()
    recs = expected["recommendations"]
    assert [c.get_attribute("data-program-id") for c in cards] == [r["program_id"] for r in recs]
    for card, rec in zip(cards, recs, strict=True):
        program = api.get(f"/v1/programs/{rec['program_id']}").json()["program"]
        explained = api.post(
            "/v1/explanations", json={"worker": worker, "program_id": rec["program_id"]}
        ).json()["explanation"]
        assert card.find_element(By.CSS_SELECTOR, "h3 .title").text == program["title"]
        assert texts(card, "article > ul.reasons > li") == [r["text_zh"] for r in rec["reasons"]]
        facts = {
            e.get_attribute("data-fact"): e.text for e in card.find_elements(By.CSS_SELECTOR, "dd")
        }
        yuan = round(explained["net_cost"])
        assert facts == {
            "kind": KINDS_ZH[program["kind"]],
            "modality": MODALITIES_ZH[program["modality"]],
            "schedule": SCHEDULES_ZH[program["schedule"]],
            "cost": "免费" if yuan <= 0 else f"约 {yuan:,} 元",
        }
    assert fits_width(driver)
    shoot(driver, shots, f"page-results-zh-{view}", "results" if size == MOBILE else None, "start")

    by_id(driver, "lang").click()
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert by_id(driver, "profile-title").text == "About you"
    cards = driver.find_elements(By.CSS_SELECTOR, "#cards > li.card")
    for card, rec in zip(cards, recs, strict=True):
        assert texts(card, "article > ul.reasons > li") == [r["text_en"] for r in rec["reasons"]]
    assert by_id(driver, "skill-list").text.count("level 3") == 1
    assert fits_width(driver)
    shoot(driver, shots, f"page-results-en-{view}", "results" if size == MOBILE else None, "start")
    by_id(driver, "lang").click()
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert by_id(driver, "submit").text == "推荐课程"


def test_invalid_value_shows_the_fields_message(
    driver: WebDriver, server: Server, shots: Path, allowed: set[int]
) -> None:
    allowed.add(422)
    open_page(driver, server, MOBILE, key=True)
    fill(driver, {**WELDER, "occupation": " ", "weekly_hours": 100})
    by_id(driver, "submit").click()
    hours = wait(
        driver,
        lambda b: (
            by_id(b, "err-weekly_hours") if by_id(b, "err-weekly_hours").is_displayed() else None
        ),
    )
    assert hours.text == "不能大于 80。"
    assert by_id(driver, "err-occupation").text == "这一项不能空着。"
    assert by_id(driver, "f-weekly_hours").get_attribute("aria-invalid") == "true"
    assert driver.switch_to.active_element == by_id(driver, "f-occupation")
    assert "2" in by_id(driver, "form-summary").text
    assert not by_id(driver, "err-region").is_displayed()
    shoot(driver, shots, "page-error-zh-mobile", "f-weekly_hours")
    by_id(driver, "lang").click()
    assert by_id(driver, "err-weekly_hours").text == "Must be at most 80."
    assert by_id(driver, "err-occupation").text == "This field cannot be empty."
    by_id(driver, "lang").click()


def excluded_program(api: httpx.Client, worker: dict[str, Any]) -> dict[str, Any]:
    """The first program of the catalogue the worker is excluded from, with its explanation."""
    import json

    catalogue = json.loads((ROOT / "models" / "default" / "programs.json").read_text("utf-8"))
    for program in catalogue:
        body = {"worker": worker, "program_id": program["program_id"]}
        explained = api.post("/v1/explanations", json=body).json()["explanation"]
        if not explained["eligible"]:
            return {"program": program, "explanation": explained}
    raise AssertionError("the welder is eligible for every program")


def test_why_this_and_why_not(
    driver: WebDriver, server: Server, api: httpx.Client, shots: Path, allowed: set[int]
) -> None:
    allowed.add(404)
    open_page(driver, server, MOBILE, key=True)
    fill(driver, WELDER)
    first = submit(driver)[0]
    worker = {**WELDER, "worker_id": "page-visitor"}
    program_id = first.get_attribute("data-program-id")
    explained = api.post(
        "/v1/explanations", json={"worker": worker, "program_id": program_id}
    ).json()["explanation"]
    why = first.find_element(By.CSS_SELECTOR, "button.why")
    assert why.get_attribute("aria-expanded") == "false"
    why.click()
    panel = by_id(driver, why.get_attribute("aria-controls") or "")
    assert panel.is_displayed() and why.get_attribute("aria-expanded") == "true"
    assert panel.find_element(By.CSS_SELECTOR, ".eligible").text == "你可以报读这门课。"
    shown = [
        e.get_attribute("data-feature") for e in panel.find_elements(By.CSS_SELECTOR, ".weighed li")
    ]
    strongest = max(explained["contributions"], key=lambda c: abs(c["contribution"]))
    assert shown and shown[0] == strongest["name"]
    assert all(("加分" in t or "减分" in t) for t in texts(panel, ".weighed li"))
    assert "报读要求" in panel.text
    shoot(
        driver, shots, "page-why-zh-mobile", f"title-{why.get_attribute('aria-controls')}", "start"
    )

    excluded = excluded_program(api, worker)
    by_id(driver, "lookup-id").send_keys(excluded["program"]["program_id"], Keys.ENTER)
    card = wait(driver, lambda b: b.find_elements(By.CSS_SELECTOR, "#lookup-result .lookup-card"))[
        0
    ]
    assert card.find_element(By.TAG_NAME, "h3").text == excluded["program"]["title"]
    assert "你现在还不能报读这门课" in card.find_element(By.CSS_SELECTOR, ".excluded").text
    reasons = [r["text_zh"] for r in excluded["explanation"]["exclusions"]]
    assert reasons and texts(card, "ul.exclusions > li") == reasons
    shoot(driver, shots, "page-why-not-zh-mobile", "lookup", "start")
    by_id(driver, "lang").click()
    reasons = [r["text_en"] for r in excluded["explanation"]["exclusions"]]
    assert (
        texts(driver.find_element(By.CSS_SELECTOR, "#lookup-result"), "ul.exclusions > li")
        == reasons
    )
    by_id(driver, "lang").click()

    lookup = by_id(driver, "lookup-id")
    lookup.clear()
    lookup.send_keys("no-such-program", Keys.ENTER)
    wait(driver, lambda b: by_id(b, "err-lookup").is_displayed())
    assert by_id(driver, "err-lookup").text == "没有这个课程编号。"


def test_script_injection_is_shown_as_text(
    driver: WebDriver, server: Server, api: httpx.Client
) -> None:
    open_page(driver, server, DESKTOP, key=True)
    skill = "<img src=x onerror=\"document.title='pwned'\">"
    occupation = "<script>document.title='pwned'</script>焊工"
    worker = {**WELDER, "skills": [{"text": skill}], "occupation": occupation}
    fill(driver, worker)
    cards = submit(driver)
    assert by_id(driver, "skill-list").find_element(By.CSS_SELECTOR, ".skill-text").text == skill
    recs = api.post(
        "/v1/recommendations", json={"worker": {**worker, "worker_id": "page-visitor"}, "k": K}
    ).json()["recommendations"]
    for card, rec in zip(cards, recs, strict=True):
        assert texts(card, "article > ul.reasons > li") == [r["text_zh"] for r in rec["reasons"]]
    assert driver.find_elements(By.CSS_SELECTOR, "main img, main script") == []
    assert driver.title == "skillmatch 找课程"


def test_busy_indicator_and_nothing_blocks(driver: WebDriver, server: Server) -> None:
    open_page(driver, server, MOBILE, key=True)
    fill(driver, WELDER)
    slow = {"offline": False, "latency": 600, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", slow)
    try:
        by_id(driver, "submit").click()
        busy = by_id(driver, "busy")
        assert busy.text == "正在查找，请稍候……"
        assert by_id(driver, "results").get_attribute("aria-busy") == "true"
        by_id(driver, "lang").click()  # the page still answers while the request runs
        assert busy.text == "Searching, one moment…"
        by_id(driver, "skill-text").send_keys("叉车")
        assert by_id(driver, "skill-text").get_attribute("value") == "叉车"
        wait(driver, lambda b: b.find_elements(By.CSS_SELECTOR, "#cards > li.card"))
    finally:
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {**slow, "latency": 0})
    wait(driver, lambda b: by_id(b, "busy").text == "")
    assert by_id(driver, "results").get_attribute("aria-busy") == "false"
    by_id(driver, "lang").click()


CONTRAST = """
function rgb(s) { const m = s.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; }
function lum([r, g, b]) {
  const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}
function background(el) {
  for (; el; el = el.parentElement) {
    const c = rgb(getComputedStyle(el).backgroundColor);
    if (c[3] > 0) return c;
  }
  return [255, 255, 255, 1];
}
const out = [];
for (const el of document.querySelectorAll(arguments[0])) {
  if (!el.offsetParent && el.tagName !== 'BODY') continue;
  const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
  out.push([el.tagName + '.' + el.className, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]);
}
return out;
"""


def test_keyboard_labels_focus_and_contrast(driver: WebDriver, server: Server) -> None:
    open_page(driver, server, DESKTOP, key=True)
    unlabelled = driver.execute_script(
        "return [...document.querySelectorAll('input, select, textarea, button')]"
        ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')"
        " && !e.textContent.trim()).map(e => e.id)"
    )
    assert unlabelled == []
    # keyboard only: a skill with Enter, the form sent from the keyboard, a card opened
    field = by_id(driver, "skill-text")
    field.send_keys("数控车床操作", Keys.ENTER)
    assert "数控车床操作" in by_id(driver, "skill-list").text
    assert driver.switch_to.active_element == field
    fill(driver, {**WELDER, "skills": []})
    by_id(driver, "f-goal").send_keys(Keys.TAB, Keys.TAB)
    active = driver.switch_to.active_element
    assert active == by_id(driver, "submit")
    outline = driver.execute_script(
        "const s = getComputedStyle(document.activeElement);return [s.outlineStyle, s.outlineWidth]"
    )
    assert outline[0] != "none" and float(outline[1].rstrip("px")) >= 2
    active.send_keys(Keys.ENTER)
    wait(driver, lambda b: b.find_elements(By.CSS_SELECTOR, "#cards > li.card"))
    why = driver.find_element(By.CSS_SELECTOR, "#cards button.why")
    why.send_keys(Keys.ENTER)
    assert why.get_attribute("aria-expanded") == "true"
    ratios = driver.execute_script(
        CONTRAST,
        "body, h1, h2, h3, label, legend, .hint, .lead, .pid, dt, dd, li, button, .eligible, .sign",
    )
    low = [(name, round(ratio, 2)) for name, ratio in ratios if ratio < 4.5]
    assert ratios and low == []
