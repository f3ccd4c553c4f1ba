// The course-finder page: a worker's profile in, the top-k programs and their explanations
// out, through the public /v1 API. Everything the page shows is kept in `state` and drawn
// again from it when the language changes; nothing is stored in the browser.

import { ApiError, explain, program, recommend } from "./api.js";
import { TEXT, fieldMessage } from "./i18n.js";
import { card, el, lookupView } from "./render.js";

const K = 5;
const WORKER_ID = "page-visitor";
const FIELDS = [
  "occupation",
  "education",
  "region",
  "weekly_hours",
  "shift_pattern",
  "preferred_modality",
  "goal",
  "migrant",
];
const SELECTS = ["education", "region", "shift_pattern", "preferred_modality"];

const state = {
  lang: "zh",
  skills: [], // {text, level}
  errors: [], // 422 details of the last profile request
  notice: null, // {kind: "apiKey" | "failed" | "offline", code}
  result: null, // {model, items: [{rec, program, explanation}]}
  open: new Set(), // program ids whose explanation panel is open
  lookup: null, // {program, explanation} or {error: "unknown" | ...}
  busy: 0,
  requests: new Map(), // task -> AbortController of its request in flight
};

const $ = (id) => document.getElementById(id);
const t = () => TEXT[state.lang];

function fillSelect(select, entries, placeholder) {
  const value = select.value;
  select.replaceChildren(
    ...(placeholder === null ? [] : [el("option", { value: "" }, placeholder)]),
  );
  for (const [code, label] of entries) select.append(el("option", { value: code }, label));
  select.value = value;
  if (select.selectedIndex < 0) select.selectedIndex = 0;
}

function drawStatic() {
  const words = t();
  document.documentElement.lang = words.htmlLang;
  document.title = words.docTitle;
  for (const node of document.querySelectorAll("[data-i18n]"))
    node.textContent = words[node.dataset.i18n];
  const lang = $("lang");
  lang.textContent = words.switchTo;
  lang.setAttribute("lang", words.switchLang);
  for (const name of SELECTS) {
    const options = Object.entries(words.options[name]);
    fillSelect($(`f-${name}`), options, name === "preferred_modality" ? null : words.choose);
  }
  const levels = words.levels.map((label, i) => [String(i + 1), label]);
  fillSelect($("skill-level"), levels, words.levelNone);
  $("f-occupation").placeholder = words.occupationHint;
}

function drawSkills() {
  const words = t();
  const list = $("skill-list");
  if (!state.skills.length) {
    list.replaceChildren(el("li", { class: "empty" }, words.noSkills));
    return;
  }
  list.replaceChildren(
    ...state.skills.map((skill, i) =>
      el(
        "li",
        { class: "skill", "data-index": i },
        el("span", { class: "skill-text" }, skill.text),
        skill.level ? el("span", { class: "skill-level" }, words.level(skill.level)) : null,
        el(
          "button",
          {
            type: "button",
            class: "link remove",
            "data-index": i,
            "aria-label": words.remove(skill.text),
          },
          words.removeText,
        ),
        el("p", { class: "error", id: `err-skill-${i}`, hidden: true }),
      ),
    ),
  );
}

function errorSlot(field) {
  const path = field.split(".");
  if (path[0] !== "worker") return null;
  if (path[1] === "skills") {
    const item = path.length > 2 ? $(`err-skill-${path[2]}`) : null;
    return { slot: item || $("err-skills"), control: $("skill-text") };
  }
  if (FIELDS.includes(path[1])) return { slot: $(`err-${path[1]}`), control: $(`f-${path[1]}`) };
  return null;
}

function drawErrors() {
  for (const node of document.querySelectorAll("#profile .error")) {
    node.hidden = true;
    node.textContent = "";
  }
  for (const node of document.querySelectorAll("#profile [aria-invalid]"))
    node.removeAttribute("aria-invalid");
  const unplaced = [];
  for (const detail of state.errors) {
    const place = errorSlot(detail.field);
    if (!place) {
      unplaced.push(detail);
      continue;
    }
    const text = fieldMessage(detail, state.lang);
    place.slot.textContent = place.slot.hidden ? text : `${place.slot.textContent} ${text}`;
    place.slot.hidden = false;
    place.control.setAttribute("aria-invalid", "true");
  }
  const summary = $("form-summary");
  summary.hidden = !state.errors.length;
  const extra = unplaced.map((d) => `${d.field}: ${fieldMessage(d, state.lang)}`).join(" ");
  summary.textContent = state.errors.length
    ? `${t().fixFields(state.errors.length)} ${extra}`.trim()
    : "";
}

function drawNotice() {
  const notice = $("notice");
  const n = state.notice;
  notice.hidden = !n;
  notice.textContent = !n
    ? ""
    : n.kind === "apiKey"
      ? t().apiKey
      : n.kind === "offline"
        ? t().offline
        : t().failed(n.code);
}

function drawResults() {
  const section = $("results");
  section.setAttribute("aria-busy", state.busy ? "true" : "false");
  if (!state.result) {
    section.hidden = true;
    return;
  }
  const words = t();
  const items = state.result.items;
  section.hidden = false;
  $("results-intro").textContent = items.length
    ? words.resultsIntro(items.length)
    : words.resultsEmpty;
  $("cards").replaceChildren(
    ...items.map((item) => card(item, words, state.lang, state.open.has(item.rec.program_id))),
  );
}

