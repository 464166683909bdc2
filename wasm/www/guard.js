/*
 * secretsift guard: include on any page to guard its text inputs, text areas and
 * contenteditable chat boxes against pasting and sending secrets.
 *
 *   <script src="/secretsift-wasm/www/guard.js" defer></script>
 *
 * - On paste, a pasted secret raises a warning next to the field.
 * - While a guarded field holds a secret, form submits (and Enter in a chat box that is not in a
 *   form) are blocked, and the warning offers an explicit "Send anyway" override for that
 *   content.
 * Everything runs in the page (secretsift compiled to WebAssembly): no text is sent anywhere.
 * The module is loaded from ../js/web.mjs next to this script (override with
 * data-secretsift-module="URL" on the script tag). API: window.secretsiftGuard
 * ({ ready, scan(text), check(element) }); events: `secretsift:blocked`, `secretsift:override`
 * on the form or field.
 */
(() => {
  'use strict';
  const script = document.currentScript;
  const moduleUrl = new URL(script?.dataset.secretsiftModule ?? '../js/web.mjs', script?.src ?? location.href).href;
  const SELECTOR = 'textarea, [contenteditable=""], [contenteditable="true"], [contenteditable="plaintext-only"], '
    + 'input:not([type]), input[type=text], input[type=search], input[type=url], input[type=email], input[type=password]';

  let engine = null;
  const ready = import(moduleUrl).then(async (m) => {
    await m.default();
    engine = new m.Engine();
    document.querySelectorAll(SELECTOR).forEach((el) => { if (valueOf(el)) check(el); });
    return engine;
  });
  ready.catch((e) => console.warn('secretsift guard: could not load the scanner', e));

  const fieldOf = (node) => (node instanceof Element ? node.closest(SELECTOR) : node?.parentElement?.closest(SELECTOR)) ?? null;
  const valueOf = (el) => ('value' in el && !el.isContentEditable ? el.value : el.innerText ?? el.textContent ?? '');
  const scan = (text) => (engine && text ? engine.scan(text).filter((f) => !f.publishable) : []);
  /** Content the user has chosen to send anyway, per field. */
  const overridden = new WeakMap();

  // --- the warning bubble ------------------------------------------------------------------
  const STYLE = 'position:absolute;z-index:2147483647;max-width:28rem;padding:.5rem .7rem;border-radius:6px;'
    + 'background:#fdecea;color:#8b1a10;border:1px solid #e57373;font:13px/1.4 system-ui,sans-serif;'
    + 'box-shadow:0 2px 8px rgba(0,0,0,.2);pointer-events:none';
  const bubbles = new WeakMap();

  function warn(el, findings, { blocked = false, onOverride } = {}) {
    let b = bubbles.get(el);
    if (!b) {
      b = document.createElement('div');
      b.className = 'secretsift-warning';
      b.setAttribute('role', 'alert');
      b.style.cssText = STYLE;
      document.body.append(b);
      bubbles.set(el, b);
    }
    const providers = [...new Set(findings.map((f) => f.provider))].join(', ');
    const msg = document.createElement('span');
    msg.textContent = `${blocked ? 'Not sent: this' : 'This'} holds ${findings.length === 1 ? 'a secret' : `${findings.length} secrets`} `
      + `(${providers}: ${findings.map((f) => f.preview).join(', ')}). Anyone who reads it can use the key; remove it, or rotate the key if it was shared. `;
    b.replaceChildren(msg);
    if (blocked && onOverride) {
      const btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'secretsift-override';
      btn.textContent = 'Send anyway';
      btn.style.cssText = 'pointer-events:auto;font:inherit;margin-left:.25rem;padding:.1rem .5rem;border-radius:4px;border:1px solid #8b1a10;background:#fff;color:#8b1a10;cursor:pointer';
      btn.addEventListener('click', () => { b.remove(); bubbles.delete(el); onOverride(); });
      b.append(btn);
    }
    const r = el.getBoundingClientRect();
    b.style.left = `${r.left + scrollX}px`;
    // Above the field, so it never covers the field's own send button (below if no room).
    const above = r.top - b.offsetHeight - 4;
    b.style.top = `${(above >= 0 ? above : r.bottom + 4) + scrollY}px`;
    el.setAttribute('aria-invalid', 'true');
    el.dataset.secretsift = 'secret';
    el.style.outline = '2px solid #c62828';
  }

  function clear(el) {
    bubbles.get(el)?.remove();
    bubbles.delete(el);
    if (el.dataset.secretsift) {
      delete el.dataset.secretsift;
      el.removeAttribute('aria-invalid');
      el.style.outline = '';
    }
  }

  /** Rescans a field; returns its secrets (and updates its warning). */
  function check(el, { pasted = false } = {}) {
    const text = valueOf(el);
    const findings = scan(text);
    if (findings.length === 0) clear(el);
    else if (pasted || el.dataset.secretsift) warn(el, findings);
    else { el.dataset.secretsift = 'secret'; el.setAttribute('aria-invalid', 'true'); el.style.outline = '2px solid #c62828'; }
    return findings;
  }

  const isOverridden = (el) => overridden.get(el) === valueOf(el);

  // --- events (capture phase on window, so page handlers run after the guard) -----------------
  addEventListener('paste', (e) => {
    const el = fieldOf(e.target);
    if (!el) return;
    const pastedText = e.clipboardData?.getData('text/plain') ?? '';
    ready.then(() => {
      if (scan(pastedText).length) setTimeout(() => check(el, { pasted: true }));
    });
  }, true);

  addEventListener('input', (e) => {
    const el = fieldOf(e.target);
    if (el && engine) check(el);
  }, true);

  addEventListener('submit', (e) => {
    const form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (!engine) {
      // Not loaded yet: hold the submit, then decide.
      e.preventDefault();
      e.stopImmediatePropagation();
      const submitter = e.submitter;
      ready.then(() => form.requestSubmit(submitter?.form === form ? submitter : undefined));
      return;
    }
    const fields = [...form.querySelectorAll(SELECTOR)].filter((el) => !isOverridden(el));
    const bad = fields.map((el) => [el, check(el)]).filter(([, fs]) => fs.length);
    if (bad.length === 0) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    const submitter = e.submitter;
    const [el] = bad[0];
    warn(el, bad.flatMap(([, fs]) => fs), {
      blocked: true,
      onOverride: () => {
        for (const [f] of bad) overridden.set(f, valueOf(f));
        form.dispatchEvent(new CustomEvent('secretsift:override', { bubbles: true }));
        form.requestSubmit(submitter?.form === form ? submitter : undefined);
      },
    });
    form.dispatchEvent(new CustomEvent('secretsift:blocked', { bubbles: true, detail: { fields: bad.map(([f]) => f) } }));
  }, true);

  // Chat boxes outside forms send on Enter: block that too while a secret is present.
  addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || !engine) return;
    const el = fieldOf(e.target);
    if (!el || el.form || el.closest('form') || isOverridden(el)) return;
    if (el.tagName === 'TEXTAREA' && !el.isContentEditable && !el.dataset.secretsiftChat && !e.ctrlKey && !e.metaKey) {
      // A plain textarea takes Enter as a newline unless marked as a chat box.
      return;
    }
    const findings = check(el);
    if (findings.length === 0) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    warn(el, findings, {
      blocked: true,
      onOverride: () => {
        overridden.set(el, valueOf(el));
        el.dispatchEvent(new CustomEvent('secretsift:override', { bubbles: true }));
        el.focus();
      },
    });
    el.dispatchEvent(new CustomEvent('secretsift:blocked', { bubbles: true, detail: { fields: [el] } }));
  }, true);

  window.secretsiftGuard = { ready, scan: (text) => scan(text), check };
})();
