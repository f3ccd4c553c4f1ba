// DOM building for the course cards and explanations. Every text that comes from the API
// (titles, reasons, skills, ids) is set with textContent, never parsed as HTML; the page's
// Content-Security-Policy also requires Trusted Types, so an HTML sink would throw.

/** A new element: `el("p", {class: "hint"}, "text", child)`; strings become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/** The cost a worker pays after aid and sponsorship, in words. */
export function costText(netCost, t) {
  const yuan = Math.round(netCost);
  return yuan <= 0 ? t.free : t.money(yuan.toLocaleString("en-US"));
}

function fact(label, value, name) {
  return el("div", { class: "fact" }, el("dt", {}, label), el("dd", { "data-fact": name }, value));
}

function reasonList(reasons, lang, cls = "reasons") {
  const key = lang === "en" ? "text_en" : "text_zh";
  return el("ul", { class: cls }, ...reasons.map((r) => el("li", { "data-code": r.code }, r[key])));
}

function skillLine(label, skills, cls, t) {
  if (!skills.length) return null;
  return el("p", { class: cls }, el("strong", {}, label), " ", skills.join(t.listSep));
}

function contributions(items, t) {
  const shown = items
    .filter((c) => Math.abs(c.contribution) > 1e-6)
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .slice(0, 6);
  const top = shown.length ? Math.abs(shown[0].contribution) : 1;
  return el(
    "ul",
    { class: "weighed" },
    ...shown.map((c) => {
      const share = Math.abs(c.contribution) / top;
      const strength = t.strength[share > 0.66 ? 2 : share > 0.33 ? 1 : 0];
      const sign = c.contribution > 0 ? t.helps : t.hurts;
      return el(
        "li",
        { class: c.contribution > 0 ? "helps" : "hurts", "data-feature": c.name },
        el("span", { class: "sign" }, `${sign} · ${strength}`),
        " ",
        t.features[c.name] || c.name,
      );
    }),
  );
}

/** The body of a "why this / why not" panel for one explanation. */
export function explanationView(x, t, lang) {
  const status = x.eligible
    ? el("p", { class: "eligible" }, t.eligible)
    : el(
        "div",
        { class: "excluded" },
        el("p", {}, el("strong", {}, t.excluded)),
        reasonList(x.exclusions, lang, "exclusions"),
      );
  const prereq = el("div", { class: "prereq" }, el("p", {}, el("strong", {}, t.prereq)));
  if (!x.matched_skills.length && !x.missing_skills.length)
    prereq.append(el("p", {}, t.prereqNone));
  prereq.append(
    skillLine(t.have, x.matched_skills, "have", t) || "",
    skillLine(t.missing, x.missing_skills, "missing", t) || "",
  );
  const money = [costText(x.net_cost, t)];
  if (x.aid_applied) money.push(t.aidApplied);
  if (x.sponsor) money.push(t.sponsored(x.sponsor));
  return el(
    "div",
    { class: "explained" },
    status,
    el("p", {}, el("strong", {}, t.weighed)),
    contributions(x.contributions, t),
    prereq,
    skillLine(t.gained, x.gained_skills, "gained", t),
    el("p", { class: "net-cost" }, el("strong", {}, t.costLabel), " ", money.join(" ")),
    x.reasons.length ? el("p", {}, el("strong", {}, t.reasons)) : null,
    x.reasons.length ? reasonList(x.reasons, lang) : null,
  );
}

/** One recommendation card; `open` says whether its explanation panel is shown. */
export function card(item, t, lang, open) {
  const { rec, program, explanation } = item;
  const id = rec.program_id;
  const panelId = `why-${id.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const titleId = `title-${panelId}`;
  const panel = el(
    "div",
    { class: "panel", id: panelId, hidden: !open },
    explanationView(explanation, t, lang),
  );
  return el(
    "li",
    { class: "card", "data-program-id": id },
    el(
      "article",
      { "aria-labelledby": titleId },
      el(
        "h3",
        { id: titleId },
        el("span", { class: "rank" }, `${rec.rank}`),
        " ",
        el("span", { class: "title" }, program.title),
      ),
      el("p", { class: "pid" }, t.programId(id)),
      el(
        "dl",
        { class: "facts" },
        fact(t.kind, t.kinds[program.kind] || program.kind, "kind"),
        fact(t.modality, t.modalities[program.modality] || program.modality, "modality"),
        fact(t.schedule, t.schedules[program.schedule] || program.schedule, "schedule"),
        fact(t.cost, costText(explanation.net_cost, t), "cost"),
      ),
      reasonList(rec.reasons, lang),
      el(
        "button",
        {
          type: "button",
          class: "secondary why",
          "aria-expanded": open ? "true" : "false",
          "aria-controls": panelId,
        },
        open ? t.whyHide : t.why,
      ),
      panel,
    ),
  );
}

/** The explanation of a looked-up program, with its title. */
export function lookupView(program, explanation, t, lang) {
  return el(
    "article",
    {
      class: "card lookup-card",
      "data-program-id": program.program_id,
      "aria-labelledby": "lookup-title",
    },
    el("h3", { id: "lookup-title" }, program.title),
    el("p", { class: "pid" }, t.programId(program.program_id)),
    explanationView(explanation, t, lang),
  );
}
