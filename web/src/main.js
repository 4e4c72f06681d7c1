// Upgrades the page's plain textarea to CodeMirror 6 (syntax highlighting, line numbers, Tab
// indents). Bundled by esbuild at build time; if it fails to load, the textarea keeps working.
import { EditorState, Compartment } from "@codemirror/state";
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  drawSelection,
  dropCursor,
  rectangularSelection,
  crosshairCursor,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  HighlightStyle,
  StreamLanguage,
  bracketMatching,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { tags as t } from "@lezer/highlight";
import { python } from "@codemirror/lang-python";
import { cpp } from "@codemirror/lang-cpp";
import { javascript } from "@codemirror/lang-javascript";
import { shell } from "@codemirror/legacy-modes/mode/shell";
import { go } from "@codemirror/legacy-modes/mode/go";
import { rust } from "@codemirror/legacy-modes/mode/rust";
import { ruby } from "@codemirror/legacy-modes/mode/ruby";
import { lua } from "@codemirror/legacy-modes/mode/lua";
import { java } from "@codemirror/legacy-modes/mode/clike";

// Colours come from CSS variables (style.css), so light and dark follow prefers-color-scheme.
const highlightStyle = HighlightStyle.define([
  {
    tag: [t.keyword, t.controlKeyword, t.moduleKeyword, t.definitionKeyword, t.operatorKeyword, t.modifier, t.self],
    color: "var(--tok-keyword)",
  },
  { tag: [t.bool, t.null, t.atom], color: "var(--tok-number)" },
  { tag: [t.string, t.special(t.string), t.character, t.regexp, t.escape], color: "var(--tok-string)" },
  { tag: [t.number, t.integer, t.float], color: "var(--tok-number)" },
  { tag: [t.comment, t.lineComment, t.blockComment, t.docComment], color: "var(--tok-comment)", fontStyle: "italic" },
  {
    tag: [t.function(t.variableName), t.function(t.definition(t.variableName)), t.function(t.propertyName)],
    color: "var(--tok-function)",
  },
  { tag: [t.typeName, t.className, t.namespace, t.standard(t.typeName)], color: "var(--tok-type)" },
  { tag: [t.propertyName, t.attributeName], color: "var(--tok-property)" },
  { tag: [t.operator, t.derefOperator, t.arithmeticOperator, t.logicOperator, t.compareOperator], color: "var(--tok-operator)" },
  { tag: [t.meta, t.processingInstruction, t.macroName, t.annotation], color: "var(--tok-meta)" },
  { tag: t.invalid, color: "var(--tok-invalid)" },
]);

const theme = EditorView.theme({
  "&": { height: "100%", color: "var(--text)", backgroundColor: "var(--panel)", fontSize: "14px" },
  "&.cm-focused": { outline: "none" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5", overflow: "auto" },
  ".cm-content": { padding: "10px 0", caretColor: "var(--text)" },
  ".cm-line": { padding: "0 12px 0 8px" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--text)", borderLeftWidth: "2px" },
  ".cm-gutters": {
    backgroundColor: "var(--gutter-bg)",
    color: "var(--gutter-fg)",
    borderRight: "1px solid var(--border)",
  },
  ".cm-lineNumbers .cm-gutterElement": { padding: "0 10px 0 14px", minWidth: "44px" },
  ".cm-activeLine": { backgroundColor: "var(--active-line)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--active-line)", color: "var(--text)" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection":
    { backgroundColor: "var(--selection)" },
  ".cm-selectionMatch": { backgroundColor: "var(--active-line)", outline: "1px solid var(--border)" },
  "&.cm-focused .cm-matchingBracket": { backgroundColor: "var(--selection)", outline: "none" },
  ".cm-panels": { backgroundColor: "var(--panel-head)", color: "var(--text)" },
});

const legacy = (mode) => StreamLanguage.define(mode);

// The catalogue's language ids (config/languages.json) to a highlighter and an indent unit.
function languageExtension(id) {
  switch (id) {
    case "python":
      return [python(), indentUnit.of("    ")];
    case "c":
    case "cpp":
      return [cpp(), indentUnit.of("    ")];
    case "javascript":
    case "node":
      return [javascript(), indentUnit.of("  ")];
    case "typescript":
      return [javascript({ typescript: true }), indentUnit.of("  ")];
    case "bash":
    case "sh":
      return [legacy(shell), indentUnit.of("  ")];
    case "go":
      return [legacy(go), indentUnit.of("\t")];
    case "rust":
      return [legacy(rust), indentUnit.of("    ")];
    case "ruby":
      return [legacy(ruby), indentUnit.of("  ")];
    case "lua":
      return [legacy(lua), indentUnit.of("  ")];
    case "java":
      return [legacy(java), indentUnit.of("    ")];
    default:
      return [indentUnit.of("    ")];
  }
}

function createEditor({ parent, doc, language, label, onChange }) {
  const languageSlot = new Compartment();
  let current = language;
  const extensions = () => [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    drawSelection(),
    dropCursor(),
    EditorState.allowMultipleSelections.of(true),
    EditorState.tabSize.of(4),
    indentOnInput(),
    syntaxHighlighting(highlightStyle),
    bracketMatching(),
    closeBrackets(),
    rectangularSelection(),
    crosshairCursor(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    // indentWithTab: Tab indents; Escape then Tab still moves focus out (CodeMirror's rule).
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, indentWithTab]),
    languageSlot.of(languageExtension(current)),
    theme,
    EditorView.contentAttributes.of({
      "aria-label": label,
      spellcheck: "false",
      autocorrect: "off",
      autocapitalize: "off",
    }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onChange();
    }),
  ];
  const view = new EditorView({ parent, state: EditorState.create({ doc, extensions: extensions() }) });
  return {
    kind: "codemirror",
    view,
    getValue: () => view.state.doc.toString(),
    // A new state, not an edit: loading a program is not something Ctrl+Z should undo.
    setValue(text) {
      view.setState(EditorState.create({ doc: text, extensions: extensions() }));
    },
    setLanguage(id) {
      if (id === current) return;
      current = id;
      view.dispatch({ effects: languageSlot.reconfigure(languageExtension(id)) });
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}

function upgrade() {
  window.ide.upgradeEditor(createEditor);
}

if (window.ide) upgrade();
else document.addEventListener("ide:ready", upgrade, { once: true });
