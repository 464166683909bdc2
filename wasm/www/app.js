// The paste checker: scans the text area on paste and on input, in this page only.
import init, { Engine } from '../js/web.mjs';
import { whyItMatters } from './why.mjs';

const $ = (id) => document.getElementById(id);
const input = $('input'), status = $('status'), results = $('results');
const highlight = $('highlight'), list = $('findings'), redacted = $('redacted');

// Start-up: fetch + compile + instantiate the module, then compile the default rules.
const t0 = performance.now();
await init({ module_or_path: new URL('../pkg/web/secretsift_wasm_bg.wasm', import.meta.url) });
const t1 = performance.now();
const engine = new Engine();
const t2 = performance.now();
const rules = new Map(engine.rules().map((r) => [r.id, r]));
window.secretsiftStartup = { instantiateMs: t1 - t0, buildMs: t2 - t1, totalMs: t2 - t0, rules: rules.size };
$('engine-status').textContent =
  `${rules.size} rules ready in ${Math.round(t2 - t0)} ms (module ${Math.round(t1 - t0)} ms, rules ${Math.round(t2 - t1)} ms).`;
input.disabled = false;
input.focus();

function render(text, { pasted = false } = {}) {
  const findings = text ? engine.scan(text) : []; // string in: offsets in UTF-16 code units
  const secrets = findings.filter((f) => !f.publishable);
  results.hidden = findings.length === 0;
  if (!text) {
    status.dataset.state = 'empty';
    status.textContent = '';
  } else if (secrets.length) {
    const providers = [...new Set(secrets.map((f) => f.provider))].join(', ');
    status.dataset.state = 'secret';
    status.textContent = `Warning: ${pasted ? 'what you pasted holds' : 'this text holds'} ${secrets.length} secret${secrets.length > 1 ? 's' : ''} (${providers}). Do not share it as is: use the redacted copy, and rotate the key.`;
  } else if (findings.length) {
    status.dataset.state = 'publishable';
    status.textContent = `Only publishable keys found (${findings.length}); these are meant to be public.`;
  } else {
    status.dataset.state = 'clean';
    status.textContent = 'No secrets found.';
  }

  // Highlight: the text with each secret wrapped in <mark>, built as DOM nodes (never HTML).
  highlight.replaceChildren();
  let at = 0;
  for (const f of findings) {
    if (f.start < at) continue; // overlaps the previous highlight
    highlight.append(text.slice(at, f.start));
    const m = document.createElement('mark');
    m.className = f.publishable ? 'secret publishable' : 'secret';
    m.dataset.rule = f.ruleId;
    m.dataset.provider = f.provider;
    m.title = `${f.provider}: ${rules.get(f.ruleId)?.description ?? f.ruleId}`;
    m.textContent = text.slice(f.start, f.end);
    highlight.append(m);
    at = f.end;
  }
  highlight.append(text.slice(at));

  list.replaceChildren(...findings.map((f) => {
    const li = document.createElement('li');
    const rule = rules.get(f.ruleId);
    const head = document.createElement('span');
    head.className = 'provider';
    head.textContent = f.provider;
    const code = document.createElement('code');
    code.textContent = f.preview;
    const why = document.createElement('span');
    why.className = 'why';
    why.textContent = whyItMatters(rule, f);
    li.append(head, ` ${rule?.description ?? f.ruleId} at line ${f.line}, column ${f.column}: `, code, why);
    li.dataset.rule = f.ruleId;
    return li;
  }));

  redacted.textContent = findings.length ? engine.redact(text) : text;
  $('copy-status').textContent = '';
}

input.addEventListener('input', () => render(input.value));
input.addEventListener('paste', () => {
  // The value changes after the paste event; check on the next task with the pasted flag.
  setTimeout(() => render(input.value, { pasted: true }));
});
$('copy-redacted').addEventListener('click', async () => {
  const text = redacted.textContent;
  try {
    await navigator.clipboard.writeText(text);
    $('copy-status').textContent = 'Copied.';
  } catch {
    // No clipboard permission: select the text so Ctrl+C copies it.
    getSelection().selectAllChildren(redacted);
    $('copy-status').textContent = 'Press Ctrl+C to copy the selected text.';
  }
});
document.body.dataset.ready = 'true';
