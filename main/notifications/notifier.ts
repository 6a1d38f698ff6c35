// Shows the notices NotificationRules decides on as desktop notifications; a click opens the dashboard where
// the notice points. The only timer is the one waking up for grouped notices.
import { Notification } from 'electron';
import type { Notice, NotificationRules, ShellEvent } from './notification-rules.js';

export class Notifier {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly rules: NotificationRules,
    private readonly now: () => number,
    private readonly onClick: (notice: Notice) => void,
  ) {}

  offer(event: ShellEvent): void {
    const notice = this.rules.offer(event);
    if (notice) this.show(notice);
    this.schedule();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const at = this.rules.nextDueAt();
    if (at === undefined || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const n of this.rules.due()) this.show(n);
      this.schedule();
    }, Math.max(0, at - this.now()));
  }

  private show(notice: Notice): void {
    if (!Notification.isSupported()) return;
    const n = new Notification({ title: notice.title, body: notice.body, silent: notice.kind === 'push' });
    n.on('click', () => this.onClick(notice));
    n.show();
  }
}
