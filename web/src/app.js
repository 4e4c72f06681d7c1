// The IDE page's logic, with no dependencies: with only this script the page works on a plain
// textarea editor. main.js (CodeMirror) upgrades the editor through window.ide.upgradeEditor.
import {
  ApiError,
  VERDICTS,
  api,
  decodeOutput,
  describeError,
  el,
  formatKb,
  formatMs,
  store,
} from "./dom.js";
import {
  addressFor,
  fetchExpected,
  fetchProblem,
  fetchProblemList,
  fillProblemPicker,
  hideProblem,
  isProblemStarter,
  needsExpected,
  problemIdFromAddress,
  problemStarter,
  showProblem,
  testTable,
} from "./problems.js";
import { STARTERS, STARTER_INPUT, isStarterOrEmpty } from "./starters.js";
import { initClass, onIdentity, studentLabel } from "./class.js";
import { initTeacher, isTeacherAddress, showTeacherView } from "./teacher.js";

const kWaitMs = 25000;            // long-poll window per request (the server allows up to 30000)
const kTickMs = 200;              // how often the elapsed time on screen is refreshed
const kSharePollMs = 2000;        // a shared run that has not finished: look again this often...
const kSharePollTries = 60;       // ...for at most two minutes
const kStoreKeys = { language: "ide.language", code: "ide.code", stdin: "ide.stdin" };

const SIGNALS = {
  1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
  8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
  24: "SIGXCPU", 25: "SIGXFSZ", 31: "SIGSYS",
};

const $ = (id) => document.getElementById(id);
const els = {
  language: $("language"),
  run: $("run"),
  share: $("share"),
  shareBox: $("share-box"),
  shareLink: $("share-link"),
  copyLink: $("copy-link"),
  codeLabel: $("code-heading"),
  fileName: $("file-name"),
  editorHost: $("editor"),
  stdin: $("stdin"),
  interactive: $("interactive"),
  status: $("status"),
  output: $("output-body"),
  workspace: $("workspace"),
  inputPane: $("input-pane"),
  problemField: $("problem-field"),
  problem: $("problem"),
  problemPane: {
    pane: $("problem-pane"),
    title: $("problem-title"),
    statement: $("problem-statement"),
    note: $("problem-note"),
  },
};

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent || "");
const kShortcut = isMac ? "⌘ Enter" : "Ctrl+Enter";

// ---------------------------------------------------------------------------------------------
// The plain editor: a textarea with a line-number gutter, Tab indenting and auto-indent on Enter.
// It is the editor until main.js loads, and stays the editor if main.js never does.

function indentUnitFor(language) {
  return language === "go" ? "\t" : "    ";
}

