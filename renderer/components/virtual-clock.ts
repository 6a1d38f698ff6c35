// The header's virtual-clock line: hidden at real time; otherwise the emulator's time and offset, read from
// GET /_emulator/clock at start and again on every clock.changed event (the feed's replay may bring old ones,
// so the event only says "read again"), and moved along with real time between reads.
import type { ControlClient } from '../api/control-client.js';
import { describeClock, type ClockState } from '../state/clock-format.js';
import type { FeedStore } from '../state/feed-store.js';
import { h } from './dom.js';

export function virtualClock(client: ControlClient, feed: FeedStore): HTMLElement {
  const el = h('div', { class: 'virtual-clock', 'data-testid': 'virtual-clock', role: 'status', hidden: true });
  let state: ClockState | undefined;
  let readAt = 0;
  let reads = 0;
  const show = () => {
    const text = state ? describeClock(state, readAt, Date.now()) : undefined;
    el.hidden = text === undefined;
    el.textContent = text ?? '';
    el.title = state && text ? `The emulator's clock is ${state.offsetSeconds} s from real time (ar-emulator clock reset puts it back)` : '';
  };
  const read = () => {
    const n = ++reads;
    client
      .clock()
      .then((s) => {
        if (n !== reads) return; // a later read is on its way
        state = s;
        readAt = Date.now();
        show();
      })
      .catch(() => undefined); // not allowed or not answering: the line stays as it was
  };
  feed.subscribe((added) => {
    if (added?.type === 'clock.changed') read();
  });
  setInterval(show, 30_000);
  read();
  return el;
}
