// The device-information table CPU2 writes into SRAM2a, in either layout (cpu2-interface §3.2-§3.4).
import { read32, copyIn } from "../hal";
import { OperatorStatus, DeviceInfoLayout } from "../shared/codes";
import { REFERENCE_TABLE, REF_DEVICE_INFO, DEVICE_INFO_TABLE_SIZE } from "../mailbox/layout";

export const FUS_INFO_KEYWORD: u32 = 0xa94656b9;

const table: usize = memory.data(0x38);
let layout: DeviceInfoLayout = DeviceInfoLayout.None;

function word(offset: u32): u32 {
  return load<u32>(table + offset);
}

/** Copies the table CPU2 wrote and tells which layout it is in. */
export function readDeviceInfo(): OperatorStatus {
  layout = DeviceInfoLayout.None;
  const address = read32(REFERENCE_TABLE + REF_DEVICE_INFO);
  if (address == 0) return OperatorStatus.DeviceInfoUnreadable;
  copyIn(table, address, DEVICE_INFO_TABLE_SIZE);
  if (word(0) == FUS_INFO_KEYWORD) {
    layout = DeviceInfoLayout.Fus;
  } else if (word(0x04) != 0 || word(0x10) != 0) {
    layout = DeviceInfoLayout.WirelessStack; // FUS version word or stack version word filled in
  } else {
    return OperatorStatus.DeviceInfoUnreadable;
  }
  return OperatorStatus.Ok;
}

export function infoLayout(): DeviceInfoLayout {
  return layout;
}
export function infoSafebootVersion(): u32 {
  return layout == DeviceInfoLayout.Fus ? word(0x08) : layout == DeviceInfoLayout.WirelessStack ? word(0x00) : 0;
}
export function infoFusVersion(): u32 {
  return layout == DeviceInfoLayout.Fus ? word(0x0c) : layout == DeviceInfoLayout.WirelessStack ? word(0x04) : 0;
}
export function infoFusMemorySize(): u32 {
  return layout == DeviceInfoLayout.Fus ? word(0x10) : layout == DeviceInfoLayout.WirelessStack ? word(0x08) : 0;
}
export function infoStackVersion(): u32 {
  return layout == DeviceInfoLayout.Fus ? word(0x14) : layout == DeviceInfoLayout.WirelessStack ? word(0x10) : 0;
}
export function infoStackMemorySize(): u32 {
  return layout == DeviceInfoLayout.Fus ? word(0x18) : layout == DeviceInfoLayout.WirelessStack ? word(0x14) : 0;
}
/**
 * Stack type (§3.4 "info stack" low byte). In the FUS layout byte +0x07 is named "current wireless
 * stack type" but its values are not documented (§3.3, §9): reading it with the §3.4 codes is a
 * [hypothesis] the simulator shares (host-sim/cpu2/device-info.ts); treat it as advisory there.
 */
export function infoStackType(): u32 {
  return layout == DeviceInfoLayout.Fus ? load<u8>(table + 0x07) : layout == DeviceInfoLayout.WirelessStack ? word(0x18) & 0xff : 0;
}
/** UID64 and device id exist only in the FUS layout (§3.3). */
export function infoUid64Low(): u32 {
  return layout == DeviceInfoLayout.Fus ? word(0x28) : 0;
}
export function infoUid64High(): u32 {
  return layout == DeviceInfoLayout.Fus ? word(0x2c) : 0;
}
export function infoDeviceId(): u32 {
  return layout == DeviceInfoLayout.Fus ? <u32>load<u16>(table + 0x30) : 0;
}
