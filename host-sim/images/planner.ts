// Host side of the upgrade planner: feeds the part's description and the decoded images to the
// wasm planner (assembly/image/plan.ts) and reads the steps back. No planning logic lives here.
import { basename } from "node:path";
import {
  AntirollbackMode,
  Family,
  FusBinaryVariant,
  ImageStatus,
  PlanAction,
} from "../../assembly/shared/image-codes.js";
import { formatVersion, parseVersion } from "../versions.js";
import { ImageCodec, hex32, type DecodedImage, type FamilyName } from "./footer.js";
import { imageStatusCode, imageStatusMessage, type MessageContext } from "./messages.js";

export interface ImageFile {
  /** Name shown to the user and used to tell the two V1.2.0 FUS binaries apart. */
  file: string;
  tail: Uint8Array;
  size: number;
}

export interface PartDescription {
  family: FamilyName;
  flashKb: number;
  /** Running FUS version, X.Y.Z. */
  fusVersion: string;
  /** Current SFSA option byte; undefined when not known. */
  sfsa?: number;
  /** The stack installed now (the file it came from), or undefined/null for none. */
  installedStack?: ImageFile | null;
  /** FUS V2 keeps its 16 KB NVM section although no stack is installed (SFSA 0xF0 / 0x84). */
  nvmSection?: boolean;
  /** First address after the user application. */
  appEnd?: number;
  antirollback?: "inactive" | "active" | "activate";
  /** X.Y.Z, or "none" for activated with no stack (reference 0xFFFFFFFF). */
  antirollbackReference?: string;
}

/** Plan for the part the operator runs on, as it reports itself (needs FUS running). */
export interface PartOnDevice {
  onDevice: true;
  /** First address after the user application. */
  appEnd?: number;
}

export type PlanActionName = "install-fus" | "install-safeboot" | "install-stack" | "activate-antirollback";

export interface PlannedStep {
  action: PlanActionName;
  file: string | null;
  address: number | null;
  eraseEnd: number | null;
  version: string | null;
}

export interface SkippedImage {
  file: string;
  status: ImageStatus;
}

export type PlanResult =
  | {
    ok: true; steps: PlannedStep[]; skipped: SkippedImage[]; fusAfter: string; freeStart: number; freeEnd: number;
    /**
     * Set when no application end was given: the plan kept flash from 0x08000000 up to this
     * address (28 KB, assembly/image/geometry.ts CPU1_BOOT_RESERVE_BYTES) for CPU1's boot code.
     */
    bootReserveEnd: number | null;
  }
  | { ok: false; status: ImageStatus; file: string | null; missingBytes: number; context: MessageContext };

const familyCodes: Record<FamilyName, Family> = { wb5x: Family.Wb5x, wb3x: Family.Wb3x, wb1x: Family.Wb1x };

const actionNames: Record<number, PlanActionName> = {
  [PlanAction.InstallFus]: "install-fus",
  [PlanAction.InstallSafeboot]: "install-safeboot",
  [PlanAction.InstallStack]: "install-stack",
  [PlanAction.ActivateAntirollback]: "activate-antirollback",
};

const NO_IMAGE = 0xffffffff;

/** The two V1.2.0 FUS files have identical footers; only ST's file names tell them apart. */
export function fusVariantFromName(file: string): FusBinaryVariant {
  const name = basename(file).toLowerCase();
  if (name.includes("for_fus_0_5_3")) return FusBinaryVariant.ForFus053;
  if (name.includes("fus_fw_1_2_0")) return FusBinaryVariant.ForFus1x;
  return FusBinaryVariant.Unknown;
}

export class UpgradePlanner {
  constructor(readonly codec: ImageCodec = new ImageCodec()) {}

