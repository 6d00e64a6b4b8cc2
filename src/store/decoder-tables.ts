import type { DecoderType } from '../decode/message.js';

/** Per-decoder table suffix, as ACARS Hub names its level_* and freqs_* tables. */
export const TABLE_SUFFIX: Readonly<Record<DecoderType, string>> = {
  ACARS: 'acars',
  'VDL-M2': 'vdlm2',
  HFDL: 'hfdl',
  'IMS-L': 'imsl',
  IRDM: 'irdm',
};
