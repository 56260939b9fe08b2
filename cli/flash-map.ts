// The part's flash as a picture: one region model (flashRegions) feeds both the terminal drawing and
// the SVG, so they always show the same thing. Regions run from the flash base to its end; the secure
// area starts at SFSA (SFSA × sector size above the base, cpu2-interface §2) and CPU2 boots at SBRV
// (SBRV × 4 above the base).
import { hexAddress, hexValue } from "./command.js";

export const FLASH_BASE = 0x08000000;

export type RegionKind = "application" | "free" | "staged" | "nvm" | "stack" | "fus" | "secure";

export interface FlashRegion {
  kind: RegionKind;
  start: number;
  end: number;
  label: string;
}

export interface FlashMarker {
  name: "SFSA" | "SBRV";
  /** The option byte's value. */
  value: number;
  /** The address it means. */
  address: number;
  meaning: string;
}

export interface FlashMap {
  flashEnd: number;
  sectorBytes: number;
  regions: FlashRegion[];
  markers: FlashMarker[];
}

/** What is known about a part's flash; anything missing is drawn as the secure area or free space. */
export interface FlashLayout {
  flashKb: number;
  sectorBytes: number;
  sfsa: number;
  sbrv?: number;
  /** First address after the user application; undefined when not known. */
  appEnd?: number;
  staged?: { start: number; end: number; label: string }[];
  stack?: { start: number; end: number; label: string } | null;
  nvm?: { start: number; end: number } | null;
}

export function sfsaAddress(sfsa: number, sectorBytes: number): number {
  return FLASH_BASE + sfsa * sectorBytes;
}

export function sbrvAddress(sbrv: number): number {
  return FLASH_BASE + sbrv * 4;
}

/** The region model: ordered, non-overlapping, covering the whole flash. */
export function flashRegions(layout: FlashLayout): FlashMap {
  const flashEnd = FLASH_BASE + layout.flashKb * 1024;
  const secureStart = Math.min(flashEnd, sfsaAddress(layout.sfsa, layout.sectorBytes));
  const regions: FlashRegion[] = [];
  let cursor = FLASH_BASE;
  const add = (kind: RegionKind, start: number, end: number, label: string) => {
    if (end <= start) return;
    if (start > cursor) regions.push({ kind: cursor < secureStart ? "free" : "secure", start: cursor, end: start, label: cursor < secureStart ? "free" : "secure area" });
    regions.push({ kind, start, end, label });
    cursor = end;
  };
  if (layout.appEnd !== undefined) add("application", FLASH_BASE, Math.min(layout.appEnd, secureStart), "application (CPU1)");
  for (const image of [...(layout.staged ?? [])].sort((a, b) => a.start - b.start)) {
    add("staged", Math.max(image.start, cursor), Math.min(image.end, secureStart), image.label);
  }
  if (cursor < secureStart) add("free", cursor, secureStart, "free");
  cursor = Math.max(cursor, secureStart);
  const secureParts: FlashRegion[] = [];
  if (layout.nvm) secureParts.push({ kind: "nvm", ...layout.nvm, label: "stack NVM section" });
  if (layout.stack) secureParts.push({ kind: "stack", ...layout.stack });
  for (const region of secureParts.sort((a, b) => a.start - b.start)) add(region.kind, Math.max(region.start, cursor), region.end, region.label);
  // FUS sits at the top of flash (with Safeboot); what lies between is secure area the operator cannot read.
  if (cursor < flashEnd) add("fus", cursor, flashEnd, layout.stack ? "FUS (and Safeboot)" : "secure area: FUS (and Safeboot)");
  const markers: FlashMarker[] = [
    { name: "SFSA", value: layout.sfsa, address: secureStart, meaning: "secure flash starts (CPU1 cannot read or write above)" },
  ];
  if (layout.sbrv !== undefined) markers.push({ name: "SBRV", value: layout.sbrv, address: sbrvAddress(layout.sbrv), meaning: "CPU2 boots here" });
  return { flashEnd, sectorBytes: layout.sectorBytes, regions, markers };
}

const glyphs: Record<RegionKind, string> = { application: "A", free: ".", staged: "I", nvm: "N", stack: "S", fus: "F", secure: "#" };