function createPlainEditor(host, onChange) {
  const textarea = host.querySelector("textarea");
  const gutter = host.querySelector(".gutter");
  let language = "";
  let lineCount = 0;
  let escaped = false;  // Escape then Tab leaves the editor, so the keyboard never gets trapped

  const renderGutter = () => {
    const lines = textarea.value.split("\n").length;
    if (lines !== lineCount) {
      lineCount = lines;
      let text = "";
      for (let i = 1; i <= lines; i++) text += i === 1 ? "1" : `\n${i}`;
      gutter.textContent = text;
    }
    gutter.scrollTop = textarea.scrollTop;
  };

  // execCommand keeps the browser's undo history; setRangeText is the fallback without it.
  const insertText = (text) => {
    if (!document.execCommand("insertText", false, text)) {
      textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
  };

  const indentSelection = (dedent) => {
    const unit = indentUnitFor(language);
    const { value, selectionStart, selectionEnd } = textarea;
    const start = value.lastIndexOf("\n", selectionStart - 1) + 1;
    let end = selectionEnd;
    if (end > selectionStart && value[end - 1] === "\n") end -= 1;
    const block = value.slice(start, end);
    const changed = block
      .split("\n")
      .map((line) => {
        if (!dedent) return unit + line;
        if (line.startsWith("\t")) return line.slice(1);
        return line.replace(/^ {1,4}/, "");
      })
      .join("\n");
    textarea.setSelectionRange(start, end);
    insertText(changed);
    textarea.setSelectionRange(start, start + changed.length);
  };

  textarea.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      escaped = true;
      return;
    }
    const plain = !e.ctrlKey && !e.metaKey && !e.altKey;
    if (e.key === "Tab" && plain) {
      if (escaped) {
        escaped = false;
        return;
      }
      e.preventDefault();
      const { selectionStart, selectionEnd, value } = textarea;
      const multiLine = value.slice(selectionStart, selectionEnd).includes("\n");
      if (e.shiftKey || multiLine) indentSelection(e.shiftKey);
      else insertText(indentUnitFor(language));
    } else if (e.key === "Enter" && plain && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      const { value, selectionStart } = textarea;
      const lineStart = value.lastIndexOf("\n", selectionStart - 1) + 1;
      const line = value.slice(lineStart, selectionStart);
      let indent = line.match(/^[ \t]*/)[0];
      if (/[:{([]\s*$/.test(line)) indent += indentUnitFor(language);
      insertText(`\n${indent}`);
    }
    escaped = false;
  });
  textarea.addEventListener("input", () => {
    renderGutter();
    onChange();
  });
  textarea.addEventListener("scroll", () => {
    gutter.scrollTop = textarea.scrollTop;
  });

  renderGutter();
  return {
    kind: "plain",
    getValue: () => textarea.value,
    setValue(text) {
      textarea.value = text;
      renderGutter();
    },
    setLanguage(id) {
      language = id;
    },
    focus: () => textarea.focus(),
    destroy: () => host.replaceChildren(),
  };
}

// ---------------------------------------------------------------------------------------------
// State

const slugMatch = /^\/s\/([A-Za-z0-9_-]+)\/?$/.exec(location.pathname);
const state = {
  languages: [],          // from GET /api/v1/languages
  language: "",
  sharedSlug: slugMatch ? slugMatch[1] : null,  // this page shows that share, unchanged so far
  last: null,             // {id, language, code, stdin, problemId} of the newest submission here
  problem: null,          // the chosen problem (GET /api/v1/problems/{id}), null: plain runs
  problemToken: 0,        // bumps on every pick so a slower, older fetch is ignored
  busy: false,            // a submission is being sent or followed
  runToken: 0,            // bumps on every run so an older follow loop stops
  timer: 0,
};

let editor = createPlainEditor(els.editorHost, onCodeChange);
let saveTimer = 0;

function snapshot() {
  return {
    language: els.language.value,
    code: editor.getValue(),
    stdin: els.stdin.value,
    problemId: state.problem?.id || "",
  };
}

function sameAs(a, b) {
  return a && b && a.language === b.language && a.code === b.code && a.stdin === b.stdin &&
    a.problemId === b.problemId;
}

// A submission to a problem is judged on its tests: they are its input, so no stdin is sent.
// With a class token the submit also says which student of the class sends it.
function submissionBody(snap, interactive) {
  const { language, code, stdin, problemId } = snap;
  const student = studentLabel();
  const who = student ? { student } : {};
  if (problemId) return { language, code, problem_id: problemId, ...who };
  return interactive ? { language, code, stdin, interactive, ...who } : { language, code, stdin, ...who };
}

function saveDraftSoon() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveDraft, 300);
}

function saveDraft() {
  clearTimeout(saveTimer);
  const snap = snapshot();
  if (snap.language) store.set(kStoreKeys.language, snap.language);
  store.set(kStoreKeys.code, snap.code);
  store.set(kStoreKeys.stdin, snap.stdin);
}

function onCodeChange() {
  saveDraftSoon();
}

