// A small Markdown renderer for problem statements. It builds DOM nodes and never parses HTML:
// every character of the source ends up as text, so a statement cannot inject markup or script.
// Supported: ATX headings, paragraphs, fenced and indented code blocks, code spans, bullet and
// numbered lists (nested by indentation), block quotes, rules, emphasis, strong, http(s) links.
import { el } from "./dom.js";

const kFence = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const kHeading = /^ {0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$/;
const kRule = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const kQuote = /^ {0,3}> ?/;
const kItem = /^( {0,3})([-*+]|\d{1,9}[.)])\s+/;
const kIndented = /^(?: {4}|\t)/;
const kSafeLink = /^(https?:\/\/|mailto:)/i;

const isBlank = (line) => line.trim() === "";
const kBlockStarts = [kFence, kHeading, kRule, kQuote, kItem];
const startsBlock = (line) => kBlockStarts.some((re) => re.test(line));

/// `text` (Markdown) as a DocumentFragment. Headings start at `<h{headingBase}>`, so a
/// statement's "#" sits below the page's own heading for the problem's title.
export function renderMarkdown(text, { headingBase = 3 } = {}) {
  const fragment = document.createDocumentFragment();
  fragment.append(...blocks(String(text ?? "").replace(/\r\n?/g, "\n").split("\n"), headingBase));
  return fragment;
}

function blocks(lines, headingBase) {
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      i++;
      continue;
    }
    const read = fence(lines, i) || heading(lines, i, headingBase) || rule(lines, i) ||
      quote(lines, i, headingBase) || list(lines, i, headingBase) || indentedCode(lines, i) ||
      paragraph(lines, i);
    out.push(read.node);
    i = read.next;
  }
  return out;
}

function codeBlock(text, language) {
  return el("pre", { class: "md-code" }, el("code", { "data-language": language || null, text }));
}

function fence(lines, i) {
  const open = kFence.exec(lines[i]);
  if (!open) return null;
  const marker = open[1];
  const body = [];
  let j = i + 1;
  while (j < lines.length && !lines[j].trimStart().startsWith(marker)) body.push(lines[j++]);
  return { node: codeBlock(body.join("\n"), open[2]), next: j + 1 };
}

function heading(lines, i, headingBase) {
  const match = kHeading.exec(lines[i]);
  if (!match) return null;
  const level = Math.min(6, match[1].length + headingBase - 1);
  return { node: el(`h${level}`, {}, ...inline(match[2] || "")), next: i + 1 };
}

function rule(lines, i) {
  return kRule.test(lines[i]) ? { node: el("hr"), next: i + 1 } : null;
}

function quote(lines, i, headingBase) {
  if (!kQuote.test(lines[i])) return null;
  const body = [];
  let j = i;
  while (j < lines.length && kQuote.test(lines[j])) body.push(lines[j++].replace(kQuote, ""));
  return { node: el("blockquote", {}, ...blocks(body, headingBase)), next: j };
}

function indentedCode(lines, i) {
  if (!kIndented.test(lines[i])) return null;
  const body = [];
  let j = i;
  while (j < lines.length && (kIndented.test(lines[j]) || isBlank(lines[j]))) {
    body.push(lines[j++].replace(kIndented, ""));
  }
  while (body.length && isBlank(body[body.length - 1])) body.pop();
  return { node: codeBlock(body.join("\n"), ""), next: j };
}