function drawLookup() {
  const box = $("lookup-result");
  const err = $("err-lookup");
  const found = state.lookup;
  err.hidden = !(found && found.error);
  err.textContent =
    found && found.error
      ? found.error === "unknown"
        ? t().unknownProgram
        : fieldMessage(found.error, state.lang)
      : "";
  if (found && found.error) $("lookup-id").setAttribute("aria-invalid", "true");
  else $("lookup-id").removeAttribute("aria-invalid");
  box.replaceChildren(
    found && found.program ? lookupView(found.program, found.explanation, t(), state.lang) : "",
  );
}

function drawBusy() {
  $("busy").textContent = state.busy ? t().busy : "";
  $("busy").classList.toggle("on", Boolean(state.busy));
  $("results").setAttribute("aria-busy", state.busy ? "true" : "false");
}

function drawAll() {
  drawStatic();
  drawSkills();
  drawErrors();
  drawNotice();
  drawResults();
  drawLookup();
  drawBusy();
}

function readWorker() {
  const worker = {
    worker_id: WORKER_ID,
    skills: state.skills.map((s) =>
      s.level ? { text: s.text, level: s.level } : { text: s.text },
    ),
  };
  worker.occupation = $("f-occupation").value;
  for (const name of SELECTS) worker[name] = $(`f-${name}`).value;
  const hours = $("f-weekly_hours").value.trim();
  if (hours !== "") worker.weekly_hours = Number.isNaN(Number(hours)) ? hours : Number(hours);
  const goal = $("f-goal").value.trim();
  if (goal) worker.goal = goal;
  worker.migrant = $("f-migrant").checked;
  return worker;
}

function addSkill() {
  const input = $("skill-text");
  const text = input.value.trim();
  if (!text) {
    input.focus();
    return;
  }
  const level = $("skill-level").value;
  state.skills.push({ text, level: level ? Number(level) : null });
  input.value = "";
  $("skill-level").value = "";
  drawSkills();
  drawErrors();
  input.focus();
}

async function detailed(model, worker, rec, signal) {
  const [prog, answer] = await Promise.all([
    program(model, rec.program_id, signal),
    explain(worker, rec.program_id, signal),
  ]);
  return { rec, program: prog, explanation: answer.explanation };
}

function failed(error) {
  if (error instanceof ApiError && error.status === 401) return { kind: "apiKey" };
  if (error instanceof ApiError) return { kind: "failed", code: error.status };
  return { kind: "offline" };
}

// Runs `task` without blocking the page; a new run of the same task cancels the one in flight.
async function run(task) {
  if (state.requests.has(task)) state.requests.get(task).abort();
  const controller = new AbortController();
  state.requests.set(task, controller);
  state.busy += 1;
  drawBusy();
  try {
    await task(controller.signal);
  } catch (error) {
    if (error.name === "AbortError") return;
    state.notice = failed(error);
    drawNotice();
    if (!(error instanceof ApiError)) throw error; // a network failure, or a bug: keep it seen
  } finally {
    state.busy -= 1;
    if (state.requests.get(task) === controller) state.requests.delete(task);
    drawBusy();
  }
}

async function findCourses(signal) {
  const worker = readWorker();
  state.notice = null;
  drawNotice();
  try {
    const answer = await recommend(worker, K, signal);
    const items = await Promise.all(
      answer.recommendations.map((rec) => detailed(answer.model, worker, rec, signal)),
    );
    state.errors = [];
    state.open.clear();
    state.result = { model: answer.model, items };
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 422)) throw error;
    state.errors = error.details.length
      ? error.details
      : [{ field: error.field || "body", message: error.message, type: "other" }];
    drawErrors();
    const first = document.querySelector("#profile [aria-invalid]");
    (first || $("form-summary")).focus();
    return;
  }
  drawErrors();
  drawResults();
}

async function lookUp(signal) {
  const id = $("lookup-id").value.trim();
  const worker = readWorker();
  state.notice = null;
  drawNotice();
  try {
    const answer = await explain(worker, id, signal);
    const prog = await program(answer.model, id, signal);
    state.lookup = { program: prog, explanation: answer.explanation };
  } catch (error) {
    if (!(error instanceof ApiError) || ![404, 422].includes(error.status)) throw error;
    const detail = error.details.find((d) => d.field === "program_id");
    if (error.status === 422 && !detail) {
      state.errors = error.details;
      drawErrors();
      return;
    }
    state.lookup = { error: detail || "unknown" };
  }
  drawLookup();
}

function toggleWhy(button) {
  const id = button.closest(".card").dataset.programId;
  const panel = $(button.getAttribute("aria-controls"));
  const open = button.getAttribute("aria-expanded") !== "true";
  if (open) state.open.add(id);
  else state.open.delete(id);
  button.setAttribute("aria-expanded", open ? "true" : "false");
  button.textContent = open ? t().whyHide : t().why;
  panel.hidden = !open;
}

function wire() {
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    drawAll();
  });
  $("skill-add").addEventListener("click", addSkill);
  $("skill-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.isComposing) {
      event.preventDefault();
      addSkill();
    }
  });
  $("skill-list").addEventListener("click", (event) => {
    const button = event.target.closest("button.remove");
    if (!button) return;
    state.skills.splice(Number(button.dataset.index), 1);
    state.errors = [];
    drawSkills();
    drawErrors();
    $("skill-text").focus();
  });
  $("profile").addEventListener("submit", (event) => {
    event.preventDefault();
    if ($("skill-text").value.trim()) addSkill();
    run(findCourses);
  });
  $("cards").addEventListener("click", (event) => {
    const button = event.target.closest("button.why");
    if (button) toggleWhy(button);
  });
  $("lookup-form").addEventListener("submit", (event) => {
    event.preventDefault();
    run(lookUp);
  });
}

wire();
drawAll();
document.body.classList.add("ready");
