// Working next to ST's STM32_WPAN middleware: the application booted CPU2 itself (TL_Init's tables
// in SRAM2a, C2BOOT set, cpu2-interface §4.1), so the operator does not build tables or set C2BOOT
// again (a second C2BOOT does nothing, §1.4). It follows the reference table at 0x20030000
// (IPCCDBA = 0, §1.7, §3.1) to the system table's command buffer and event queue (§3.5) and the
// memory manager's free-buffer queue (§3.6), and uses them as ST's transport layer does (§4.2,
// §4.3). The hand-off: while the operator runs, the system channel is its own — it masks channel 2
// in C1MR (both directions, §1.2) so that ST's IPCC interrupt handler, which only serves unmasked
// channels (HWIPCC), leaves the flags and the queue alone; detach() gives the masks back. The
// application must not have a system command of its own outstanding, and must not send one until
// detach().
import { read32, write32 } from "../hal";
import { IPCC_C1MR, PWR_CR4, PWR_CR4_C2BOOT, FLASH_IPCCBR, FLASH_IPCCBR_IPCCDBA_MASK, SRAM2A_BASE } from "../chip/registers";
import { OperatorStatus, Cpu2Mode, DeviceInfoLayout } from "../shared/codes";
import { REFERENCE_TABLE, REF_SYSTEM, REF_MEMORY_MANAGER, PACKET_BUFFER_SIZE } from "./layout";
import * as ipcc from "./ipcc";
import { useExistingChannel, drainEvents, mode, setMode } from "./system";
import * as info from "../fus/info";
import { markBooted, forgetBoot, bootCpu2 } from "./boot";

const SRAM2A_BYTES: u32 = 0x8000;
/** C1MR: CH2OM (occupied mask, bit 1) and CH2FM (free mask, bit 17) — §1.2. */
const SYSTEM_CHANNEL_MASKS: u32 = (1 << 1) | (1 << 17);

/** The masks the application had on channel 2 before attach (restored by detach). */
let savedMasks: u32 = 0;
let attached: bool = false;

export function isAttached(): bool {
  return attached;
}

function inSram2a(address: u32, length: u32): bool {
  return address >= SRAM2A_BASE && address + length <= SRAM2A_BASE + SRAM2A_BYTES;
}

/**
 * Attaches to a CPU2 another CPU1 component booted. Cpu2NotBooted when C2BOOT is clear (boot it
 * with bootCpu2 instead), SharedTablesInvalid when the tables do not point into SRAM2a, ChannelBusy
 * while the application's own system command is still outstanding.
 */
export function attach(): OperatorStatus {
  if ((read32(FLASH_IPCCBR) & FLASH_IPCCBR_IPCCDBA_MASK) != 0) return OperatorStatus.MailboxOffsetUnsupported;
  if ((read32(PWR_CR4) & PWR_CR4_C2BOOT) == 0) return OperatorStatus.Cpu2NotBooted;
  const systemTable = read32(REFERENCE_TABLE + REF_SYSTEM);
  const memoryManager = read32(REFERENCE_TABLE + REF_MEMORY_MANAGER);
  if (!inSram2a(systemTable, 8) || !inSram2a(memoryManager, 0x1c)) return OperatorStatus.SharedTablesInvalid;
  const command = read32(systemTable);
  const events = read32(systemTable + 4);
  const freeBuffers = read32(memoryManager + 0x10);
  // ST declares the command buffer ALIGN(4); the system channel writes and reads its header as words.
  if (!inSram2a(command, PACKET_BUFFER_SIZE - 1) || (command & 3) != 0 || !inSram2a(events, 8) || !inSram2a(freeBuffers, 8)) {
    return OperatorStatus.SharedTablesInvalid;
  }
  if (ipcc.isOccupiedByCpu1(ipcc.SYSTEM_CHANNEL)) return OperatorStatus.ChannelBusy;
  const masks = read32(IPCC_C1MR);
  if (!attached) savedMasks = masks & SYSTEM_CHANNEL_MASKS;
  write32(IPCC_C1MR, masks | SYSTEM_CHANNEL_MASKS);
  useExistingChannel(command, events, freeBuffers);
  attached = true;
  // Events the application left queued (its READY among them) tell what runs; otherwise the
  // device information's layout does (§3.3: the FUS keyword, or the stack layout).
  const drained = drainEvents();
  if (drained != OperatorStatus.Ok) return drained;
  if (mode() == Cpu2Mode.Unknown) {
    if (info.readDeviceInfo() != OperatorStatus.Ok) return OperatorStatus.DeviceInfoUnreadable;
    setMode(info.infoLayout() == DeviceInfoLayout.Fus ? Cpu2Mode.Fus : Cpu2Mode.WirelessStack);
  }
  markBooted();
  return OperatorStatus.Ok;
}

/**
 * Gives the system channel back to the application's middleware (its C1MR masks as they were).
 * The operator forgets CPU2 until the next resume, which attaches again.
 */
export function detach(): void {
  if (!attached) return;
  write32(IPCC_C1MR, (read32(IPCC_C1MR) & ~SYSTEM_CHANNEL_MASKS) | savedMasks);
  attached = false;
  forgetBoot();
}

/** After a CPU1 start: attach when the application already booted CPU2, boot it otherwise. */
export function bootOrAttach(readyTimeoutUs: u32): OperatorStatus {
  return (read32(PWR_CR4) & PWR_CR4_C2BOOT) != 0 ? attach() : bootCpu2(readyTimeoutUs);
}