// A list runs while lines are items of the same kind, their indented continuations, or blank
// lines followed by either. An item's lines are parsed again as blocks (nested lists).
function list(lines, i, headingBase) {
  const first = kItem.exec(lines[i]);
  if (!first) return null;
  const ordered = /\d/.test(first[2]);
  const sibling = (line) => {
    const match = line === undefined ? null : kItem.exec(line);
    return match !== null && !/^\s/.test(line) && /\d/.test(match[2]) === ordered;
  };
  const items = [];
  let loose = false;
  let j = i;
  while (j < lines.length && (j === i || sibling(lines[j]))) {
    const indent = kItem.exec(lines[j])[0].length;
    const body = [lines[j].slice(indent)];
    for (j++; j < lines.length; j++) {
      const next = lines[j];
      if (isBlank(next)) {
        const after = lines[j + 1];
        const continues = after !== undefined && /^\s/.test(after) && !isBlank(after);
        if (!continues && !sibling(after)) break;
        if (continues) body.push("");
        else loose = true;
      } else if (/^\s/.test(next)) {
        body.push(next.replace(new RegExp(`^ {0,${indent}}`), ""));
      } else if (!startsBlock(next)) {
        body.push(next);
      } else {
        break;
      }
    }
    items.push(body);
  }
  const start = ordered && parseInt(first[2], 10) !== 1 ? parseInt(first[2], 10) : null;
  const node = el(ordered ? "ol" : "ul", { start });
  for (const body of items) node.append(listItem(body, loose, headingBase));
  return { node, next: j };
}

function listItem(body, loose, headingBase) {
  const children = blocks(body, headingBase);
  // A tight item's lone paragraph is its text, as Markdown renders it.
  if (!loose && children[0]?.tagName === "P") children.splice(0, 1, ...children[0].childNodes);
  return el("li", {}, ...children);
}

function paragraph(lines, i) {
  const body = [lines[i]];
  let j = i + 1;
  while (j < lines.length && !isBlank(lines[j]) && !startsBlock(lines[j])) body.push(lines[j++]);
  return { node: el("p", {}, ...inline(body.map((l) => l.trim()).join("\n"))), next: j };
}

// Inline spans, innermost first by position: code spans (nothing inside them is Markdown),
// links, strong, emphasis and backslash escapes. Everything else is text.
const kInline = [
  { re: /^(`+)([\s\S]*?[^`])\1(?!`)/, make: (m) => el("code", { text: trimOneSpace(m[2]) }) },
  { re: /^\\([!-/:-@[-`{-~])/, make: (m) => document.createTextNode(m[1]) },
  { re: /^\[([^\]]+)\]\(\s*<?([^\s>)]+)>?\s*\)/, make: (m) => link(m[2], m[1], m[0]) },
  { re: /^<(https?:\/\/[^\s>]+)>/, make: (m) => link(m[1], m[1], m[0]) },
  { re: /^(\*\*|__)(?=\S)([\s\S]*?\S)\1/, make: (m) => el("strong", {}, ...inline(m[2])) },
  { re: /^\*(?=[^\s*])([\s\S]*?[^\s*])\*/, make: (m) => emphasis(m[1]) },
  { re: /^_(?=[^\s_])([\s\S]*?[^\s_])_(?![A-Za-z0-9])/, make: (m) => emphasis(m[1]) },
  { re: /^ {2,}\n|^\\\n/, make: () => el("br") },
];

const trimOneSpace = (code) => code.replace(/^ (.*) $/s, "$1");
const emphasis = (text) => el("em", {}, ...inline(text));
const kOpeners = "`\\[<*_ ";

function link(href, label, source) {
  if (!kSafeLink.test(href)) return document.createTextNode(source);
  return el("a", { href, rel: "noopener noreferrer", target: "_blank" }, ...inline(label));
}

function inline(text) {
  const out = [];
  let plain = "";
  let i = 0;
  while (i < text.length) {
    // Only these characters can open a span; `_` inside a word (snake_case) is a letter.
    const wordy = text[i] === "_" && /[A-Za-z0-9]/.test(text[i - 1]);
    const opens = kOpeners.includes(text[i]) && !wordy;
    const rest = opens ? text.slice(i) : "";
    const rule = opens ? kInline.find((r) => r.re.test(rest)) : null;
    if (!rule) {
      plain += text[i++];
      continue;
    }
    const match = rule.re.exec(rest);
    if (plain) out.push(document.createTextNode(plain));
    plain = "";
    out.push(rule.make(match));
    i += match[0].length;
  }
  if (plain) out.push(document.createTextNode(plain));
  return out;
}