function updateButtons() {
  els.run.disabled = state.busy || !els.language.value;
  els.run.setAttribute("aria-busy", state.busy ? "true" : "false");
  els.share.disabled = !els.language.value;
}

function languageInfo(id) {
  return state.languages.find((l) => l.id === id);
}

function setLanguage(id) {
  state.language = id;
  els.language.value = id;
  editor.setLanguage(id);
  const info = languageInfo(id);
  els.fileName.textContent = info ? [info.name, info.version].filter(Boolean).join(" ") : id;
  updateButtons();
}

// ---------------------------------------------------------------------------------------------
// Output pane

function setStatus(text) {
  els.status.textContent = text;
}

function showMessage(text, kind = "error") {
  els.output.replaceChildren(el("p", { class: `message message-${kind}`, text }));
}

function showProgress(phase, startedAt) {
  const label = phase === "running" ? "Running" : phase === "queued" ? "In queue" : "Sending";
  setStatus(label);
  let box = els.output.querySelector(".progress");
  if (!box) {
    box = el(
      "div",
      { class: "progress" },
      el("span", { class: "spinner", "aria-hidden": "true" }),
      el("span", { class: "phase" }),
      el("span", { class: "elapsed", "aria-hidden": "true" }),
    );
    els.output.replaceChildren(box);
  }
  box.querySelector(".phase").textContent = label;
  box.dataset.phase = phase;
  const tick = () => {
    const elapsed = box.querySelector(".elapsed");
    if (elapsed) elapsed.textContent = `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
  };
  tick();
  clearInterval(state.timer);
  state.timer = setInterval(tick, kTickMs);
}

function stopProgress() {
  clearInterval(state.timer);
  state.timer = 0;
}

function streamBlock(name, title, text, truncated, emptyText) {
  const body =
    text === ""
      ? el("pre", {}, el("span", { class: "empty", text: emptyText }))
      : el("pre", { text });
  return el(
    "section",
    { class: `stream stream-${name}`, "aria-label": title },
    el(
      "div",
      { class: "stream-head" },
      el("span", { text: title }),
      truncated ? el("span", { class: "note", text: "truncated at the output limit" }) : null,
    ),
    body,
  );
}

function outputsAsText(result) {
  const text = (field) => decodeOutput(result[field], result.encoding);
  return { stdout: text("stdout"), stderr: text("stderr"), compileOutput: text("compile_output") };
}

function resultMeta(result) {
  const meta = [];
  const add = (label, value) => {
    if (value !== null && value !== undefined && value !== "") meta.push(el("span", {}, `${label} `, el("b", { text: value })));
  };
  if (result.verdict !== "compile_error") {
    if (result.signal) {
      const name = SIGNALS[result.signal];
      add("signal", name ? `${result.signal} (${name})` : String(result.signal));
    } else if (result.exit_code !== null && result.exit_code !== undefined) {
      add("exit code", String(result.exit_code));
    }
    add("cpu", formatMs(result.time_ms));
    add("wall", formatMs(result.wall_ms));
    add("memory", formatKb(result.memory_kb));
  }
  return meta;
}

// A result judged on tests (a problem's) adds the test table; its stdout is in the table then,
// test by test. `expected[i]` is test i's expected output, when known.
function renderResult(result, { prefix = [], expected = [] } = {}) {
  stopProgress();
  const judged = Array.isArray(result.tests) && result.tests.length > 0;
  const known = VERDICTS[judged && result.verdict === "ok" ? "accepted" : result.verdict];
  const verdict = known || { label: result.verdict || "Unknown", kind: "info" };
  const parts = [
    ...prefix,
    el(
      "div",
      { class: "verdict-line" },
      el("span", { class: `badge badge-${verdict.kind}`, "data-verdict": result.verdict, text: verdict.label }),
      el("span", { class: "meta" }, ...resultMeta(result)),
    ),
  ];
  if (judged) parts.push(testTable(result, expected));
  const { stdout, stderr, compileOutput } = outputsAsText(result);
  if (result.verdict === "compile_error" || compileOutput !== "") {
    const title = result.verdict === "compile_error" ? "Compiler output" : "Compiler messages";
    parts.push(streamBlock("compile", title, compileOutput, false, "(the compiler printed nothing)"));
  }
  if (result.verdict !== "compile_error") {
    const truncated = result.truncated || {};
    if (!judged) {
      parts.push(streamBlock("stdout", "stdout", stdout, truncated.stdout, "(no output)"));
    }
    if (stderr !== "" || truncated.stderr) {
      parts.push(streamBlock("stderr", "stderr", stderr, truncated.stderr, ""));
    }
  }
  els.output.replaceChildren(...parts);
  setStatus(resultStatus(result, verdict, judged));
}

function resultStatus(result, verdict, judged) {
  if (judged) {
    const { passed, total } = result.summary || {};
    return `${verdict.label}: ${passed ?? "?"}/${total ?? result.tests.length} tests passed`;
  }
  const took = result.wall_ms !== null && result.wall_ms !== undefined ? ` in ${formatMs(result.wall_ms)}` : "";
  return `${verdict.label}${result.verdict === "compile_error" ? "" : took}`;
}

// The finished result of run `token`; a failed visible test's expected output comes from the
// submission's own copy of its tests, so it is asked for and the table drawn again with it.
function showResult(id, token, result) {
  renderResult(result);
  if (!needsExpected(result)) return;
  fetchExpected(id).then((expected) => {
    if (token === state.runToken && expected.length > 0) renderResult(result, { expected });
  });
}

// ---------------------------------------------------------------------------------------------
// Running: POST the submission, then long-poll its result until it is done.

async function startRun() {
  if (state.busy) return null;
  const snap = snapshot();
  if (!snap.language) return null;
  saveDraft();
  state.busy = true;
  const token = ++state.runToken;
  updateButtons();
  hideShareLink();
  const startedAt = Date.now();
  showProgress("sending", startedAt);
  // On a phone the output is below the fold: bring it up so the run is seen.
  if (window.matchMedia("(max-width: 820px)").matches) {
    els.output.closest(".pane").scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  const interactive = els.interactive.checked;
  let accepted;
  try {
    accepted = await api("POST", "/api/v1/submissions", submissionBody(snap, interactive));
  } catch (err) {
    stopProgress();
    showMessage(describeError(err));
    setStatus("Not run");
    state.busy = false;
    updateButtons();
    return null;
  }
  state.last = { ...snap, id: accepted.id };
  // The shared submission never changes: this run is a new one, so the address stops naming it.
  if (state.sharedSlug) {
    state.sharedSlug = null;
    history.replaceState(null, "", addressFor(snap.problemId));
  }
  showProgress(accepted.status || "queued", startedAt);
  followLive(accepted.id, token, startedAt, interactive);
  return accepted.id;
}

// The stream when the browser and the server have it, else (or when it breaks before the
// result) the long poll.
async function followLive(id, token, startedAt, interactive) {
  const shown = await followStream(id, token, startedAt, interactive);
  if (shown || token !== state.runToken) {
    if (token === state.runToken) {
      state.busy = false;
      updateButtons();
    }
    return;
  }
  follow(id, token, startedAt);
}

// GET /api/v1/submissions/{id}/stream: output as the program writes it and, for an interactive
// run, a line to type its input into. Resolves true once the result is shown, false when the
// stream closed before it (the caller long-polls then).
function followStream(id, token, startedAt, interactive) {
  if (typeof WebSocket !== "function") return Promise.resolve(false);
  return new Promise((resolve) => {
    let ws;
    try {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      ws = new WebSocket(`${scheme}//${location.host}/api/v1/submissions/${encodeURIComponent(id)}/stream`);
    } catch {
      resolve(false);
      return;
    }
    const live = { view: null, decoders: {} };
    let settled = false;
    const settle = (shown) => {
      if (settled) return;
      settled = true;
      resolve(shown);
    };
    ws.onopen = () => {
      if (interactive) liveView(live, ws, startedAt, interactive);
    };
    ws.onmessage = (event) => {
      if (token !== state.runToken) return ws.close();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame.type === "stdout" || frame.type === "stderr") {
        appendLive(liveView(live, ws, startedAt, interactive), live, frame);
      } else if (frame.type === "result") {
        showResult(id, token, frame.result);
        settle(true);
      } else if (frame.type === "error" && live.view) {
        live.view.note.textContent = liveErrorText(frame.reason);
      }
    };
    ws.onclose = () => settle(false);
  });
}

