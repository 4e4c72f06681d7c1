// The teacher's view (`/?teacher`, or `/?teacher=CLASS_ID` for an admin): a class's submissions
// newest first with student and problem, filters and paging; per-problem pass rates; one
// submission's code and test table; the scores as CSV. It reads the token of the Class control:
// the class's owner token shows that class, an admin token a picker of every class.
import { VERDICTS, api, apiDownload, describeError, el } from "./dom.js";
import { fetchExpected, testTable } from "./problems.js";

const kPageSize = 50;

const $ = (id) => document.getElementById(id);
const els = {
  view: $("teacher"),
  classField: $("teacher-class-field"),
  classPicker: $("teacher-class"),
  download: $("download-scores"),
  message: $("teacher-message"),
  body: $("teacher-body"),
  className: $("teacher-class-name"),
  rates: $("rates-body"),
  reportNote: $("report-note"),
  problemFilter: $("filter-problem"),
  studentFilter: $("filter-student"),
  submissions: $("submissions-body"),
  more: $("more-submissions"),
  detail: $("submission-detail"),
  detailTitle: $("submission-title"),
  detailBody: $("submission-body"),
};

const view = {
  classId: "",
  className: "",
  next: null,       // the cursor of the next (older) page, null on the last
  listToken: 0,     // bumps on every new list so a slower, older page is dropped
  detailToken: 0,
  problems: new Map(),  // problem id -> title, from the report
};

/// Whether the address asks for the teacher's view.
export function isTeacherAddress() {
  return new URLSearchParams(location.search).has("teacher");
}

const classPath = (suffix = "") => `/api/v1/classes/${encodeURIComponent(view.classId)}${suffix}`;

function say(text, kind = "info") {
  els.message.textContent = text;
  els.message.className = `message message-${kind}`;
  els.message.hidden = text === "";
}

function percent(rate) {
  return `${Math.round((rate ?? 0) * 100)}%`;
}

function formatTime(rfc3339) {
  const when = new Date(rfc3339);
  if (Number.isNaN(when.getTime())) return rfc3339 || "";
  return when.toLocaleString([], { dateStyle: "short", timeStyle: "medium" });
}

function table(label, columns, rows) {
  const head = el("tr", {}, ...columns.map((c) => el("th", { scope: "col", text: c })));
  return el("table", { class: "teacher-table", "aria-label": label },
    el("thead", {}, head), el("tbody", {}, ...rows));
}

// ---------------------------------------------------------------------------------------------
// The report: pass rates per problem, and the problems and students the filters offer.

function rateRow(p) {
  return el("tr", { "data-problem": p.problem_id },
    el("th", { scope: "row", text: p.title || p.problem_id }),
    el("td", { text: String(p.submissions) }),
    el("td", { text: String(p.students) }),
    el("td", { text: String(p.students_solved) }),
    el("td", { class: "pass-rate", text: percent(p.pass_rate) }));
}

function fillFilter(select, entries, allText) {
  const keep = select.value;
  const options = [el("option", { value: "", text: allText })];
  for (const [value, text] of entries) options.push(el("option", { value, text }));
  select.replaceChildren(...options);
  select.value = entries.some(([value]) => value === keep) ? keep : "";
}

function showReport(report) {
  const problems = report.problems || [];
  view.problems = new Map(problems.map((p) => [p.problem_id, p.title || p.problem_id]));
  const columns = ["Problem", "Submissions", "Students", "Solved by", "Pass rate"];
  els.rates.replaceChildren(problems.length
    ? table("Pass rates", columns, problems.map(rateRow))
    : el("p", { class: "hint", text: "No submissions to a problem yet." }));
  els.reportNote.textContent = report.truncated
    ? `from the newest ${report.submissions} submissions` : `${report.submissions} submissions`;
  const students = [...new Set((report.scores || []).map((s) => s.student).filter(Boolean))];
  fillFilter(els.problemFilter, [...view.problems], "All problems");
  fillFilter(els.studentFilter, students.sort().map((s) => [s, s]), "All students");
}

