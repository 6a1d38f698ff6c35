// /etc/os-release and /usr/lib/os-release, by os-release(5)
// (https://www.freedesktop.org/software/systemd/man/latest/os-release.html): newline-separated `KEY=value`
// assignments, `#` comments, values optionally in double or single quotes; inside double quotes `\"`, `\\`, `\$`
// and `` \` `` are escapes. `/etc/os-release` takes precedence over `/usr/lib/os-release`.
export interface OsRelease {
  id: string;
  versionId?: string;
  prettyName?: string;
}

export function parseOsReleaseFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (!m) continue;
    fields.set(m[1]!, unquote(m[2]!));
  }
  return fields;
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  return v;
}

/** The OS an os-release file names, or undefined when it has no `ID` (os-release(5) says `ID` defaults to `linux`). */
export function parseOsRelease(text: string): OsRelease | undefined {
  const f = parseOsReleaseFields(text);
  const id = (f.get('ID') ?? '').toLowerCase();
  if (!id) return undefined;
  const os: OsRelease = { id };
  const versionId = f.get('VERSION_ID');
  if (versionId) os.versionId = versionId;
  const prettyName = f.get('PRETTY_NAME');
  if (prettyName) os.prettyName = prettyName;
  return os;
}