function liveErrorText(reason) {
  const texts = {
    not_interactive: "This run does not take input while it runs.",
    not_started: "The program has not started yet; send it again in a moment.",
    ended: "The program's input has ended.",
    too_large: "That is more input than the program may get.",
  };
  return texts[reason] || `Input not sent (${reason}).`;
}

// The output pane while the stream runs: progress, live stdout and stderr, and the input line.
function liveView(live, ws, startedAt, interactive) {
  if (live.view) return live.view;
  const pre = (name) => el("pre", { class: `live-${name}` });
  const view = { stdout: pre("stdout"), stderr: pre("stderr"), note: el("p", { class: "note live-note" }) };
  const stderrBlock = el("section", { class: "stream stream-stderr", "aria-label": "stderr", hidden: "" },
    el("div", { class: "stream-head" }, el("span", { text: "stderr" })), view.stderr);
  view.stderrBlock = stderrBlock;
  const parts = [
    el("div", { class: "progress" }, el("span", { class: "spinner", "aria-hidden": "true" }),
      el("span", { class: "phase" }), el("span", { class: "elapsed", "aria-hidden": "true" })),
    el("section", { class: "stream stream-stdout", "aria-label": "stdout" },
      el("div", { class: "stream-head" }, el("span", { text: "stdout" }), el("span", { class: "note", text: "live" })),
      view.stdout),
    stderrBlock,
  ];
  if (interactive) parts.push(inputLine(ws), view.note);
  els.output.replaceChildren(...parts);
  live.view = view;
  showProgress("running", startedAt);
  return view;
}

