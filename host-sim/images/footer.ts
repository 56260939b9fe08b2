// Host side of the coprocessor-image code: hands file tails and flash chunks to the operator's
// wasm module and reads the results back. All decoding, scanning and planning happens in the wasm
// (assembly/image), the same code the device runs; this file only moves bytes and names values.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { instantiateOperator, checkLinearRange, type HalImports, type OperatorModule } from "../tiers/wasm-module.js";
import { ImageKind, ImageStatus, SectorClass, SignatureKind, StackFormat } from "../../assembly/shared/image-codes.js";
import { formatVersion } from "../versions.js";

/** Image code is pure: any hardware access from it is a bug, so every hal import throws. */
export function pureHal(): HalImports {
  const refuse = (name: string) => (): never => {
    throw new Error(`image code called hal.${name}; assembly/image must stay free of hardware access`);
  };
  return {
    read8: refuse("read8"),
    read16: refuse("read16"),
    read32: refuse("read32"),
    write8: refuse("write8"),
    write16: refuse("write16"),
    write32: refuse("write32"),
    copyIn: refuse("copyIn"),
    copyOut: refuse("copyOut"),
    delayUs: refuse("delayUs"),
    nowUs: refuse("nowUs"),
  };
}

export function instantiateImageModule(): OperatorModule {
  return instantiateOperator(pureHal());
}

export type ImageKindName = "fus" | "stack" | "safeboot";
export type StackFormatName = "legacy" | "new";
export type SignatureName = "st" | "customer";
export type FamilyName = "wb5x" | "wb3x" | "wb1x";

export interface DecodedImage {
  kind: ImageKindName;
  format: StackFormatName | null;
  /** Version the image installs, X.Y.Z (FUS V1.2.0 files say 0xFFFFFFFF and install 1.2.0). */
  version: string;
  versionWord: number;
  /** Word the planner compares: versionWord, except 0x01020000 for FUS V1.2.0's 0xFFFFFFFF. */
  effectiveVersionWord: number;
  sectors: number;
  stagingSectors: number;
  sectorBytes: number;
  /** Families whose sector size the image was cut for (WB5x and WB3x images are identical). */
  families: FamilyName[];
  signatures: SignatureName[];
  magic: number;
  info1: number;
  memorySizeWord: number;
  sram2aNonSecureKb: number;
  sram2bNonSecureKb: number;
  /** NVM data section a new-format stack declares, in bytes (0 otherwise). */
  nvmBytes: number;
  safebootV2: boolean;
  size: number;
}

export type DecodeResult = { ok: true; image: DecodedImage } | { ok: false; status: ImageStatus };

const kindNames: Record<number, ImageKindName> = {
  [ImageKind.Fus]: "fus",
  [ImageKind.Stack]: "stack",
  [ImageKind.Safeboot]: "safeboot",
};

/** Names of the image exports of the operator module (assembly/image/api.ts). */
export type ImageExport =
  | "imageTailBuffer" | "imageTailCapacity" | "imageDecode" | "imageKind" | "imageFormat" | "imageSectorClass"
  | "imageSectors" | "imageStagingSectors" | "imageVersion" | "imageVersionWord" | "imageMemorySize" | "imageMagic"
  | "imageInfo1" | "imageNvmSectors" | "imageIsSafebootV2" | "imageSignatureCount" | "imageSignatureKind"
  | "imageScanBegin" | "imageScanChunk" | "imageScanHits" | "imageScanFirstAddress" | "imageScanFirstMagic"
  | "planReset" | "planSetDevice" | "planSetFusVersion" | "planSetSfsa" | "planSetInstalledStack"
  | "planSetInstalledStackFromImage" | "planSetNvmSection" | "planSetAppEnd" | "planSetAntirollback" | "planAddImage"
  | "planImageCount" | "planCompute" | "planStepCount" | "planStepAction" | "planStepImage" | "planStepAddress"
  | "planStepEraseEnd" | "planMissingBytes" | "planFailedImage" | "planImageStep" | "planImageSkipReason"
  | "planFreeStart" | "planFreeEnd" | "planFinalFusVersion" | "planSetPartFromDevice" | "planBootReserveAssumed";

/**
 * How the host reaches the module: the bare wasm instance (offline CLI, tier-1 tests) or an
 * OperatorTier (wasm in V8 or the ARM firmware in unicorn, both against a virtual chip).
 */
export interface OperatorAccess {
  call(name: string, ...args: number[]): number;
  writeLinear(pointer: number, data: Uint8Array): void;
}

export function moduleAccess(module: OperatorModule): OperatorAccess {
  return {
    call: (name, ...args) => {
      const exported = module.exports[name];
      if (!exported) throw new Error(`the operator module has no export ${name}`);
      return exported(...args);
    },
    writeLinear: (pointer, data) => {
      checkLinearRange(pointer, data.length);
      module.memory().set(data, pointer);
    },
  };
}

