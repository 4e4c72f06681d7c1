// Problems in the IDE page: the picker (GET /api/v1/problems), the statement pane beside the
// editor (GET /api/v1/problems/{id}), the page address that names the problem (?problem=ID),
// and the per-test table of a result judged on tests. app.js holds the state and calls these.
import { VERDICTS, api, decodeOutput, el, formatKb, formatMs } from "./dom.js";
import { renderMarkdown } from "./markdown.js";

/// The problem id the address names (`/?problem=ID`), or "".
export function problemIdFromAddress() {
  return new URLSearchParams(location.search).get("problem") || "";
}

/// The page's own address for `problemId` ("" = a plain IDE): what a teacher links to.
export function addressFor(problemId) {
  return problemId ? `/?problem=${encodeURIComponent(problemId)}` : "/";
}

/// The list of problems, or [] when there are none or the server cannot say.
export async function fetchProblemList() {
  try {
    const body = await api("GET", "/api/v1/problems");
    return Array.isArray(body?.problems) ? body.problems : [];
  } catch {
    return [];
  }
}

/// One problem as a student sees it (hidden tests without their data). Throws an ApiError.
export function fetchProblem(id) {
  return api("GET", `/api/v1/problems/${encodeURIComponent(id)}`);
}

/// Fills the picker: "None" (a plain run) then every problem; `chosen` is selected even when
/// the list lacks it (a link to a problem the list could not load).
export function fillProblemPicker(select, problems, chosen) {
  const options = [el("option", { value: "", text: "None: plain run" })];
  for (const p of problems) options.push(el("option", { value: p.id, text: p.title || p.id }));
  if (chosen && !problems.some((p) => p.id === chosen)) {
    options.push(el("option", { value: chosen, text: chosen }));
  }
  select.replaceChildren(...options);
  select.value = chosen || "";
}

/// The starter code `problem` gives for `language`, or undefined.
export function problemStarter(problem, language) {
  const starters = problem?.starter_code;
  const has = starters && Object.prototype.hasOwnProperty.call(starters, language);
  return has ? starters[language] : undefined;
}

/// Whether `code` is one of `problem`'s starter programs (so replacing it loses nothing).
export function isProblemStarter(problem, code) {
  return Object.values(problem?.starter_code || {}).some((starter) => starter === code);
}

function testCounts(problem) {
  const visible = problem.visible_tests ?? 0;
  const hidden = problem.hidden_tests ?? 0;
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return hidden ? `${plural(visible, "visible test")}, ${hidden} hidden` : plural(visible, "test");
}

/// Shows `problem` (title, Markdown statement, its tests' count) in the pane's elements.
export function showProblem({ pane, title, statement, note }, problem) {
  title.textContent = problem.title || problem.id;
  statement.replaceChildren(renderMarkdown(problem.statement || ""));
  note.textContent = testCounts(problem);
  pane.hidden = false;
}

export function hideProblem({ pane, title, statement, note }) {
  pane.hidden = true;
  title.textContent = "";
  statement.replaceChildren();
  note.textContent = "";
}

// ---------------------------------------------------------------------------------------------
// The test table of a result with `tests` (docs/API.md): one row per test, and under a failed
// visible test its hint, expected and actual output. A hidden test shows its verdict only.

const testName = (test, index) => test.name || `Test ${index + 1}`;
const dash = "\u2014";

function verdictCell(test) {
  const passed = test.verdict === "accepted";
  const verdict = VERDICTS[test.verdict] || { label: test.verdict || "Unknown", kind: "info" };
  // The mark is decoration: the words say pass or fail for screen readers and without colour.
  return el(
    "td",
    { class: "test-verdict" },
    el(
      "span",
      { class: `pill pill-${verdict.kind}`, "data-verdict": test.verdict },
      el("span", { class: "pill-mark", "aria-hidden": "true", text: passed ? "\u2713" : "\u2717" }),
      el("span", { text: passed ? "Passed" : `Failed: ${verdict.label}` }),
    ),
  );
}

function outputBlock(title, label, text, note) {
  const empty = el("span", { class: "empty", text: "(empty)" });
  const body = text === "" ? el("pre", {}, empty) : el("pre", { text });
  const head = el("div", { class: "stream-head" }, el("span", { text: title }));
  if (note) head.append(el("span", { class: "note", text: note }));
  return el("section", { class: "test-output", "aria-label": label }, head, body);
}

// A failed visible test that ran (after a compile error none did) shows what it printed.
const showsOutput = (test) =>
  test.hidden !== true && test.verdict !== "accepted" && test.verdict !== "compile_error";

function detailRow(test, name, encoding, expected) {
  const blocks = el("div", { class: "test-diff" });
  if (expected !== undefined) {
    blocks.append(outputBlock("Expected", `Expected output of ${name}`, expected));
  }
  const actual = decodeOutput(test.stdout, encoding);
  const note = test.stdout_truncated ? "truncated" : "";
  blocks.append(outputBlock("Actual", `Actual output of ${name}`, actual, note));
  const hint = test.hint ? el("p", { class: "test-hint", text: test.hint }) : null;
  return el("tr", { class: "test-detail" }, el("td", { colspan: 4 }, hint, blocks));
}

function testRow(test, name) {
  const hidden = test.hidden === true;
  const tag = hidden ? el("span", { class: "tag", text: "hidden" }) : null;
  const passed = test.verdict === "accepted";
  return el(
    "tr",
    { class: `test-row ${passed ? "test-passed" : "test-failed"}`, "data-test": name },
    el("th", { scope: "row" }, name, tag ? " " : null, tag),
    verdictCell(test),
    el("td", { text: hidden ? dash : formatMs(test.time_ms) ?? dash }),
    el("td", { text: hidden ? dash : formatKb(test.memory_kb) ?? dash }),
  );
}

/// The table for `result.tests`; `expected[i]` is test i's expected output when known.
export function testTable(result, expected = []) {
  const tests = result.tests;
  const passed = result.summary?.passed ?? tests.filter((t) => t.verdict === "accepted").length;
  const total = result.summary?.total ?? tests.length;
  const columns = ["Test", "Verdict", "Time", "Memory"];
  const head = el("tr", {}, ...columns.map((h) => el("th", { scope: "col", text: h })));
  const body = el("tbody");
  tests.forEach((test, i) => {
    const name = testName(test, i);
    body.append(testRow(test, name));
    if (showsOutput(test)) body.append(detailRow(test, name, result.encoding, expected[i]));
  });
  const summary = `${passed}/${total} tests passed`;
  const outcome = passed === total ? "all-passed" : "some-failed";
  return el(
    "section",
    { class: "tests", "aria-label": "Tests" },
    el("p", { class: `test-summary ${outcome}`, text: summary }),
    el("table", { class: "test-table", "aria-label": summary }, el("thead", {}, head), body),
  );
}

/// Whether a visible test failed: then its expected output is worth asking the server for.
export function needsExpected(result) {
  return Array.isArray(result.tests) && result.tests.some(showsOutput);
}

/// The expected outputs of submission `id`'s tests, in judged order (the owner's view keeps
/// the tests it was judged on; hidden ones come without data). [] when it cannot be read.
export async function fetchExpected(id) {
  try {
    const submission = await api("GET", `/api/v1/submissions/${encodeURIComponent(id)}`);
    return (submission.tests || []).map((t) => t.expected_stdout);
  } catch {
    return [];
  }
}