function sizeText(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} bytes`;
}

/** Cells per region: proportional to size, at least one for any region. */
function cellWidths(map: FlashMap, columns: number): number[] {
  const total = map.flashEnd - FLASH_BASE;
  const widths = map.regions.map((region) => Math.max(1, Math.round(((region.end - region.start) / total) * columns)));
  let excess = widths.reduce((sum, width) => sum + width, 0) - columns;
  while (excess > 0) {
    const widest = widths.indexOf(Math.max(...widths));
    widths[widest]--;
    excess--;
  }
  if (excess < 0) widths[widths.indexOf(Math.max(...widths))] -= excess;
  return widths;
}

/** The terminal picture: a bar from the flash base (left) to the flash end, then one line per region. */
export function renderFlashMapText(map: FlashMap, columns = 64): string {
  const widths = cellWidths(map, columns);
  const bar = map.regions.map((region, index) => glyphs[region.kind].repeat(widths[index])).join("");
  const lines = [
    `flash ${hexAddress(FLASH_BASE)}..${hexAddress(map.flashEnd)} (${sizeText(map.flashEnd - FLASH_BASE)}, ${sizeText(map.sectorBytes)} sectors)`,
    `|${bar}|`,
  ];
  for (const region of map.regions) {
    lines.push(`  ${glyphs[region.kind]} ${hexAddress(region.start)}..${hexAddress(region.end)} ${sizeText(region.end - region.start).padStart(8)}  ${region.label}`);
  }
  for (const marker of map.markers) {
    lines.push(`  ${marker.name} ${hexValue(marker.value)} = ${hexAddress(marker.address)}: ${marker.meaning}`);
  }
  return lines.join("\n");
}

const colours: Record<RegionKind, string> = {
  application: "#4e79a7", free: "#e8e8e8", staged: "#f28e2b", nvm: "#b07aa1", stack: "#59a14f", fus: "#e15759", secure: "#bab0ac",
};

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);
}

/** The same picture as SVG; each region and marker carries its addresses as data attributes. */
export function renderFlashMapSvg(map: FlashMap, title: string): string {
  const width = 960;
  const barTop = 40;
  const barHeight = 48;
  const total = map.flashEnd - FLASH_BASE;
  const x = (address: number) => ((address - FLASH_BASE) / total) * width;
  const parts: string[] = [];
  map.regions.forEach((region, index) => {
    const left = x(region.start);
    const regionWidth = Math.max(1, x(region.end) - left);
    parts.push(`<rect data-region="${region.kind}" data-start="${hexAddress(region.start)}" data-end="${hexAddress(region.end)}" ` +
      `x="${left.toFixed(1)}" y="${barTop}" width="${regionWidth.toFixed(1)}" height="${barHeight}" fill="${colours[region.kind]}" stroke="#333"><title>${escapeXml(region.label)}</title></rect>`);
    const legendY = barTop + barHeight + 60 + index * 18;
    parts.push(`<rect x="0" y="${legendY - 11}" width="12" height="12" fill="${colours[region.kind]}" stroke="#333"/>` +
      `<text x="18" y="${legendY}">${hexAddress(region.start)}..${hexAddress(region.end)} ${sizeText(region.end - region.start)} ${escapeXml(region.label)}</text>`);
  });
  map.markers.forEach((marker, index) => {
    const markerX = x(marker.address).toFixed(1);
    parts.push(`<line data-marker="${marker.name}" data-address="${hexAddress(marker.address)}" data-value="${hexValue(marker.value)}" ` +
      `x1="${markerX}" y1="${barTop - 8}" x2="${markerX}" y2="${barTop + barHeight + 8}" stroke="#000" stroke-width="2"/>` +
      `<text x="${markerX}" y="${barTop + barHeight + 22 + index * 14}" text-anchor="end">${marker.name} ${hexValue(marker.value)} = ${hexAddress(marker.address)}</text>`);
  });
  const height = barTop + barHeight + 70 + map.regions.length * 18;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="12">`,
    `<text x="0" y="20">${escapeXml(title)}: flash ${hexAddress(FLASH_BASE)}..${hexAddress(map.flashEnd)}</text>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