  plan(part: PartDescription | PartOnDevice, images: ImageFile[]): PlanResult {
    const call = this.codec.call.bind(this.codec);
    const onDevice = "onDevice" in part;
    const device = onDevice ? "this part" : `${part.family.toUpperCase()} with ${part.flashKb} KB`;
    const baseContext: MessageContext = { ...(onDevice ? {} : { fusVersion: part.fusVersion }), device };
    const bootReserveEnd = (): number | null => (call("planBootReserveAssumed") === 1 ? call("planFreeStart") : null);
    const refused = (status: ImageStatus, file: string | null, extra: MessageContext = {}): PlanResult => {
      const reserve = status === ImageStatus.ImageDoesNotFit ? bootReserveEnd() : null;
      return {
        ok: false,
        status,
        file,
        missingBytes: status === ImageStatus.ImageDoesNotFit ? call("planMissingBytes") : 0,
        context: { ...baseContext, ...(file ? { file } : {}), ...(reserve === null ? {} : { bootReserveEnd: hex32(reserve) }), ...extra },
      };
    };

    if (onDevice) {
      // The operator on the part describes it itself (assembly/fus/preflight.ts planFromPart).
      const status = call("planSetPartFromDevice") as ImageStatus;
      if (status !== ImageStatus.Ok) return refused(status, null);
      // Without one given, the part's own (the firmware's end, when beyond the boot reserve) stays.
      if (part.appEnd !== undefined) call("planSetAppEnd", part.appEnd);
    } else {
      call("planReset");
      const deviceStatus = call("planSetDevice", familyCodes[part.family], part.flashKb) as ImageStatus;
      if (deviceStatus !== ImageStatus.Ok) return refused(deviceStatus, null);
      call("planSetFusVersion", parseVersion(part.fusVersion));
      call("planSetSfsa", part.sfsa ?? 0);
      call("planSetNvmSection", part.nvmSection ? 1 : 0);
      call("planSetAppEnd", part.appEnd ?? 0);
      call("planSetAntirollback", ...antirollbackInputs(part));
      if (part.installedStack) {
        const decoded = this.codec.decodeTail(part.installedStack.tail, part.installedStack.size);
        if (!decoded.ok) return refused(decoded.status, part.installedStack.file);
        const status = call("planSetInstalledStackFromImage") as ImageStatus;
        if (status !== ImageStatus.Ok) return refused(status, part.installedStack.file);
      }
    }

    const decodedImages: DecodedImage[] = [];
    for (const image of images) {
      const decoded = this.codec.decodeTail(image.tail, image.size);
      if (!decoded.ok) return refused(decoded.status, image.file);
      const status = call("planAddImage", fusVariantFromName(image.file)) as ImageStatus;
      if (status !== ImageStatus.Ok) return refused(status, image.file);
      decodedImages.push(decoded.image);
    }

    const status = call("planCompute") as ImageStatus;
    if (status !== ImageStatus.Ok) {
      const failed = call("planFailedImage");
      const described = onDevice ? null : part;
      const file = failed === NO_IMAGE ? (status === ImageStatus.ImageFamilyMismatch ? described?.installedStack?.file ?? null : null) : images[failed].file;
      const extra: MessageContext = {
        missingBytes: call("planMissingBytes"),
        ...(failed !== NO_IMAGE ? { imageVersion: decodedImages[failed].version } : {}),
        ...(described?.antirollbackReference ? { antirollbackReference: described.antirollbackReference } : {}),
      };
      return refused(status, file, extra);
    }

    const steps: PlannedStep[] = [];
    for (let index = 0; index < call("planStepCount"); index++) {
      const action = actionNames[call("planStepAction", index)];
      const image = call("planStepImage", index);
      const withImage = image !== NO_IMAGE;
      steps.push({
        action,
        file: withImage ? images[image].file : null,
        address: withImage ? call("planStepAddress", index) : null,
        eraseEnd: withImage ? call("planStepEraseEnd", index) : null,
        version: withImage ? decodedImages[image].version : null,
      });
    }
    const skipped: SkippedImage[] = [];
    images.forEach((image, index) => {
      const reason = call("planImageSkipReason", index) as ImageStatus;
      if (call("planImageStep", index) === 0 && reason !== ImageStatus.Ok) skipped.push({ file: image.file, status: reason });
    });
    return {
      ok: true,
      steps,
      skipped,
      fusAfter: formatVersion(call("planFinalFusVersion")),
      freeStart: call("planFreeStart"),
      freeEnd: call("planFreeEnd"),
      bootReserveEnd: bootReserveEnd(),
    };
  }
}

function antirollbackInputs(part: PartDescription): [number, number] {
  const mode = part.antirollback ?? "inactive";
  if (mode === "inactive") return [AntirollbackMode.Inactive, 0];
  if (mode === "activate") return [AntirollbackMode.ActivateAfterPlan, 0];
  const reference = part.antirollbackReference;
  if (reference === undefined) return [AntirollbackMode.Active, 0];
  return [AntirollbackMode.Active, reference === "none" ? 0xffffffff : parseVersion(reference)];
}

/** The JSON shape of a refusal: `{ code, message }` plus what the caller may act on. */
export function refusalJson(result: Extract<PlanResult, { ok: false }>): { code: string; message: string; [detail: string]: unknown } {
  return {
    code: imageStatusCode(result.status),
    message: imageStatusMessage(result.status, result.context),
    ...(result.file ? { file: result.file } : {}),
    ...(result.status === ImageStatus.ImageDoesNotFit ? { missingBytes: result.missingBytes } : {}),
  };
}

export function stepJson(step: PlannedStep): Record<string, unknown> {
  return {
    action: step.action,
    file: step.file,
    address: step.address === null ? null : hex32(step.address),
    ...(step.eraseEnd === null ? {} : { eraseEnd: hex32(step.eraseEnd) }),
    ...(step.version === null ? {} : { version: step.version }),
  };
}
