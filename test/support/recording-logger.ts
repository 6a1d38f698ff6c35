// A Logger that keeps every line it is given, for tests that assert what was (or was not) logged.
import type { LogFields, Logger } from '../../emulator/core/logger.js';

export interface LogLine {
  level: string;
  msg: string;
  fields?: LogFields;
}

/** The logger and the lines it has kept (children share them). */
export function recordingLogger(lines: LogLine[] = []): { logger: Logger; lines: LogLine[] } {
  const log = (level: string) => (msg: string, fields?: LogFields) => void lines.push({ level, msg, fields });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return { logger, lines };
}
