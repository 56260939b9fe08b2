// Version words as CPU2 and the image footers carry them: major[31:24] minor[23:16] sub[15:8]
// branch[7:4] build[3:0] (cpu2-interface §3.4).

export function parseVersion(text: string): number {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`'${text}' is not a version X.Y.Z`);
  const [major, minor, sub] = match.slice(1).map(Number);
  if (major > 255 || minor > 255 || sub > 255) throw new Error(`'${text}': each part of a version is one byte`);
  return ((major << 24) | (minor << 16) | (sub << 8)) >>> 0;
}

export function formatVersion(word: number): string {
  return `${(word >>> 24) & 0xff}.${(word >>> 16) & 0xff}.${(word >>> 8) & 0xff}`;
}
