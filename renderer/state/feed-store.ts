// The live feed's state: the newest events (bounded), category and text filters, pause (new events are held
// back and counted, then shown on resume), and per-minute counts for the activity chart. No DOM.
import type { FeedEvent } from '../api/types.js';
import { categoryOf, describeEvent, type EventCategory } from './event-format.js';

const CAPACITY = 1000;

export class FeedStore {
  private events: FeedEvent[] = [];
  private held: FeedEvent[] = [];
  private readonly seen = new Set<number>();
  private readonly listeners = new Set<(added?: FeedEvent) => void>();
  paused = false;
  /** blob-level transfers and server notices are off by default: a push is one line, not four */
  hidden = new Set<EventCategory>(['server', 'blob']);
  text = '';

  add(e: FeedEvent): void {
    if (this.seen.has(e.id)) return;
    this.seen.add(e.id);
    if (this.paused) this.held.push(e);
    else this.push(e);
    this.changed(e);
  }

  get heldCount(): number {
    return this.held.length;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) {
      for (const e of this.held) this.push(e);
      this.held = [];
    }
    this.changed();
  }

  toggleCategory(c: EventCategory): void {
    if (this.hidden.has(c)) this.hidden.delete(c);
    else this.hidden.add(c);
    this.changed();
  }

  setText(text: string): void {
    this.text = text.trim().toLowerCase();
    this.changed();
  }

  /** Shown events, newest first. */
  visible(): FeedEvent[] {
    const out: FeedEvent[] = [];
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (this.hidden.has(categoryOf(e))) continue;
      if (this.text) {
        const v = describeEvent(e);
        if (!`${e.type} ${v.title} ${v.detail}`.toLowerCase().includes(this.text)) continue;
      }
      out.push(e);
    }
    return out;
  }

  all(): readonly FeedEvent[] {
    return this.events;
  }

  /** Events per minute over the last `minutes` minutes ending at `now`, oldest first. */
  perMinute(now: number, minutes = 30): number[] {
    const counts = new Array<number>(minutes).fill(0);
    const start = Math.floor(now / 60_000) - minutes + 1;
    for (const e of this.events) {
      const slot = Math.floor(Date.parse(e.time) / 60_000) - start;
      if (slot >= 0 && slot < minutes && categoryOf(e) !== 'server') counts[slot]!++;
    }
    return counts;
  }

  /** `listener` gets the event just added, or nothing when only the filters or pause changed. */
  subscribe(listener: (added?: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private push(e: FeedEvent): void {
    this.events.push(e);
    if (this.events.length > CAPACITY) this.seen.delete(this.events.shift()!.id);
  }

  private changed(added?: FeedEvent): void {
    for (const l of this.listeners) l(added);
  }
}