function inputLine(ws) {
  const line = el("input", { type: "text", class: "live-line", "aria-label": "Input for the running program",
    placeholder: "Type a line; Enter sends it", autocomplete: "off", spellcheck: "false" });
  const form = el("form", { class: "live-input", "aria-label": "Program input" }, line,
    el("button", { type: "submit", class: "button", text: "Send" }),
    el("button", { type: "button", class: "button end-input", text: "End input" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify({ type: "stdin", data: `${line.value}\n` }));
    line.value = "";
  });
  form.querySelector(".end-input").addEventListener("click", () => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "close_stdin" }));
  });
  return form;
}

// Pieces come as text, or as {"base64"} when not UTF-8 by themselves (a character may be cut
// between two): the bytes go through one streaming decoder per output.
function appendLive(view, live, frame) {
  const target = view[frame.type];
  if (typeof frame.data === "string") {
    target.append(frame.data);
  } else if (frame.data && typeof frame.data.base64 === "string") {
    const decoder = (live.decoders[frame.type] ||= new TextDecoder("utf-8"));
    const bytes = Uint8Array.from(atob(frame.data.base64), (c) => c.charCodeAt(0));
    target.append(decoder.decode(bytes, { stream: true }));
  }
  if (frame.type === "stderr") view.stderrBlock.hidden = false;
}

