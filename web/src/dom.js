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

export async function api(method, path, body) {
  const init = { method, cache: "no-store", headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const message = data?.error?.message || `The server answered ${res.status} ${res.statusText}.`;
    throw new ApiError(message, res.status, data?.error?.code, res.headers.get("Retry-After"));
  }
  return data;
}

export function describeError(err) {
  if (!(err instanceof ApiError)) return "Cannot reach the server. Check that it is running.";
  if (err.code === "queue_full") {
    const wait = err.retryAfter ? ` Try again in ${err.retryAfter} s.` : " Try again shortly.";
    return `The server is busy: its queue is full.${wait}`;
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
