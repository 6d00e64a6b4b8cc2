/**
 * The two ways an adoption is refused or fails. Both are ContrailErrors, so the CLI prints the
 * message and exits 1; callers match on the code.
 */
import { ContrailError } from '../errors.js';

/** The file is not an ACARS Hub database of a schema generation Contrail knows. */
export class LegacySchemaError extends ContrailError {
  constructor(message: string) {
    super('CONTRAIL_ERR_LEGACY_SCHEMA', message);
  }
}

/** The adoption was refused (output in the way, same file) or failed; nothing was left behind. */
export class AdoptError extends ContrailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONTRAIL_ERR_ADOPT', message, options);
  }
}