async function follow(id, token, startedAt) {
  let failures = 0;
  try {
    while (token === state.runToken) {
      let result;
      try {
        result = await api("GET", `/api/v1/submissions/${encodeURIComponent(id)}/result?wait_ms=${kWaitMs}`);
      } catch (err) {
        // A 4xx will not get better by asking again; a dropped connection or a 5xx may.
        const permanent = err instanceof ApiError && err.status < 500 && err.status !== 429;
        if (permanent || ++failures > 8) {
          stopProgress();
          showMessage(describeError(err));
          setStatus("Failed");
          return;
        }
        await sleep(Math.min(500 * 2 ** failures, 8000));
        continue;
      }
      failures = 0;
      if (token !== state.runToken) return;
      if (result.status === "done") {
        showResult(id, token, result);
        return;
      }
      showProgress(result.status, startedAt);
    }
  } finally {
    if (token === state.runToken) {
      state.busy = false;
      updateButtons();
    }
  }
}

function run() {
  startRun();
}

// ---------------------------------------------------------------------------------------------
// Sharing

function hideShareLink() {
  els.shareBox.hidden = true;
  els.shareLink.value = "";
}

function showShareLink(url) {
  els.shareLink.value = url;
  els.shareBox.hidden = false;
  els.copyLink.textContent = "Copy";
}

let sharing = false;
async function share() {
  if (sharing) return;
  sharing = true;
  els.share.disabled = true;
  try {
    let id = null;
    // Share what is on screen: the last run if nothing changed since (or it is still running),
    // otherwise a new submission of the current code, which also runs it.
    if (state.last && (state.busy || sameAs(state.last, snapshot()))) id = state.last.id;
    else id = await startRun();
    if (!id) return;
    const link = await api("POST", `/api/v1/submissions/${encodeURIComponent(id)}/share`);
    const url = link.url || `${location.origin}/s/${link.slug}`;
    showShareLink(url);
    history.replaceState(null, "", `/s/${link.slug}`);
    els.shareLink.focus();
    els.shareLink.select();
  } catch (err) {
    showMessage(`Could not share: ${describeError(err)}`);
  } finally {
    sharing = false;
    updateButtons();
  }
}

async function copyLink() {
  const url = els.shareLink.value;
  if (!url) return;
  let copied = false;
  try {
    await navigator.clipboard.writeText(url);
    copied = true;
  } catch {
    els.shareLink.focus();
    els.shareLink.select();
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
  }
  els.copyLink.textContent = copied ? "Copied" : "Press Ctrl+C";
  setTimeout(() => {
    els.copyLink.textContent = "Copy";
  }, 2000);
}

// ---------------------------------------------------------------------------------------------
// Loading: languages, then the shared program or the remembered draft.

function fillLanguages(list, wanted) {
  const options = list.map((l) => el("option", { value: l.id, text: l.version ? `${l.name} ${l.version}` : l.name }));
  // A shared program in a language this server lacks still shows; running it explains why not.
  if (wanted && !list.some((l) => l.id === wanted)) {
    options.push(el("option", { value: wanted, text: `${wanted} (not installed)` }));
  }
  els.language.replaceChildren(...options);
  els.language.disabled = options.length === 0;
}

function pickLanguage(list, ...candidates) {
  for (const c of candidates) if (c && list.some((l) => l.id === c)) return c;
  return list[0]?.id || "";
}

