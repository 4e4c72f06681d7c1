// The Class control in the top bar: a class token (a student's, the teacher's owner token or an
// admin token) and the student's name, kept in localStorage. With a token every API call sends
// it as the bearer (dom.js) and a submit carries "student"; GET /api/v1/whoami says who that is.
import { ApiError, api, describeError, hasBearer, setBearer, store } from "./dom.js";

const kKeys = { token: "ide.classToken", student: "ide.student" };
const kStudentMaxBytes = 64;

// The stored token and name ("" when none).
const storage = {
  get: (key) => store.get(key) || "",
  set: (key, value) => (value ? store.set(key, value) : store.remove(key)),
};

const $ = (id) => document.getElementById(id);
const els = {
  button: $("class-button"),
  label: $("class-button-label"),
  panel: $("class-panel"),
  form: $("class-form"),
  token: $("class-token"),
  student: $("student-name"),
  forget: $("class-forget"),
  status: $("class-status"),
  teacherLink: $("teacher-link"),
};

// Who the bearer is: {role, class} from whoami, {invalid: true} on a 401, null without a token.
const identity = { current: null, listeners: [] };

/// The stored token's identity once known (null before, or without a token).
export function currentIdentity() {
  return identity.current;
}

/// Calls `listener(identity, byPerson)` once it is known, and again whenever the token changes
/// (then `byPerson` is true).
export function onIdentity(listener) {
  identity.listeners.push(listener);
}

/// The "student" a submit carries: the name, when a class token (not an admin's) is set.
export function studentLabel() {
  const name = storage.get(kKeys.student).trim();
  if (!name || !hasBearer() || identity.current?.role === "admin") return undefined;
  return name;
}

function describeIdentity(who) {
  if (!who) return { short: "Class", long: "No class token: you run code anonymously." };
  if (who.invalid) {
    return {
      short: "Class: bad token",
      long: "This token was refused (401): it is unknown, revoked or expired. Check it with " +
        "your teacher, or forget it to run anonymously.",
    };
  }
  if (who.failed) return { short: "Class", long: `Could not check the token: ${who.failed}` };
  const name = who.class?.name || "";
  switch (who.role) {
    case "student": {
      const student = storage.get(kKeys.student).trim();
      const long = student ? `${name} student: ${student}`
        : `${name} student (add your name, so your teacher knows which runs are yours)`;
      return { short: `${name} student`, long };
    }
    case "owner":
      return { short: `${name} teacher`, long: `${name} teacher (the class's owner token)` };
    case "admin":
      return { short: "Admin", long: "Admin token: you manage every class and problem." };
    default:
      return { short: "Class", long: "The server does not know this token." };
  }
}

function render() {
  const who = identity.current;
  const text = describeIdentity(who);
  els.label.textContent = text.short;
  els.status.textContent = text.long;
  els.button.classList.toggle("class-bad", Boolean(who?.invalid));
  els.status.classList.toggle("message-error", Boolean(who?.invalid || who?.failed));
  els.teacherLink.hidden = !(who?.role === "owner" || who?.role === "admin");
}

async function whoami() {
  if (!hasBearer()) return null;
  try {
    return await api("GET", "/api/v1/whoami");
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return { invalid: true };
    return { failed: describeError(err) };
  }
}

async function refresh(byPerson = false) {
  identity.current = null;
  render();
  identity.current = await whoami();
  render();
  for (const listener of identity.listeners) listener(identity.current, byPerson);
}

function openPanel(open) {
  els.panel.hidden = !open;
  els.button.setAttribute("aria-expanded", open ? "true" : "false");
  if (open) els.token.focus();
}

function save(event) {
  event.preventDefault();
  const student = els.student.value.trim();
  if (new TextEncoder().encode(student).length > kStudentMaxBytes) {
    els.status.textContent = `Your name may be at most ${kStudentMaxBytes} bytes.`;
    els.status.classList.add("message-error");
    return;
  }
  const token = els.token.value.trim();
  storage.set(kKeys.token, token);
  storage.set(kKeys.student, student);
  setBearer(token);
  refresh(true);
}

function forget() {
  els.token.value = "";
  storage.set(kKeys.token, "");
  setBearer("");
  refresh(true);
}

/// Reads the stored token and name, wires the panel and asks whoami. Call before any API call.
export function initClass() {
  const token = storage.get(kKeys.token);
  setBearer(token);
  els.token.value = token;
  els.student.value = storage.get(kKeys.student);
  els.button.addEventListener("click", () => openPanel(els.panel.hidden));
  els.form.addEventListener("submit", save);
  els.forget.addEventListener("click", forget);
  document.addEventListener("click", (e) => {
    if (!els.panel.hidden && !els.panel.parentElement.contains(e.target)) openPanel(false);
  });
  els.panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      openPanel(false);
      els.button.focus();
    }
  });
  render();
  refresh();
}