async function loadReport() {
  try {
    showReport(await api("GET", classPath("/report")));
  } catch (err) {
    els.rates.replaceChildren(el("p", { class: "message message-error",
      text: `Could not load the report: ${describeError(err)}` }));
  }
}

// ---------------------------------------------------------------------------------------------
// Submissions, newest first, a page at a time.

function verdictPill(s) {
  if (s.status !== "done") return el("span", { class: "pill pill-info", text: s.status });
  const known = VERDICTS[s.solved ? "accepted" : s.verdict];
  const verdict = known || { label: s.verdict || "Unknown", kind: "info" };
  return el("span", { class: `pill pill-${verdict.kind}`, "data-verdict": s.verdict || "",
    text: verdict.label });
}

function submissionRow(s) {
  const open = el("button", { type: "button", class: "link-button",
    "aria-label": `Open the submission of ${s.student || "no name"} at ${formatTime(s.created_at)}`,
    text: formatTime(s.created_at) });
  open.addEventListener("click", () => openSubmission(s));
  const tests = s.total ? `${s.passed}/${s.total}` : "\u2014";
  const problem = s.problem_id ? view.problems.get(s.problem_id) || s.problem_id : "(plain run)";
  return el("tr", { class: "submission-row", "data-id": s.id },
    el("td", {}, open),
    el("td", { class: "student", text: s.student || "\u2014" }),
    el("td", { text: problem }),
    el("td", { text: s.language }),
    el("td", {}, verdictPill(s)),
    el("td", { class: "tests-count", text: tests }));
}

function submissionsQuery(after) {
  const query = new URLSearchParams({ limit: String(kPageSize) });
  if (els.problemFilter.value) query.set("problem", els.problemFilter.value);
  if (els.studentFilter.value) query.set("student", els.studentFilter.value);
  if (after) query.set("after", after);
  return classPath(`/submissions?${query}`);
}

// The first page (`after` null) replaces the table; a later one adds its rows below.
async function loadSubmissions(after = null) {
  const token = after ? view.listToken : ++view.listToken;
  els.more.disabled = true;
  let page;
  try {
    page = await api("GET", submissionsQuery(after));
  } catch (err) {
    if (token !== view.listToken) return;
    els.submissions.replaceChildren(el("p", { class: "message message-error",
      text: `Could not load the submissions: ${describeError(err)}` }));
    els.more.hidden = true;
    return;
  }
  if (token !== view.listToken) return;
  const rows = (page.submissions || []).map(submissionRow);
  const body = els.submissions.querySelector("tbody");
  if (after && body) {
    body.append(...rows);
  } else {
    const columns = ["Time", "Student", "Problem", "Language", "Verdict", "Tests"];
    els.submissions.replaceChildren(rows.length
      ? table("Submissions", columns, rows)
      : el("p", { class: "hint", text: "No submissions match." }));
  }
  view.next = page.next || null;
  els.more.hidden = view.next === null;
  els.more.disabled = false;
}

// ---------------------------------------------------------------------------------------------
// One submission: its code and its test table (or its output, for a plain run).

function codeBlock(submission) {
  return el("section", { class: "stream", "aria-label": "Code" },
    el("div", { class: "stream-head" }, el("span", { text: `Code (${submission.language})` })),
    el("pre", { class: "submission-code", text: submission.code || "" }));
}

function resultPart(result, expected) {
  if (result.status !== "done") return el("p", { class: "hint", text: `Still ${result.status}.` });
  if (Array.isArray(result.tests) && result.tests.length) return testTable(result, expected);
  const known = VERDICTS[result.verdict] || { label: result.verdict, kind: "info" };
  return el("p", {}, el("span", { class: `badge badge-${known.kind}`, text: known.label }));
}

