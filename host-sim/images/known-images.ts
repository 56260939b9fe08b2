// Genuine ST coprocessor images the simulated FUS accepts as authentic by identity (sha256 of the
// whole file), so that ST's real binaries can be installed on a virtual board. Facts copied from
// test/fixtures/copro-footers/index.json (CubeWB v1.24.0): file name, family, sha256, size,
// footer version word; kind, real version, stack format, stack type and FUS V1.2.0 variant are
// derived as README "Genuine ST images" explains (stack type from the file name with the codes of
// cpu2-interface §3.4; AdvScan, RCP and LLD are choices).
import type { Family } from "../chip/variants.js";
import type { StackFormat } from "../board.js";

export type ImageKindName = "fus" | "stack" | "safeboot";
/** Which of the two V1.2.0 FUS binaries (fus-behaviour §3.1): one for parts on V0.5.3, one for V1.x. */
export type FusVariant = "for-0.5.3" | "for-1.x";

export interface KnownImage {
  file: string;
  family: Family;
  sha256: string;
  size: number;
  kind: ImageKindName;
  /** Version FUS reports once installed (V1.2.0 files carry 0xFFFFFFFF in the footer). */
  version: number;
  footerVersionWord: number;
  format: StackFormat | null;
  stackType: number;
  fusVariant: FusVariant | null;
}

type Row = [string, Family, string, number, ImageKindName, number, number, StackFormat | null, number, FusVariant | null];

