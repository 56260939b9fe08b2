// The loader's own failure codes, valid in AssemblyScript and TypeScript (like assembly/shared/codes.ts).
// They follow the operator's OperatorStatus values in one numbering, so that a console final line
// `ERROR <CODE> <message>` names either kind; the values start at 100 to leave the operator room.

export enum LoaderError {
  /** The console line names no command. */
  UnknownCommand = 100,
  /** The command's arguments are wrong (`json on|off`, ...). */
  UsageError = 101,
  /** A console line longer than the line buffer: it was discarded whole. */
  LineTooLong = 102,
  /** The sender cancelled the transfer (CAN CAN). */
  TransferCancelled = 103,
  /** The sender went silent: retries of C/NAK ran out. */
  TransferTimeout = 104,
  /** The sender ended the file (EOT) before the size its header announced. */
  TransferIncomplete = 105,
  /** A block arrived out of order (neither the next one nor a repeat of the last one). */
  TransferOutOfSequence = 106,
  /** Too many damaged blocks in a row (CRC or block-number complement wrong). */
  TransferTooManyErrors = 107,
  /** The batch header (block 0) carries no file name or an unreadable size. */
  TransferHeaderInvalid = 108,
  /** The batch carried more than one file; the loader takes one image per command. */
  TransferTooManyFiles = 109,
  /** The file does not fit the flash the command may write. */
  ImageTooLarge = 110,
  /** The file carries no size in its header; the loader needs it to place the image. */
  ImageSizeUnknown = 111,
  /** Nothing valid in the application slot to boot. */
  NoApplication = 112,
}