async function loadShared(slug) {
  try {
    return await api("GET", `/api/v1/shares/${encodeURIComponent(slug)}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return { missing: true };
    return { failed: err };
  }
}

function sharedNote() {
  return el("p", {
    class: "shared-note",
    text: "A shared program. Edit and run it freely: running makes a new submission, and this link keeps showing the original.",
  });
}

async function showSharedResult(shared) {
  const finished = (r) => r && (r.status === "done" || (r.status === undefined && r.verdict));
  if (finished(shared.result)) {
    renderResult(shared.result, { prefix: [sharedNote()] });
    return;
  }
  // The share was made while the program was still running: look again for a while.
  els.output.replaceChildren(sharedNote(), el("p", { class: "message", text: "This program has not finished running yet." }));
  setStatus("Waiting for the shared run");
  for (let i = 0; i < kSharePollTries; i++) {
    await sleep(kSharePollMs);
    if (state.sharedSlug !== shared.slug || state.busy) return;
    const again = await loadShared(shared.slug);
    if (finished(again.result)) {
      if (state.sharedSlug === shared.slug && !state.busy) renderResult(again.result, { prefix: [sharedNote()] });
      return;
    }
  }
}

async function init() {
  // A shared program is shown as it was shared: the address's problem applies to the IDE only.
  const wantedProblem = state.sharedSlug ? "" : problemIdFromAddress();
  const problemsPromise = fetchProblemList();
  const problemPromise = wantedProblem
    ? fetchProblem(wantedProblem).catch((err) => ({ failed: err }))
    : null;
  const sharedPromise = state.sharedSlug ? loadShared(state.sharedSlug) : Promise.resolve(null);
  const languagesPromise = api("GET", "/api/v1/languages").catch((err) => ({ failed: err }));

  let shared = await sharedPromise;
  if (shared && (shared.missing || shared.failed)) {
    showMessage(
      shared.missing
        ? "There is no shared program at this link. Here is the editor instead."
        : `Could not load the shared program: ${describeError(shared.failed)}`,
    );
    state.sharedSlug = null;
    history.replaceState(null, "", "/");
    shared = null;
  }

  const storedCode = store.get(kStoreKeys.code);
  if (shared) {
    editor.setValue(shared.code);
    els.stdin.value = shared.stdin || "";
    showShareLink(`${location.origin}/s/${shared.slug}`);
  } else {
    if (storedCode !== null) editor.setValue(storedCode);
    const storedStdin = store.get(kStoreKeys.stdin);
    els.stdin.value = storedStdin !== null ? storedStdin : storedCode === null ? STARTER_INPUT : "";
  }

  const languages = await languagesPromise;
  if (!Array.isArray(languages)) {
    fillLanguages([], shared?.language);
    showMessage(`Could not load the list of languages: ${describeError(languages.failed)}`);
    updateButtons();
    return;
  }
  state.languages = languages;
  const wanted = shared?.language;
  fillLanguages(languages, wanted);
  const chosen = wanted || pickLanguage(languages, store.get(kStoreKeys.language), "python");
  setLanguage(chosen);
  if (!shared && editor.getValue().trim() === "") editor.setValue(STARTERS[chosen] || "");
  if (shared) showSharedResult(shared);
  await initProblems(wantedProblem, problemsPromise, problemPromise);
}

// ---------------------------------------------------------------------------------------------
// Problems: the picker, the statement beside the editor, ?problem=ID in the address.

// Code that is a starter program (or nothing) may be replaced by another starter.
function untouched(code) {
  return isStarterOrEmpty(code) || isProblemStarter(state.problem, code);
}

function starterFor(language) {
  return problemStarter(state.problem, language) ?? STARTERS[language] ?? "";
}

function labelRun() {
  const verb = state.problem ? "Submit" : "Run";
  els.run.querySelector(".run-label").textContent = verb;
  const hint = els.output.querySelector(".run-word");
  if (hint) hint.textContent = verb;
  const what = state.problem ? "Judge on the problem's tests" : "Run";
  els.run.title = `${what} (${kShortcut})`;
}

// Makes `problem` (null: none) the page's: statement pane, layout, Run's name, the address, and
// its starter code in an untouched editor. A problem's tests are the input: Input is hidden.
function applyProblem(problem) {
  const replaceable = untouched(editor.getValue());
  state.problem = problem;
  els.problem.value = problem?.id || "";
  if (problem) showProblem(els.problemPane, problem);
  else hideProblem(els.problemPane);
  els.workspace.classList.toggle("with-problem", problem !== null);
  els.inputPane.hidden = problem !== null;
  labelRun();
  if (replaceable && state.language) editor.setValue(starterFor(state.language));
  if (!state.sharedSlug) history.replaceState(null, "", addressFor(problem?.id));
}

async function pickProblem(id) {
  const token = ++state.problemToken;
  state.sharedSlug = null;
  if (!id) {
    applyProblem(null);
    return;
  }
  els.problem.disabled = true;
  try {
    const problem = await fetchProblem(id);
    if (token === state.problemToken) applyProblem(problem);
  } catch (err) {
    if (token !== state.problemToken) return;
    applyProblem(null);
    showMessage(`Could not open the problem: ${describeError(err)}`);
  } finally {
    if (token === state.problemToken) els.problem.disabled = false;
  }
}

// The picker lists the server's problems (hidden when it has none); `wanted` (from the address)
// is opened after the languages are in, so its starter code follows the language.
async function initProblems(wanted, problemsPromise, problemPromise) {
  const problems = await problemsPromise;
  if (state.problemToken !== 0) return;  // the person picked one meanwhile
  fillProblemPicker(els.problem, problems, wanted);
  els.problemField.hidden = problems.length === 0 && !wanted;
  if (!wanted) return;
  const problem = await problemPromise;
  if (state.problemToken !== 0) return;
  if (problem.failed) {
    fillProblemPicker(els.problem, problems, "");
    els.problemField.hidden = problems.length === 0;
    history.replaceState(null, "", "/");
    showMessage(`Could not open the problem in the address: ${describeError(problem.failed)}`);
    return;
  }
  applyProblem(problem);
}

// ---------------------------------------------------------------------------------------------
// Events

els.language.addEventListener("change", () => {
  const next = els.language.value;
  if (untouched(editor.getValue())) editor.setValue(starterFor(next));
  setLanguage(next);
  saveDraftSoon();
});
els.problem.addEventListener("change", () => pickProblem(els.problem.value));
els.stdin.addEventListener("input", saveDraftSoon);
els.run.addEventListener("click", run);
els.share.addEventListener("click", share);
els.copyLink.addEventListener("click", copyLink);
els.shareLink.addEventListener("focus", () => els.shareLink.select());
els.codeLabel.addEventListener("click", (e) => {
  e.preventDefault();
  editor.focus();
});

// Capture phase: Ctrl/Cmd+Enter runs from anywhere, before an editor can treat it as a newline.
window.addEventListener(
  "keydown",
  (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey) {
      e.preventDefault();
      e.stopPropagation();
      run();
    }
  },
  true,
);
window.addEventListener("pagehide", saveDraft);

if (isMac) els.run.querySelector(".shortcut").textContent = kShortcut;
labelRun();

// The upgrade hook for main.js. `create({parent, doc, language, label, onChange})` builds an
// editor in `parent` and returns {getValue, setValue, setLanguage, focus, destroy}. If it
// throws, the plain editor stays.
window.ide = {
  upgradeEditor(create) {
    const doc = editor.getValue();
    const host = document.createElement("div");
    host.className = "rich-editor";
    host.style.display = "contents";
    let next;
    try {
      next = create({ parent: host, doc, language: state.language, label: "Code", onChange: onCodeChange });
    } catch (err) {
      console.warn("Keeping the plain editor: the code editor failed to start.", err);
      return false;
    }
    const hadFocus = els.editorHost.contains(document.activeElement);
    editor.destroy();
    els.editorHost.replaceChildren(host);
    els.codeLabel.removeAttribute("for");
    editor = next;
    if (hadFocus) editor.focus();
    return true;
  },
  get editorKind() {
    return editor.kind || "rich";
  },
};

updateButtons();
initClass();
if (isTeacherAddress()) {
  initTeacher();
  onIdentity(showTeacherView);
} else {
  // A token refused while the page loaded left it without languages: a new one starts over.
  onIdentity((who, byPerson) => {
    if (byPerson && state.languages.length === 0) location.reload();
  });
  init();
}
document.dispatchEvent(new Event("ide:ready"));
