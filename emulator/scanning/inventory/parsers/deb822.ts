// Control-file stanzas as dpkg writes them (deb822(5), https://manpages.debian.org/deb822; Debian Policy §5.1): a
// stanza is `Field: value` lines, continuation lines start with a space or a tab, stanzas are separated by blank
// lines, field names are case-insensitive. apk's installed database is the same shape with `K:value` lines
// (parsed in ./apk.ts). Only the first line of each field is kept (Description's continuation is not needed).
export function parseStanzas(text: string): Array<Map<string, string>> {
  const stanzas: Array<Map<string, string>> = [];
  let current = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (current.size) stanzas.push(current);
      current = new Map();
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t') || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    current.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (current.size) stanzas.push(current);
  return stanzas;
}
