// What a dashboard link that names nothing shows (a malformed or mistyped #/… hash), instead of throwing.
import { emptyState, h, panel } from '../components/dom.js';
import type { View } from './view.js';

export function notFoundView(hash: string): View {
  const shown = hash.length > 120 ? `${hash.slice(0, 120)}…` : hash;
  return {
    el: h(
      'div',
      { class: 'view', 'data-testid': 'not-found' },
      panel('Not found', [emptyState('This dashboard link does not name a page or resource.'), h('p', {}, h('code', {}, shown)), h('a', { class: 'button', href: '#/repositories' }, 'Repositories')]),
    ),
  };
}
