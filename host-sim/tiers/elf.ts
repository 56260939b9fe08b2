// Just enough of ELF32 (little-endian, ARM) for tier 2: loadable segments to program into flash,
// and the symbol table to find API functions, the linear memory and the fault handler.

export interface LoadSegment {
  physicalAddress: number;
  data: Uint8Array;
}

export interface ElfImage {
  entry: number;
  segments: LoadSegment[];
  symbols: Map<string, { address: number; size: number }>;
}

const PT_LOAD = 1;
const SHT_SYMTAB = 2;

export function parseElf(file: Uint8Array): ElfImage {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (view.getUint32(0, false) !== 0x7f454c46 || file[4] !== 1 || file[5] !== 1) {
    throw new Error("not a 32-bit little-endian ELF file");
  }
  const entry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const shoff = view.getUint32(32, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  const shentsize = view.getUint16(46, true);
  const shnum = view.getUint16(48, true);

  const segments: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    const offset = view.getUint32(at + 4, true);
    const physicalAddress = view.getUint32(at + 12, true);
    const fileSize = view.getUint32(at + 16, true);
    if (fileSize > 0) segments.push({ physicalAddress, data: file.slice(offset, offset + fileSize) });
  }

  const symbols = new Map<string, { address: number; size: number }>();
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    if (view.getUint32(at + 4, true) !== SHT_SYMTAB) continue;
    const offset = view.getUint32(at + 16, true);
    const size = view.getUint32(at + 20, true);
    const link = view.getUint32(at + 24, true);
    const entrySize = view.getUint32(at + 36, true);
    const strtabOffset = view.getUint32(shoff + link * shentsize + 16, true);
    for (let s = offset; s < offset + size; s += entrySize) {
      const nameOffset = view.getUint32(s, true);
      if (nameOffset === 0) continue;
      let end = strtabOffset + nameOffset;
      while (file[end] !== 0) end++;
      const name = new TextDecoder().decode(file.subarray(strtabOffset + nameOffset, end));
      symbols.set(name, { address: view.getUint32(s + 4, true), size: view.getUint32(s + 8, true) });
    }
  }
  return { entry, segments, symbols };
}
