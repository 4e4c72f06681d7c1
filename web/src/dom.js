// What the page's modules share: building DOM nodes, calling the API, formatting numbers.

// A verdict (a run's or a test's) as shown: its words, and the colour family of its badge.
export const VERDICTS = {
  accepted: { label: "Accepted", kind: "ok" },
  ok: { label: "OK", kind: "ok" },
  compile_error: { label: "Compile error", kind: "error" },
  runtime_error: { label: "Runtime error", kind: "error" },
  time_limit_exceeded: { label: "Time limit exceeded", kind: "limit" },
  memory_limit_exceeded: { label: "Memory limit exceeded", kind: "limit" },
  output_limit_exceeded: { label: "Output limit exceeded", kind: "limit" },
  internal_error: { label: "Internal error", kind: "info" },
  wrong_answer: { label: "Wrong answer", kind: "error" },
};

// localStorage that never throws: storage disabled (private mode, policy) or full, the page
// works on without remembering.
export const store = {
  get(key) {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return null;  // storage disabled (private mode, policy): the page works without it
    }
  },
  set(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch {
      // quota or policy: remembering is a convenience, never worth an error
    }
  },
  remove(key) {
    try {
      window.localStorage.removeItem(key);
    } catch {
      // policy: as above
    }
  },
};

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export class ApiError extends Error {
  constructor(message, status, code, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

// The bearer every API call sends (a class, owner or admin token; see class.js), "" for none.
let bearer = "";

export function setBearer(token) {
  bearer = token || "";
}

export function hasBearer() {
  return bearer !== "";
}

export function authHeaders() {
  return bearer ? { Authorization: `Bearer ${bearer}` } : {};
}

// A failed answer as an ApiError: the server's own message when it sent one.
async function errorOf(res) {
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  const message = data?.error?.message || `The server answered ${res.status} ${res.statusText}.`;
  return new ApiError(message, res.status, data?.error?.code, res.headers.get("Retry-After"));
}

/// GET `path` as a Blob with the bearer (a plain link cannot send it), and the file name the
/// server's Content-Disposition gives, else `fallbackName`. Throws an ApiError.
export async function apiDownload(path, fallbackName) {
  const res = await fetch(path, { cache: "no-store", headers: authHeaders() });
  if (!res.ok) throw await errorOf(res);
  const disposition = res.headers.get("Content-Disposition") || "";
  const named = /filename="?([^";]+)"?/i.exec(disposition);
  return { blob: await res.blob(), name: named ? named[1] : fallbackName };
}

export async function api(method, path, body) {
  const init = { method, cache: "no-store", headers: authHeaders() };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (!res.ok) throw await errorOf(res);
  try {
    return await res.json();
  } catch {
    return null;
  }
}

/// `seconds` (a Retry-After value) as words and the clock time it ends at: "in 42 s (at 15:04)".
export function retryWhen(seconds, now = new Date()) {
  const s = Number(seconds);
  if (!Number.isFinite(s) || s < 0) return "shortly";
  const at = new Date(now.getTime() + s * 1000);
  const clock = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const wait = s < 90 ? `${Math.ceil(s)} s` : `${Math.ceil(s / 60)} min`;
  return `in ${wait} (at ${clock})`;
}

export function describeError(err) {
  if (!(err instanceof ApiError)) return "Cannot reach the server. Check that it is running.";
  if (err.code === "queue_full") {
    const wait = err.retryAfter ? ` Try again in ${err.retryAfter} s.` : " Try again shortly.";
    return `The server is busy: its queue is full.${wait}`;
  }
  if (err.status === 401 && bearer) {
    return "The server refused your token (401): it is unknown, revoked or expired. " +
      "Fix or forget it under Class.";
  }
  if (err.status === 401) return `${err.message} Enter your class token under Class.`;
  if (err.status === 429) {
    return `Quota used up: try again ${retryWhen(err.retryAfter)}. ${err.message}`;
  }
  return err.message;
}

export function formatMs(ms) {
  if (ms === null || ms === undefined) return null;
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatKb(kb) {
  if (kb === null || kb === undefined) return null;
  return kb < 1024 ? `${kb} KiB` : `${(kb / 1024).toFixed(1)} MiB`;
}

// An output field as text: the server sends outputs as base64 (`"encoding": "base64"`) when one
// is not UTF-8 or they are mostly control bytes; bytes that are not UTF-8 show as U+FFFD.
export function decodeOutput(value, encoding) {
  if (encoding !== "base64") return value || "";
  const bytes = Uint8Array.from(atob(value || ""), (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8").decode(bytes);
}
