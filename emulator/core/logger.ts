// The logger interface that every layer receives (never a global), and two implementations.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(area: string): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Writes one line per entry through `sink` (stderr in the CLI). */
/**
 * `text` (default): `TIME LEVEL [area] message {fields}`, for people. `json`: one JSON object per line for machines,
 * `{"time","level","area","msg",...fields}` (a field named like one of the four is kept under `fields`).
 */
export type LogFormat = 'text' | 'json';

export function createLineLogger(opts: { level?: LogLevel; sink: (line: string) => void; area?: string; format?: LogFormat }): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const area = opts.area ?? 'emulator';
  const log = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    const time = new Date().toISOString();
    if (opts.format === 'json') {
      const has = fields && Object.keys(fields).length > 0;
      const clash = has && ['time', 'level', 'area', 'msg'].some((k) => k in fields!);
      const record = { time, level, area, msg, ...(has ? (clash ? { fields } : fields) : {}) };
      opts.sink(safeJson(record as LogFields));
      return;
    }
    const extra = fields && Object.keys(fields).length ? ' ' + safeJson(fields) : '';
    opts.sink(`${time} ${level.toUpperCase().padEnd(5)} [${area}] ${msg}${extra}`);
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (child) => createLineLogger({ ...opts, area: `${area}:${child}` }),
  };
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};

function safeJson(fields: LogFields): string {
  try {
    return JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v));
  } catch {
    return '[unserialisable fields]';
  }
}
