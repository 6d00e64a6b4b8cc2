/**
 * What every family mapper shares: the empty message, the "take" helpers that read a field and
 * remove it from the frame once it is mapped (the pruned remainder becomes `extra`), and time.
 */

import type { DecoderType, Message } from '../message.js';
import { ack, cleanTail, isEpoch, isEmpty, isObj, jsonType, num, type Obj } from '../fields.js';

/** A family mapper returns the message, or the invalid-field detail naming the impossible field. */
export type FamilyResult = Message | string;

/** All fields null, in the contract's order, so every message has the same hidden class. */
export function newMessage(type: DecoderType, time: number): Message {
  return {
    type,
    decoder: null,
    isAcars: false,
    frameKind: null,
    time,
    station: null,
    freq: null,
    channel: null,
    level: null,
    noise: null,
    error: null,
    direction: null,
    icao: null,
    tail: null,
    flight: null,
    label: null,
    sublabel: null,
    mfi: null,
    mode: null,
    blockId: null,
    ack: null,
    msgno: null,
    more: null,
    text: null,
    depa: null,
    dsta: null,
    eta: null,
    gtout: null,
    gtin: null,
    wloff: null,
    wlin: null,
    lat: null,
    lon: null,
    alt: null,
    srcAddr: null,
    dstAddr: null,
    decoded: null,
    extra: null,
  };
}

/**
 * Converts `o[key]`; when the conversion succeeds the field is removed from the frame. A value
 * that does not convert stays, so it reaches `extra` instead of vanishing.
 */
export function take<T>(o: Obj, key: string, conv: (v: unknown) => T | null): T | null {
  const v = o[key];
  if (v === undefined) return null;
  const r = conv(v);
  if (r !== null) delete o[key];
  return r;
}

/**
 * A registration, without leading dots; removed when it is a string (a blank or all-dot one
 * carries nothing, so it goes too, leaving the tail null).
 */
export function takeTail(o: Obj, key: string): string | null {
  const v = o[key];
  if (typeof v !== 'string') return null;
  delete o[key];
  return cleanTail(v);
}

/**
 * The ack character of a libacars-shaped block or iridium frame; `false` there means no ack
 * (acarsdec differs: it writes NAK as false, and maps it itself).
 */
export function takeAck(o: Obj, key: string): string | null {
  if (o[key] === false) {
    delete o[key];
    return null;
  }
  return take(o, key, ack);
}

/** Boolean field, removed when read. */
export function takeBool(o: Obj, key: string): boolean | null {
  const v = o[key];
  if (typeof v !== 'boolean') return null;
  delete o[key];
  return v;
}

/** Keeps a decoded payload under its name. */
export function addDecoded(m: Message, key: string, value: unknown): void {
  if (m.decoded === null) m.decoded = {};
  m.decoded[key] = value;
}

/** The frame's pruned remainder, or null when nothing is left. */
export function setExtra(m: Message, rest: Obj): Message {
  m.extra = isEmpty(rest) ? null : rest;
  return m;
}

/**
 * Epoch seconds from `{sec, usec}` at `o[key]`, removed when valid. Missing gives the fallback
 * (the receive time); present but impossible gives the invalid-field detail.
 */
export function takeSecUsec(o: Obj, key: string, path: string, fallback: number): number | string {
  const t = o[key];
  if (t === undefined || t === null) return fallback;
  if (!isObj(t)) return `${path}: expected {sec, usec}, got ${jsonType(t)}`;
  const sec = t.sec;
  if (typeof sec !== 'number' || !isEpoch(sec)) return `${path}.sec: expected epoch seconds, got ${describe(sec)}`;
  const usec = t.usec;
  let us = 0;
  if (usec !== undefined) {
    if (typeof usec !== 'number' || !Number.isFinite(usec) || usec < 0 || usec >= 1e6) {
      return `${path}.usec: expected 0..999999, got ${describe(usec)}`;
    }
    us = usec;
  }
  delete t.sec;
  delete t.usec;
  if (isEmpty(t)) delete o[key];
  // sec + usec/1e6 is the closest double to the decoder's time: 1769990648.949234.
  return us === 0 ? sec : sec + us / 1e6;
}

/** Epoch seconds from a number (or numeric string) at `o[key]`; same fallback rules as above. */
export function takeEpoch(o: Obj, key: string, path: string, fallback: number): number | string {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  const n = num(v);
  if (n === null || !isEpoch(n)) return `${path}: expected epoch seconds, got ${describe(v)}`;
  delete o[key];
  return n;
}

/** Short description of a bad value for reject details (no JSON.stringify of whole objects). */
export function describe(v: unknown): string {
  if (typeof v === 'string') return v.length > 40 ? `string "${v.slice(0, 40)}..."` : `string "${v}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return jsonType(v);
}