/** The operator module's image exports, typed; results come back as unsigned 32-bit numbers. */
export class ImageCodec {
  constructor(readonly access: OperatorAccess = moduleAccess(instantiateImageModule())) {}

  call(name: ImageExport, ...args: number[]): number {
    return this.access.call(name, ...args.map((value) => value >>> 0)) >>> 0;
  }

  /** Copies up to the tail buffer's capacity into it (flash chunks or a file's last bytes). */
  private fillTailBuffer(bytes: Uint8Array): void {
    const capacity = this.tailCapacity;
    if (bytes.length > capacity) throw new Error(`tail of ${bytes.length} bytes exceeds the ${capacity}-byte buffer`);
    this.access.writeLinear(this.call("imageTailBuffer"), bytes);
  }

  get tailCapacity(): number {
    return this.call("imageTailCapacity");
  }

  /** Decodes a file from its last bytes; `tail` must end with the file's last byte. */
  decodeTail(tail: Uint8Array, fileSize: number): DecodeResult {
    // The module takes a 32-bit size: a file of 4 GiB or more is no image (no footer's sector
    // count reaches it) and must not be read modulo 2^32.
    if (!(fileSize <= 0xffff_ffff)) return { ok: false, status: ImageStatus.SectorCountMismatch };
    const capacity = this.tailCapacity;
    const used = tail.length > capacity ? tail.subarray(tail.length - capacity) : tail;
    this.fillTailBuffer(used);
    const status = this.call("imageDecode", used.length, fileSize) as ImageStatus;
    if (status !== ImageStatus.Ok) return { ok: false, status };
    return { ok: true, image: this.readDecoded(fileSize) };
  }

  /** The image the module decoded last (valid after a successful decode). */
  private readDecoded(size: number): DecodedImage {
    const sectorClass = this.call("imageSectorClass") as SectorClass;
    const format = this.call("imageFormat") as StackFormat;
    const memorySizeWord = this.call("imageMemorySize");
    const sectorBytes = sectorClass === SectorClass.Sector2K ? 0x800 : 0x1000;
    const signatures: SignatureName[] = [];
    for (let index = 0; index < this.call("imageSignatureCount"); index++) {
      signatures.push(this.call("imageSignatureKind", index) === SignatureKind.Customer ? "customer" : "st");
    }
    const effectiveVersionWord = this.call("imageVersion");
    return {
      kind: kindNames[this.call("imageKind")],
      format: format === StackFormat.New ? "new" : format === StackFormat.Legacy ? "legacy" : null,
      version: formatVersion(effectiveVersionWord),
      versionWord: this.call("imageVersionWord"),
      effectiveVersionWord,
      sectors: this.call("imageSectors"),
      stagingSectors: this.call("imageStagingSectors"),
      sectorBytes,
      families: sectorClass === SectorClass.Sector2K ? ["wb1x"] : ["wb5x", "wb3x"],
      signatures,
      magic: this.call("imageMagic"),
      info1: this.call("imageInfo1"),
      memorySizeWord,
      sram2aNonSecureKb: (memorySizeWord >>> 16) & 0xff,
      sram2bNonSecureKb: (memorySizeWord >>> 24) & 0xff,
      nvmBytes: this.call("imageNvmSectors") * sectorBytes,
      safebootV2: this.call("imageIsSafebootV2") !== 0,
      size,
    };
  }

  /**
   * Scans flash contents for footer magics FUS could mistake for an image. `flash` holds memory
   * from `startAddress` on; words in [skipStart, skipEnd) are ignored. Returns the module's result.
   */
  scanForStaleImages(flash: Uint8Array, startAddress: number, skipStart = 0, skipEnd = 0): StaleScan {
    this.call("imageScanBegin", skipStart, skipEnd);
    const chunkBytes = this.tailCapacity;
    let status = ImageStatus.Ok;
    for (let offset = 0; offset + 4 <= flash.length; offset += chunkBytes) {
      const end = Math.min(flash.length, offset + chunkBytes) & ~3;
      this.fillTailBuffer(flash.subarray(offset, end));
      status = this.call("imageScanChunk", end - offset, startAddress + offset) as ImageStatus;
    }
    return {
      status,
      hits: this.call("imageScanHits"),
      firstAddress: this.call("imageScanFirstAddress"),
      firstMagic: this.call("imageScanFirstMagic"),
    };
  }
}

export interface StaleScan {
  status: ImageStatus;
  hits: number;
  firstAddress: number;
  firstMagic: number;
}

/** The last `length` bytes of a file and its size, without reading the whole file. */
export function readFileTail(path: string, length = 256): { tail: Uint8Array; size: number } {
  const size = statSync(path).size;
  const count = Math.min(length, size);
  const tail = new Uint8Array(count);
  const descriptor = openSync(path, "r");
  try {
    let done = 0;
    while (done < count) {
      const read = readSync(descriptor, tail, done, count - done, size - count + done);
      if (read === 0) break;
      done += read;
    }
  } finally {
    closeSync(descriptor);
  }
  return { tail, size };
}

export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
}
