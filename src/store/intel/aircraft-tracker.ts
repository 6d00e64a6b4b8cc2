/**
 * Ties messages to aircraft. An aircraft is found by its ICAO address first, then by its
 * registration; a message with only a flight number is tied to the aircraft last seen on that
 * flight within a session window that depends on the link: minutes on VHF (ACARS, VDL-M2),
 * hours on HF and satellite links, whose aircraft report far less often. A flight heard before
 * any address or registration gets a record of its own, which takes the first registration or
 * address heard with that flight in the window.
 *
 * Lookups go through the `AircraftStore` (the writer's prepared statements) on a cache miss, so
 * the record survives restarts; changes are collected and written once per batch.
 */

export interface Aircraft {
  id: number;
  icao: string | null;
  tail: string | null;
  flight: string | null;
  firstSeen: number;
  lastSeen: number;
  lastType: string;
  messages: number;
  lat: number | null;
  lon: number | null;
  alt: number | null;
  positionTime: number | null;
}

export interface AircraftStore {
  byIcao(icao: string): Aircraft | null;
  byTail(tail: string): Aircraft | null;
  /** The aircraft last seen on this flight, seen at or after `since`. */
  byFlight(flight: string, since: number): Aircraft | null;
  /** Inserts and returns the id. */
  insert(a: Omit<Aircraft, 'id'>): number;
}

export interface Sighting {
  type: string;
  time: number;
  icao: string | null;
  tail: string | null;
  flight: string | null;
  lat: number | null;
  lon: number | null;
  alt: number | null;
}

/** Session windows: how long after an aircraft was last heard a flight number alone still names it. */
export const SESSION_WINDOW_S: Readonly<Record<string, number>> = {
  ACARS: 30 * 60,
  'VDL-M2': 30 * 60,
  HFDL: 4 * 3600,
  'IMS-L': 6 * 3600,
  IRDM: 6 * 3600,
};

export class AircraftTracker {
  readonly #store: AircraftStore;
  readonly #byIcao = new Map<string, Aircraft>();
  readonly #byTail = new Map<string, Aircraft>();
  readonly #byFlight = new Map<string, Aircraft>();
  /** Changed since the last `drain()`. */
  readonly #dirty = new Set<Aircraft>();

  constructor(store: AircraftStore) {
    this.#store = store;
  }

  /** The aircraft for this message (created when needed), updated with it; null when the message names none. */
  see(s: Sighting): Aircraft | null {
    const window = SESSION_WINDOW_S[s.type] ?? 30 * 60;
    let a: Aircraft | null = null;
    if (s.icao !== null) a = this.#cached(this.#byIcao, s.icao, () => this.#store.byIcao(s.icao!));
    if (a === null && s.tail !== null) {
      const byTail = this.#cached(this.#byTail, s.tail, () => this.#store.byTail(s.tail!));
      // A registration already tied to another ICAO address is another airframe's (re-registered).
      if (byTail !== null && (s.icao === null || byTail.icao === null || byTail.icao === s.icao)) a = byTail;
    }
    if (a === null && s.flight !== null) {
      const byFlight = this.#cached(this.#byFlight, s.flight, () => this.#store.byFlight(s.flight!, s.time - window));
      // Only a record that is still just a flight may take on an identity; and only within the session.
      if (byFlight !== null && s.time - byFlight.lastSeen <= window && ((s.icao === null && s.tail === null) || (byFlight.icao === null && byFlight.tail === null))) a = byFlight;
    }
    if (a === null && s.icao === null && s.tail === null && s.flight === null) return null;
    if (a === null) {
      const fresh: Omit<Aircraft, 'id'> = {
        icao: s.icao, tail: s.tail, flight: s.flight, firstSeen: s.time, lastSeen: s.time, lastType: s.type, messages: 0,
        lat: null, lon: null, alt: null, positionTime: null,
      };
      a = { id: this.#store.insert(fresh), ...fresh };
    }
    this.#update(a, s);
    return a;
  }

  #cached(map: Map<string, Aircraft>, key: string, load: () => Aircraft | null): Aircraft | null {
    const hit = map.get(key);
    if (hit !== undefined) return hit;
    const loaded = load();
    if (loaded === null) return null;
    // The same record may already be cached under another key: keep one object per aircraft.
    const same = (loaded.icao !== null ? this.#byIcao.get(loaded.icao) : undefined) ?? (loaded.tail !== null ? this.#byTail.get(loaded.tail) : undefined);
    const a = same?.id === loaded.id ? same : loaded;
    this.#index(a);
    return a;
  }

  #index(a: Aircraft): void {
    if (a.icao !== null) this.#byIcao.set(a.icao, a);
    if (a.tail !== null) this.#byTail.set(a.tail, a);
    if (a.flight !== null) this.#byFlight.set(a.flight, a);
  }

  #update(a: Aircraft, s: Sighting): void {
    if (a.icao === null && s.icao !== null) a.icao = s.icao;
    if (a.tail === null && s.tail !== null) a.tail = s.tail;
    if (s.flight !== null) a.flight = s.flight;
    if (s.time >= a.lastSeen) {
      a.lastSeen = s.time;
      a.lastType = s.type;
    }
    a.firstSeen = Math.min(a.firstSeen, s.time);
    a.messages++;
    if (s.lat !== null && s.lon !== null && (a.positionTime === null || s.time >= a.positionTime)) {
      a.lat = s.lat;
      a.lon = s.lon;
      a.alt = s.alt;
      a.positionTime = s.time;
    }
    this.#index(a);
    this.#dirty.add(a);
  }

  /** The aircraft changed since the last call, for one UPDATE each. */
  drain(): Aircraft[] {
    const out = [...this.#dirty];
    this.#dirty.clear();
    return out;
  }

  /** Forgets everything cached (after a rolled-back batch: the database is the truth). */
  clear(): void {
    this.#byIcao.clear();
    this.#byTail.clear();
    this.#byFlight.clear();
    this.#dirty.clear();
  }
}
