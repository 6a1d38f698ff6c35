// A tiny element builder: h('div', {class: 'x'}, child, …). Text is always set as text (never innerHTML),
// so event payloads and names from the API cannot inject markup.
export type Child = Node | string | number | false | null | undefined;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, '').toLowerCase(), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === false || c === null || c === undefined) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

export function replaceChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

export function relativeTime(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(s)) return '';
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return new Date(iso).toLocaleDateString();
}

export function clockTime(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** A panel with a title row (title, optional actions) and a body. */
export function panel(title: string, body: Child | Child[], actions: Child[] = []): HTMLElement {
  return h('section', { class: 'panel' }, h('header', { class: 'panel-head' }, h('h2', {}, title), h('div', { class: 'actions' }, ...actions)), ...(Array.isArray(body) ? body : [body]));
}

export function emptyState(text: string): HTMLElement {
  return h('p', { class: 'empty' }, text);
}

export function errorState(err: unknown): HTMLElement {
  return h('p', { class: 'error-box', role: 'alert' }, err instanceof Error ? err.message : String(err));
}

/** Definition list from [label, value] pairs; empty values are skipped. */
export function facts(rows: Array<[string, Child]>): HTMLElement {
  const dl = h('dl', { class: 'facts' });
  for (const [k, v] of rows) if (v !== undefined && v !== '' && v !== null && v !== false) dl.append(h('dt', {}, k), h('dd', {}, v));
  return dl;
}

export function copyButton(text: string, label = 'Copy', select?: HTMLElement): HTMLButtonElement {
  const b = h('button', { class: 'ghost small', type: 'button', title: `Copy ${text.length > 80 ? 'to the clipboard' : text}`, 'data-testid': 'copy' }, label);
  b.addEventListener('click', () => {
    void copyText(text).then((copied) => {
      if (!copied && select) selectContents(select);
      b.textContent = copied ? 'Copied' : 'Press Ctrl+C';
      setTimeout(() => (b.textContent = label), copied ? 1200 : 4000);
    });
  });
  return b;
}

/**
 * Copies with the async Clipboard API; where it is missing (a page that is not a secure context) or refused,
 * with a selected off-screen textarea and execCommand('copy'). False when neither works.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // refused (no permission, document not focused): try the older way
  }
  const area = h('textarea', { class: 'copy-buffer', readonly: true, 'aria-hidden': 'true', tabindex: -1 });
  area.value = text;
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

/** Selects an element's text, so the user can copy it by hand when the page may not. */
export function selectContents(el: HTMLElement): void {
  const range = document.createRange();
  range.selectNodeContents(el);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
}
