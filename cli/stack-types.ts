// Wireless stack types by name: the low byte of the "info stack" word (ST's shci.h stack types,
// as collected in the project's reference sheet, cpu2-interface §3.4).
const stackTypeNames: Record<number, string> = {
  0x00: "none",
  0x01: "BLE full",
  0x02: "BLE HCI",
  0x03: "BLE light",
  0x04: "BLE beacon",
  0x05: "BLE basic",
  0x06: "BLE full extended advertising",
  0x07: "BLE HCI extended advertising",
  0x10: "Thread FTD",
  0x11: "Thread MTD",
  0x30: "Zigbee FFD",
  0x31: "Zigbee RFD",
  0x40: "MAC 802.15.4",
  0x50: "BLE + Thread FTD static",
  0x51: "BLE + Thread FTD dynamic",
  0x52: "BLE + Thread light dynamic",
  0x60: "802.15.4 LLD tests",
  0x61: "802.15.4 PHY validation",
  0x62: "BLE PHY validation",
  0x63: "BLE LLD tests",
  0x64: "BLE RLV",
  0x65: "802.15.4 RLV",
  0x70: "BLE + Zigbee FFD static",
  0x71: "BLE + Zigbee RFD static",
  0x78: "BLE + Zigbee FFD dynamic",
  0x79: "BLE + Zigbee RFD dynamic",
  0x80: "RLV",
  0x90: "BLE + MAC static",
  0xf0: "NVM backup",
  0xf1: "NVM restore",
};

export function stackTypeName(type: number): string {
  return stackTypeNames[type] ?? `unknown type 0x${type.toString(16).toUpperCase().padStart(2, "0")}`;
}