async function openSubmission(summary) {
  const token = ++view.detailToken;
  const id = encodeURIComponent(summary.id);
  els.detail.hidden = false;
  for (const row of els.submissions.querySelectorAll("tr.submission-row")) {
    row.classList.toggle("open", row.dataset.id === summary.id);
  }
  els.detailTitle.textContent = `${summary.student || "No name"}, ${formatTime(summary.created_at)}`;
  els.detailBody.replaceChildren(el("p", { class: "hint", text: "Loading\u2026" }));
  try {
    const [submission, result, expected] = await Promise.all([
      api("GET", `/api/v1/submissions/${id}`),
      api("GET", `/api/v1/submissions/${id}/result`),
      fetchExpected(summary.id),
    ]);
    if (token !== view.detailToken) return;
    els.detailBody.replaceChildren(resultPart(result, expected), codeBlock(submission));
  } catch (err) {
    if (token !== view.detailToken) return;
    els.detailBody.replaceChildren(el("p", { class: "message message-error",
      text: `Could not open the submission: ${describeError(err)}` }));
  }
  els.detail.scrollIntoView({ block: "nearest" });
}

// ---------------------------------------------------------------------------------------------
// Choosing the class, and the CSV.

function showClass(cls) {
  view.classId = cls.id;
  view.className = cls.name;
  els.className.textContent = cls.name;
  els.body.hidden = false;
  els.detail.hidden = true;
  els.download.disabled = false;
  say("");
  loadReport().then(() => loadSubmissions());
}

async function pickFromAll() {
  let classes;
  try {
    classes = (await api("GET", "/api/v1/classes")).classes || [];
  } catch (err) {
    say(`Could not list the classes: ${describeError(err)}`, "error");
    return;
  }
  if (classes.length === 0) {
    say("There are no classes yet. Make one with POST /api/v1/classes or `ide token create`.");
    return;
  }
  const wanted = new URLSearchParams(location.search).get("teacher");
  els.classPicker.replaceChildren(...classes.map((c) => el("option", { value: c.id, text: c.name })));
  els.classField.hidden = false;
  const chosen = classes.find((c) => c.id === wanted) || classes[classes.length - 1];
  els.classPicker.value = chosen.id;
  els.classPicker.onchange = () => {
    const cls = classes.find((c) => c.id === els.classPicker.value);
    history.replaceState(null, "", `/?teacher=${encodeURIComponent(cls.id)}`);
    showClass(cls);
  };
  showClass(chosen);
}

async function downloadScores() {
  els.download.disabled = true;
  try {
    const name = `scores-${view.className.replace(/[^A-Za-z0-9_-]+/g, "_") || view.classId}.csv`;
    const file = await apiDownload(classPath("/scores.csv"), name);
    const url = URL.createObjectURL(file.blob);
    const link = el("a", { href: url, download: file.name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) {
    say(`Could not download the scores: ${describeError(err)}`, "error");
  } finally {
    els.download.disabled = false;
  }
}

/// Shows the view for `who` (the Class control's identity); called again when it changes.
export function showTeacherView(who) {
  ++view.listToken;
  els.body.hidden = true;
  els.classField.hidden = true;
  els.download.disabled = true;
  if (who?.role === "owner" && who.class) showClass(who.class);
  else if (who?.role === "admin") pickFromAll();
  else if (who?.invalid) say("The server refused this token (401). Fix it under Class.", "error");
  else if (who?.failed) say(`Could not check the token: ${who.failed}`, "error");
  else {
    say("The teacher's view needs your class's owner token (ide_own_\u2026) or an admin " +
      "token: enter it under Class, top right.");
  }
}

/// Turns the page into the teacher's view; the IDE's own parts stay hidden.
export function initTeacher() {
  document.body.classList.add("teacher-mode");
  document.title = "ide: teacher's view";
  els.view.hidden = false;
  els.download.addEventListener("click", downloadScores);
  els.more.addEventListener("click", () => loadSubmissions(view.next));
  els.problemFilter.addEventListener("change", () => loadSubmissions());
  els.studentFilter.addEventListener("change", () => loadSubmissions());
  say("Checking your token\u2026");
}
