/**
 * Joins the parts of a long ACARS message. A part carries its message number's base (`D10`) and
 * sequence letter (`A`, `B`, ...): `D10A` with "more to follow", `D10B`, then `D10C` saying no
 * more follow. Parts of one message share decoder type, aircraft, label and base.
 *
 * A group is created when a second part arrives (or a first that says more follow): a first
 * part alone is only remembered, because acarsdec never says whether more follow. A group is
 * complete once every letter from A to the one that said "no more" arrived; when its window
 * passes without that word (acarsdec), it is closed as complete if its letters run from A
 * without a gap, and incomplete otherwise. Either way every part stays stored.
 */

export interface PartInput {
  id: number;
  type: string;
  label: string | null;
  msgno: string | null;
  icao: string | null;
  tail: string | null;
  flight: string | null;
  /** 1 more follow, 0 last, null unknown. */
  more: number | null;
  text: string | null;
  time: number;
  /** When it arrived (epoch ms): windows close by arrival, as in the dedup window. */
  arrived: number;
}

export interface Part {
  id: number;
  letter: string;
  more: number | null;
  text: string | null;
}

export interface Group {
  /** The multipart row id; 0 until the writer inserts it. */
  id: number;
  key: string;
  type: string;
  label: string | null;
  base: string;
  icao: string | null;
  tail: string | null;
  flight: string | null;
  firstTime: number;
  lastTime: number;
  /** Arrival (epoch ms) of its newest part: the group closes `windowS` after it. */
  lastArrived: number;
  /** By letter. */
  parts: Map<string, Part>;
  complete: boolean;
}

export type PartOutcome =
  /** Not a part of a longer message (or nothing to join it with yet). */
  | { kind: 'single' }
  /** A new group: insert it, then point every part at it (the remembered first part too). */
  | { kind: 'new'; group: Group }
  | { kind: 'joined'; group: Group };

const LETTER = /^[A-Z]$/;

/** Parts of one message share decoder type, aircraft (its first known identifier), label and msgno base. */
export function groupKey(p: Pick<Group, 'type' | 'icao' | 'tail' | 'flight' | 'label' | 'base'>): string | null {
  const who = p.icao ?? p.tail ?? p.flight;
  return who === null ? null : `${p.type}|${who}|${p.label ?? ''}|${p.base}`;
}

/**
 * The parts' texts in letter order. A part whose text already begins with everything before it
 * replaces it: acarsdec 4 and dumpvdl2 reassemble by themselves, and their last part (acarsdec's
 * `assstat: "complete"`) holds the whole message; appended, the earlier blocks would appear twice.
 */
export function joinedText(g: Group): string {
  let text = '';
  for (const letter of [...g.parts.keys()].sort()) {
    const t = g.parts.get(letter)!.text ?? '';
    text = text.length > 0 && t.startsWith(text) ? t : text + t;
  }
  return text;
}

/** Letters A.. without a gap, and (when `needEnd`) the last one said no more follow. */
export function isComplete(g: Group, needEnd: boolean): boolean {
  const letters = [...g.parts.keys()].sort();
  for (let i = 0; i < letters.length; i++) if (letters[i] !== String.fromCharCode(65 + i)) return false;
  const last = g.parts.get(letters.at(-1)!)!;
  return needEnd ? last.more === 0 : last.more !== 1;
}

/** Sets `key` as the map's newest entry (Map keeps insertion order; an update would keep the old place). */
function toEnd<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
}

export class MultipartAssembler {
  readonly #windowS: number;
  /**
   * Both maps are kept in arrival order (an entry moves to the end when it changes), so expiry
   * walks from the front and stops at the first entry still open: a busy aggregator holds tens
   * of thousands of first parts, and expiry runs every batch.
   */
  readonly #groups = new Map<string, Group>();
  /** First parts (letter A) that may get siblings. */
  readonly #firsts = new Map<string, { part: Part; input: PartInput }>();

  constructor(windowS: number) {
    this.#windowS = windowS;
  }

  /** Open groups, for restart: the writer reloads them with `restore` (oldest first). */
  restore(g: Group): void {
    toEnd(this.#groups, g.key, g);
  }

  offer(p: PartInput): PartOutcome {
    const msgno = p.msgno;
    if (msgno === null || msgno.length !== 4 || !LETTER.test(msgno[3]!)) return { kind: 'single' };
    const base = msgno.slice(0, 3);
    const letter = msgno[3]!;
    const key = groupKey({ ...p, base });
    if (key === null) return { kind: 'single' };
    const part: Part = { id: p.id, letter, more: p.more, text: p.text };
    const open = this.#groups.get(key);
    if (open && p.time - open.lastTime <= this.#windowS && !open.parts.has(letter)) {
      open.parts.set(letter, part);
      open.lastTime = Math.max(open.lastTime, p.time);
      open.lastArrived = Math.max(open.lastArrived, p.arrived);
      open.complete = isComplete(open, true);
      if (open.complete) this.#groups.delete(key);
      else toEnd(this.#groups, key, open);
      return { kind: 'joined', group: open };
    }
    if (letter === 'A' && p.more !== 1) {
      // Maybe a single block, maybe the first of several (acarsdec does not say): remember it.
      if (p.more === null) {
        toEnd(this.#firsts, key, { part, input: p });
      }
      return { kind: 'single' };
    }
    const group: Group = {
      id: 0, key, type: p.type, label: p.label, base, icao: p.icao, tail: p.tail, flight: p.flight,
      firstTime: p.time, lastTime: p.time, lastArrived: p.arrived, parts: new Map([[letter, part]]), complete: false,
    };
    const first = this.#firsts.get(key);
    if (first && letter !== 'A' && p.time - first.input.time <= this.#windowS) {
      group.parts.set('A', first.part);
      group.firstTime = first.input.time;
    }
    this.#firsts.delete(key);
    group.complete = isComplete(group, true);
    if (group.complete) this.#groups.delete(key);
    else toEnd(this.#groups, key, group);
    return { kind: 'new', group };
  }

  /**
   * Groups whose window passed, by arrival (`nowMs`: the newest arrival seen), decided: the
   * writer stores their final state. Arrival, not message time: sources whose clocks or replays
   * lag the others would otherwise see their groups closed at once.
   */
  expire(nowMs: number): Group[] {
    const out: Group[] = [];
    const cutoff = nowMs - this.#windowS * 1000;
    for (const [key, g] of this.#groups) {
      if (g.lastArrived >= cutoff) break;
      this.#groups.delete(key);
      g.complete = isComplete(g, false);
      out.push(g);
    }
    for (const [key, f] of this.#firsts) {
      if (f.input.arrived >= cutoff) break;
      this.#firsts.delete(key);
    }
    return out;
  }

  clear(): void {
    this.#groups.clear();
    this.#firsts.clear();
  }
}
