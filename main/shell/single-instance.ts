// One desktop app per user: a second launch hands over to the first (which shows its dashboard) and quits.
import { app } from 'electron';

/** True when this process is the one instance; otherwise it quits and returns false. */
export function claimSingleInstance(onSecondLaunch: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', onSecondLaunch);
  return true;
}