const rows: Row[] = [
  ["stm32wb1x_BLE_HCILayer_extended_fw.bin", "wb1x", "b30a93f41b6a40f9105219b11a01b1f099a552020c908bac1bdbd7243e9574f6", 96664, "stack", 0x01180003, 0x01180003, "legacy", 0x07, null],
  ["stm32wb1x_BLE_HCILayer_fw.bin", "wb1x", "973b11b4d5d074e0ae950b10dd4f4897fedc5c8ddb6c487dfbd66f243d21f066", 75016, "stack", 0x01180003, 0x01180003, "legacy", 0x02, null],
  ["stm32wb1x_BLE_HCI_AdvScan_fw.bin", "wb1x", "0ef40f14973474a02fcd58fc0d8131157178b57c838ea23be91cb9a5a48a3ca2", 33160, "stack", 0x01180003, 0x01180003, "legacy", 0x02, null],
  ["stm32wb1x_BLE_LLD_fw.bin", "wb1x", "5d21ef6391b27ade618dc183eaadce0dc2532e0a086902c1de8f99151d947149", 26116, "stack", 0x01120000, 0x01120000, "legacy", 0x63, null],
  ["stm32wb1x_BLE_Stack_full_extended_fw.bin", "wb1x", "9b2ed0996eff54b244240f54e85cd4ae7e443065eb14e29f84cb6a17138f981a", 164196, "stack", 0x01180003, 0x01180003, "new", 0x06, null],
  ["stm32wb1x_BLE_Stack_full_fw.bin", "wb1x", "2d88f8c31f9b9c2623568717fff335633f51418ddf7bdc7b851ebabc445a135f", 128848, "stack", 0x01180003, 0x01180003, "new", 0x01, null],
  ["stm32wb1x_BLE_Stack_light_fw.bin", "wb1x", "12c854e846f02573ecd9f7ad3994e21a80d6b06375d38ed10fa94e55b94d2c8c", 99144, "stack", 0x01180003, 0x01180003, "new", 0x03, null],
  ["stm32wb1x_FUS_fw.bin", "wb1x", "e64bf8a8d3e653acfd0c8f0e4631f226c285d61e2bc120a1246cf68e5f920077", 24468, "fus", 0x02020001, 0x02020001, null, 0x00, null],
  ["stm32wb1x_Safeboot_fw.bin", "wb1x", "464e1fe2b6903c7c99f63fb43e35d56572b39dd035fdcc037b6b78f797d6e74c", 4244, "safeboot", 0x02000100, 0x02000100, null, 0x00, null],
  ["stm32wb1x_Safeboot_fw_2_0_0.bin", "wb1x", "69b49f7eb22c4a2b2eec18589675680ebd827a10409dafb84859d8c97fc1ffb9", 6292, "safeboot", 0x02000000, 0x02000000, null, 0x00, null],
  ["stm32wb3x_BLE_HCILayer_extended_fw.bin", "wb3x", "64aa2684c7bda24f0e5491f07c5f2fa89b77e7a8dd2abb67e5add075f9d4fdf4", 98244, "stack", 0x01180003, 0x01180003, "legacy", 0x07, null],
  ["stm32wb3x_BLE_HCILayer_fw.bin", "wb3x", "7c7971bdf306d45e7651081c4b35ec68aef51e9751b4a65d5ad4c8215872d66e", 76104, "stack", 0x01180003, 0x01180003, "legacy", 0x02, null],
  ["stm32wb3x_BLE_HCI_AdvScan_fw.bin", "wb3x", "c6bcd03a67361925ec4c06c260cfeee130febde5d5ed49a18b05c7cc65a5aece", 35772, "stack", 0x01180003, 0x01180003, "legacy", 0x02, null],
  ["stm32wb3x_BLE_LLD_fw.bin", "wb3x", "2fcc10ec1a008109e4f55b789c4f3dcd0e526b47234cf774651316c3703b154d", 30528, "stack", 0x01120000, 0x01120000, "legacy", 0x63, null],
  ["stm32wb3x_BLE_Mac_802_15_4_fw.bin", "wb3x", "02aef3d2ffb5c0ce39bc8d2ada9925fda04cc7ea84823dee4bf0a8c0c0052559", 194516, "stack", 0x01180001, 0x01180001, "new", 0x90, null],
  ["stm32wb3x_BLE_Stack_full_extended_fw.bin", "wb3x", "c616e2d362b002a9b671536a28ab95a1c050a130a298659fe8fd2a7a29855f76", 165288, "stack", 0x01180003, 0x01180003, "new", 0x06, null],
  ["stm32wb3x_BLE_Stack_full_fw.bin", "wb3x", "b7855d9ce0b012fabff5782a574a3038e6e5b1889c5c9bcdb06c2cab2201c05d", 129460, "stack", 0x01180003, 0x01180003, "new", 0x01, null],
  ["stm32wb3x_BLE_Stack_light_fw.bin", "wb3x", "5c64f2400172f17ee439aae8578fb2e5dd4b4cb32c829f82d523f3173ab75840", 99752, "stack", 0x01180003, 0x01180003, "new", 0x03, null],
  ["stm32wb3x_FUS_fw.bin", "wb3x", "bbab9b42d92c31f8a04e2f04ef9361c3f6f01714c14408cd34fb1583a6edf30d", 24468, "fus", 0x02020000, 0x02020000, null, 0x00, null],
  ["stm32wb3x_FUS_fw_1_2_0.bin", "wb3x", "2712d4d23417c00af9a0fb6337c6f93118d8ffce02c61db7f4e611b74baddbfd", 24492, "fus", 0x01020000, 0xffffffff, null, 0x00, "for-1.x"],
  ["stm32wb3x_FUS_fw_for_fus_0_5_3.bin", "wb3x", "3f73a9be93eec3de7ff663d4b8a7669064c86f841db401c8ccee4f6ccd4e4b30", 24492, "fus", 0x01020000, 0xffffffff, null, 0x00, "for-0.5.3"],
  ["stm32wb3x_Mac_802_15_4_fw.bin", "wb3x", "e88ca4a1111e38b08d098a8b09cdf0813eca85113668ec6580b79d7536621c4a", 74100, "stack", 0x01180001, 0x01180001, "legacy", 0x40, null],
  ["stm32wb3x_Phy_802_15_4_fw.bin", "wb3x", "a2baf1152bfcece11a6ad008866d2f3b8dc6b8b5892377fb8ef4720c9effb045", 91308, "stack", 0x01180001, 0x01180001, "legacy", 0x61, null],
  ["stm32wb3x_Safeboot_fw.bin", "wb3x", "805067c4393519bdffa2f56bfaad51e172a3d8ef1c6bab114216f617dbef5548", 4244, "safeboot", 0x02000100, 0x02000100, null, 0x00, null],
  ["stm32wb3x_Safeboot_fw_2_0_0.bin", "wb3x", "897fa776fa21a61395d554107212927dc3635238306d9b27e2b74c03db376348", 7316, "safeboot", 0x02000003, 0x02000003, null, 0x00, null],
  ["stm32wb3x_Thread_FTD_fw.bin", "wb3x", "53babb15ecb9da0961aacba612be0b1273e79271232348c545f1bb87c73b9e84", 423364, "stack", 0x01180002, 0x01180002, "legacy", 0x10, null],
  ["stm32wb3x_Thread_MTD_fw.bin", "wb3x", "269d483f2aec06ccacf8e05e744b7f7e143ba81aaee3c8d14b1ae0d4005986cd", 340176, "stack", 0x01180002, 0x01180002, "legacy", 0x11, null],
  ["stm32wb3x_Thread_RCP_fw.bin", "wb3x", "c113601f52f665556c372dd147da5ff413a573c9113ddb835eef0df2125039ec", 84076, "stack", 0x01180002, 0x01180002, "legacy", 0x10, null],
  ["stm32wb3x_Zigbee_FFD_fw.bin", "wb3x", "2b37a828956d92278bca23918fbe6ec8a190a377fe4c433f5a415147c9c468a5", 346692, "stack", 0x01180001, 0x01180001, "legacy", 0x30, null],
  ["stm32wb3x_Zigbee_RFD_fw.bin", "wb3x", "93912904065823727727c37a06081b2dd4a2a8171c365ef570d92012826631e7", 284972, "stack", 0x01180001, 0x01180001, "legacy", 0x31, null],
  ["stm32wb5x_BLE_HCILayer_extended_fw.bin", "wb5x", "64aa2684c7bda24f0e5491f07c5f2fa89b77e7a8dd2abb67e5add075f9d4fdf4", 98244, "stack", 0x01180003, 0x01180003, "legacy", 0x07, null],
  ["stm32wb5x_BLE_HCILayer_fw.bin", "wb5x", "7c7971bdf306d45e7651081c4b35ec68aef51e9751b4a65d5ad4c8215872d66e", 76104, "stack", 0x01180003, 0x01180003, "legacy", 0x02, null],
  ["stm32wb5x_BLE_HCI_AdvScan_fw.bin", "wb5x", "c6bcd03a67361925ec4c06c260cfeee130febde5d5ed49a18b05c7cc65a5aece", 35772, "stack", 0x01180003, 0x01180003, "legacy", 0x02, null],
  ["stm32wb5x_BLE_LLD_fw.bin", "wb5x", "2fcc10ec1a008109e4f55b789c4f3dcd0e526b47234cf774651316c3703b154d", 30528, "stack", 0x01120000, 0x01120000, "legacy", 0x63, null],
  ["stm32wb5x_BLE_Mac_802_15_4_fw.bin", "wb5x", "02aef3d2ffb5c0ce39bc8d2ada9925fda04cc7ea84823dee4bf0a8c0c0052559", 194516, "stack", 0x01180001, 0x01180001, "new", 0x90, null],
  ["stm32wb5x_BLE_Stack_full_extended_fw.bin", "wb5x", "c616e2d362b002a9b671536a28ab95a1c050a130a298659fe8fd2a7a29855f76", 165288, "stack", 0x01180003, 0x01180003, "new", 0x06, null],
  ["stm32wb5x_BLE_Stack_full_fw.bin", "wb5x", "b7855d9ce0b012fabff5782a574a3038e6e5b1889c5c9bcdb06c2cab2201c05d", 129460, "stack", 0x01180003, 0x01180003, "new", 0x01, null],
  ["stm32wb5x_BLE_Stack_light_fw.bin", "wb5x", "5c64f2400172f17ee439aae8578fb2e5dd4b4cb32c829f82d523f3173ab75840", 99752, "stack", 0x01180003, 0x01180003, "new", 0x03, null],
  ["stm32wb5x_BLE_Thread_dynamic_fw.bin", "wb5x", "11024a07220d22b912d41c86e154383b0745a83edf109da2c7032b9db4815b96", 549008, "stack", 0x01180002, 0x01180002, "new", 0x51, null],
  ["stm32wb5x_BLE_Thread_static_fw.bin", "wb5x", "64ea4dcfa3d927f735c8e2be1866cd51b1d4e340a62156108a063d35c6a67c71", 539532, "stack", 0x01180002, 0x01180002, "new", 0x50, null],
  ["stm32wb5x_BLE_Zigbee_FFD_dynamic_fw.bin", "wb5x", "67ccb0c7522581c0e29672815f7fe9df23051e4c35eea45946add44439179f17", 471300, "stack", 0x01180001, 0x01180001, "new", 0x78, null],
  ["stm32wb5x_BLE_Zigbee_FFD_static_fw.bin", "wb5x", "a6b6c651687593f4e9a4b1b131849118cb5e3e8a41b92ff86cc2d5ec248118c3", 464036, "stack", 0x01180001, 0x01180001, "new", 0x70, null],
  ["stm32wb5x_BLE_Zigbee_RFD_dynamic_fw.bin", "wb5x", "dafe7298b5510b00bb737dac0729e1393095bbf80a1bfaf1e69bac199af977b7", 409432, "stack", 0x01180001, 0x01180001, "new", 0x79, null],
  ["stm32wb5x_BLE_Zigbee_RFD_static_fw.bin", "wb5x", "363f1932d7c087264a39715e9ba2568a6f349858dfe00007960bfed60c6cfba8", 402292, "stack", 0x01180001, 0x01180001, "new", 0x71, null],
  ["stm32wb5x_FUS_fw.bin", "wb5x", "bbab9b42d92c31f8a04e2f04ef9361c3f6f01714c14408cd34fb1583a6edf30d", 24468, "fus", 0x02020000, 0x02020000, null, 0x00, null],
  ["stm32wb5x_FUS_fw_1_2_0.bin", "wb5x", "2712d4d23417c00af9a0fb6337c6f93118d8ffce02c61db7f4e611b74baddbfd", 24492, "fus", 0x01020000, 0xffffffff, null, 0x00, "for-1.x"],
  ["stm32wb5x_FUS_fw_for_fus_0_5_3.bin", "wb5x", "3f73a9be93eec3de7ff663d4b8a7669064c86f841db401c8ccee4f6ccd4e4b30", 24492, "fus", 0x01020000, 0xffffffff, null, 0x00, "for-0.5.3"],
  ["stm32wb5x_Mac_802_15_4_fw.bin", "wb5x", "e88ca4a1111e38b08d098a8b09cdf0813eca85113668ec6580b79d7536621c4a", 74100, "stack", 0x01180001, 0x01180001, "legacy", 0x40, null],
  ["stm32wb5x_Phy_802_15_4_fw.bin", "wb5x", "a2baf1152bfcece11a6ad008866d2f3b8dc6b8b5892377fb8ef4720c9effb045", 91308, "stack", 0x01180001, 0x01180001, "legacy", 0x61, null],
  ["stm32wb5x_Safeboot_fw.bin", "wb5x", "805067c4393519bdffa2f56bfaad51e172a3d8ef1c6bab114216f617dbef5548", 4244, "safeboot", 0x02000100, 0x02000100, null, 0x00, null],
  ["stm32wb5x_Safeboot_fw_2_0_0.bin", "wb5x", "897fa776fa21a61395d554107212927dc3635238306d9b27e2b74c03db376348", 7316, "safeboot", 0x02000003, 0x02000003, null, 0x00, null],
  ["stm32wb5x_Thread_FTD_fw.bin", "wb5x", "53babb15ecb9da0961aacba612be0b1273e79271232348c545f1bb87c73b9e84", 423364, "stack", 0x01180002, 0x01180002, "legacy", 0x10, null],
  ["stm32wb5x_Thread_MTD_fw.bin", "wb5x", "269d483f2aec06ccacf8e05e744b7f7e143ba81aaee3c8d14b1ae0d4005986cd", 340176, "stack", 0x01180002, 0x01180002, "legacy", 0x11, null],
  ["stm32wb5x_Thread_RCP_fw.bin", "wb5x", "c113601f52f665556c372dd147da5ff413a573c9113ddb835eef0df2125039ec", 84076, "stack", 0x01180002, 0x01180002, "legacy", 0x10, null],
  ["stm32wb5x_Zigbee_FFD_fw.bin", "wb5x", "2b37a828956d92278bca23918fbe6ec8a190a377fe4c433f5a415147c9c468a5", 346692, "stack", 0x01180001, 0x01180001, "legacy", 0x30, null],
  ["stm32wb5x_Zigbee_RFD_fw.bin", "wb5x", "93912904065823727727c37a06081b2dd4a2a8171c365ef570d92012826631e7", 284972, "stack", 0x01180001, 0x01180001, "legacy", 0x31, null],
];

const known: KnownImage[] = rows.map(
  ([file, family, sha256, size, kind, version, footerVersionWord, format, stackType, fusVariant]) =>
    ({ file, family, sha256, size, kind, version, footerVersionWord, format, stackType, fusVariant }));

export const KNOWN_IMAGES: readonly KnownImage[] = known;

/** Adds a genuine image the table lacks (another CubeWB release the user holds); its facts are the caller's. */
export function registerKnownImage(image: KnownImage): void {
  if (!known.some((entry) => entry.sha256 === image.sha256)) known.push(image);
}

/** Genuine images of a given size (the FUS model locates an image by its size, then checks the hash). */
export function knownImagesOfSize(size: number): KnownImage[] {
  return KNOWN_IMAGES.filter((image) => image.size === size);
}

export function knownImageBySha256(sha256: string): KnownImage | undefined {
  return KNOWN_IMAGES.find((image) => image.sha256 === sha256);
}
