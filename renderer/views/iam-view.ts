// IAM: the policy of a chosen repository (roles and members, etag) and the recent policy violations from
// the live feed, whatever emitted them.
import type { PolicyResource } from '../api/types.js';
import { clockTime, emptyState, errorState, facts, h, panel, replaceChildren } from '../components/dom.js';
import { describeEvent, shortRepository } from '../state/event-format.js';
import { repositoryHref, type View, type ViewContext } from './view.js';

export function iamView(ctx: ViewContext, repository?: string): View {
  const picker = h('select', { 'aria-label': 'repository' }, h('option', { value: '' }, 'Choose a repository…'));
  picker.addEventListener('change', () => picker.value && (location.hash = repositoryHref(picker.value, 'iam')));
  const policyBox = h('div', {}, repository ? emptyState('Loading…') : emptyState('Choose a repository to see its policy.'));
  const violations = h('ol', { class: 'feed compact', 'data-testid': 'violations' });

  const renderViolations = () => {
    const found = ctx.feed.all().filter((e) => describeEvent(e).category === 'violation').slice(-50).reverse();
    replaceChildren(
      violations,
      ...(found.length
        ? found.map((e) => {
            const v = describeEvent(e);
            return h('li', { class: 'entry cat-violation' }, h('time', { datetime: e.time }, clockTime(e.time)), h('div', { class: 'what' }, h('div', { class: 'title' }, v.title), h('div', { class: 'detail' }, v.detail)));
          })
        : [emptyState('No policy violations seen.')]),
    );
  };

  void ctx.client
    .listRepositories(ctx.scope.project, ctx.scope.location)
    .then((repos) => {
      for (const r of repos) picker.append(h('option', { value: r.name, selected: r.name === repository }, shortRepository(r.name)));
    })
    .catch(() => undefined);
  if (repository) {
    ctx.client
      .getIamPolicy(repository)
      .then((p) => replaceChildren(policyBox, policyTable(p)))
      .catch((err: unknown) => replaceChildren(policyBox, errorState(err)));
  }
  renderViolations();
  const unsubscribe = ctx.feed.subscribe((e) => e && describeEvent(e).category === 'violation' && renderViolations());
  const el = h(
    'div',
    { class: 'view' },
    h('div', { class: 'grid-2' }, panel('Repository', [picker, facts([['IAM mode', h('span', { class: 'pill' }, ctx.info.iamMode)], ['Enforcement', ctx.info.iamMode === 'enforce' ? 'every request is checked against these policies' : 'open: callers without credentials act as the local owner']])]), panel('Recent violations', violations)),
    panel(repository ? `Policy of ${shortRepository(repository)}` : 'Policy', policyBox),
  );
  return { el, dispose: unsubscribe };
}

function policyTable(p: PolicyResource): HTMLElement {
  const bindings = p.bindings ?? [];
  return h(
    'div',
    {},
    bindings.length
      ? h(
          'table',
          { class: 'data', 'data-testid': 'policy' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Role'), h('th', {}, 'Members'), h('th', {}, 'Condition'))),
          h('tbody', {}, ...bindings.map((b) => h('tr', {}, h('td', {}, h('code', {}, b.role)), h('td', {}, ...b.members.map((m) => h('div', {}, m))), h('td', { class: 'muted' }, b.condition?.title ?? b.condition?.expression ?? '')))),
        )
      : emptyState('No bindings on this repository (project policies and open mode may still allow access).'),
    facts([['Version', String(p.version ?? 1)], ['Etag', h('code', {}, p.etag)]]),
  );
}
