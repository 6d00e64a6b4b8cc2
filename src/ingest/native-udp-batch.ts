/**
 * Reads one batch from the native UDP receiver (layout in native/src/batch.h): a u32 count and
 * a u32 table offset, the datagrams' bytes, then per datagram f64 arrivalMs, u32 offset, u32
 * length, u32 size, u32 flags. The addon writes it in the machine's byte order, which typed
 * arrays read natively.
 */

const HEADER_WORDS = 2;
const META_BYTES = 24;
const FLAG_TRUNCATED = 1;

export type DatagramVisitor = (bytes: Uint8Array, size: number, arrivalMs: number, truncated: boolean) => void;

/**
 * Calls `visit` for each datagram in arrival order; `bytes` is a view into the batch (copy what
 * is kept). `size` is the datagram's real size; it exceeds bytes.length only when truncated.
 * Returns the sum of the sizes.
 */
export function forEachDatagram(batch: ArrayBuffer, visit: DatagramVisitor): number {
  const header = new Uint32Array(batch, 0, HEADER_WORDS);
  const count = header[0]!;
  const metaOffset = header[1]!;
  if (metaOffset % 8 !== 0 || metaOffset + count * META_BYTES > batch.byteLength) throw new RangeError('malformed native UDP batch');
  const times = new Float64Array(batch, metaOffset, count * 3);
  const words = new Uint32Array(batch, metaOffset, count * 6);
  let total = 0;
  for (let k = 0; k < count; k++) {
    const w = k * 6;
    const offset = words[w + 2]!;
    const length = words[w + 3]!;
    const size = words[w + 4]!;
    total += size;
    visit(new Uint8Array(batch, offset, length), size, times[k * 3]!, (words[w + 5]! & FLAG_TRUNCATED) !== 0);
  }
  return total;
}
