import { describe, expect, it } from 'vitest';
import { errorReply, okReply, OPS, parseRequest, RequestError } from '../../src/serve/ws-protocol.js';

function fails(value: unknown): RequestError {
  try {
    parseRequest(value);
  } catch (e) {
    if (e instanceof RequestError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(value)} to fail`);
}

describe('WebSocket requests', () => {
  it('parses subscribe, unsubscribe and ping with string or number ids', () => {
    expect(parseRequest({ op: 'subscribe', id: 1, topics: ['messages'] })).toMatchObject({ op: 'subscribe', id: 1, topics: [{ name: 'messages' }], filter: null, history: null });
    expect(parseRequest({ op: 'subscribe', id: 1, topics: ['messages'], history: 250 })).toMatchObject({ op: 'subscribe', history: { limit: 250 } });
    expect(parseRequest({ op: 'unsubscribe', id: 'x', topics: ['messages:HFDL', 'messages:IMS-L'] })).toMatchObject({ op: 'unsubscribe', id: 'x', topics: [{ name: 'messages:HFDL' }, { name: 'messages:IMS-L' }] });
    expect(parseRequest({ op: 'ping' })).toEqual({ op: 'ping', id: null });
  });

  it('normalizes keyed topics and filters, and drops repeated topic names', () => {
    const req = parseRequest({ op: 'subscribe', id: 2, topics: ['flight: ual123', 'flight:UAL123 ', 'aircraft:a1b2c3', 'label:H1'], filter: { type: ['VDL-M2', 'ACARS'], station: 'XA-1' } });
    expect(req).toMatchObject({ topics: [{ name: 'flight:UAL123', field: 'flight', value: 'UAL123' }, { name: 'aircraft:A1B2C3' }, { name: 'label:H1' }] });
    if (req.op !== 'subscribe') throw new Error('not a subscribe');
    expect([...req.filter!.type!]).toEqual(['VDL-M2', 'ACARS']);
    expect([...req.filter!.station!]).toEqual(['XA-1']);
  });

  it('parses the admin and read operations', () => {
    expect(parseRequest({ op: 'auth', id: 1, token: 's3cret' })).toEqual({ op: 'auth', id: 1, token: 's3cret' });
    expect(parseRequest({ op: 'alerts.add', id: 2, term: 'WN4899', regex: false })).toEqual({ op: 'alerts.add', id: 2, term: 'WN4899', regex: false, ignore: false });
    expect(parseRequest({ op: 'alerts.remove', id: 3, term: 'X', ignore: true })).toEqual({ op: 'alerts.remove', id: 3, term: 'X', ignore: true });
    expect(parseRequest({ op: 'db.restore', id: 4, backup: 'b1' })).toEqual({ op: 'db.restore', id: 4, backup: 'b1' });
    for (const op of ['subscriptions', 'alerts.terms', 'alerts.rescan', 'db.status', 'db.backups', 'db.backup', 'db.migrate']) expect(parseRequest({ op, id: 5 })).toEqual({ op, id: 5 });
    expect(OPS).toContain('db.migrate');
  });

  it('answers every malformed request with a code, keeping the id when it can be read', () => {
    expect(fails([1, 2])).toMatchObject({ id: null, code: 'BAD_REQUEST' });
    expect(fails('text')).toMatchObject({ id: null, code: 'BAD_REQUEST' });
    expect(fails({ op: 'fly', id: 4 })).toMatchObject({ id: 4, code: 'UNKNOWN_OP' });
    expect(fails({ op: 'subscribe', id: 5 })).toMatchObject({ id: 5, code: 'BAD_REQUEST' });
    expect(fails({ op: 'subscribe', id: 6, topics: [] })).toMatchObject({ id: 6, code: 'BAD_REQUEST' });
    expect(fails({ op: 'subscribe', id: 7, topics: ['messages:VDL2'] })).toMatchObject({ id: 7, code: 'UNKNOWN_TOPIC' });
    expect(fails({ op: 'subscribe', id: 7, topics: ['aircraft:XYZ'] })).toMatchObject({ code: 'UNKNOWN_TOPIC' });
    expect(fails({ op: 'subscribe', id: 7, topics: ['flight:'] })).toMatchObject({ code: 'UNKNOWN_TOPIC' });
    expect(fails({ op: 'subscribe', id: 8, topics: Array.from({ length: 257 }, (_, k) => `flight:F${k}`) })).toMatchObject({ code: 'TOO_MANY_TOPICS' });
    expect(fails({ op: 'subscribe', id: 9, topics: ['messages'], filter: { colour: 'red' } })).toMatchObject({ id: 9, code: 'BAD_REQUEST', message: expect.stringMatching(/unknown filter field "colour"/) });
    expect(fails({ op: 'subscribe', id: 9, topics: ['messages'], filter: { type: 'VDL2' } })).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/"type" must be one of/) });
    expect(fails({ op: 'subscribe', id: 9, topics: ['stats'], filter: { label: 'H1' } })).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/applies to message topics/) });
    expect(fails({ op: 'auth', id: 10 })).toMatchObject({ id: 10, code: 'BAD_REQUEST' });
    expect(fails({ op: 'db.restore', id: 11 })).toMatchObject({ id: 11, code: 'BAD_REQUEST' });
    // The aircraft's id is `aircraft` here (`id` is the request's): errors say so.
    expect(fails({ op: 'aircraft', id: 12 })).toMatchObject({ id: 12, code: 'BAD_REQUEST', message: 'name the aircraft: aircraft, icao, tail or flight' });
    expect(fails({ op: 'aircraft', id: 13, aircraft: 'x' })).toMatchObject({ id: 13, message: 'aircraft must be a positive integer' });
    expect(errorReply(fails({ op: 'fly', id: 4 }))).toMatchObject({ id: 4, ok: false, error: { code: 'UNKNOWN_OP' } });
    expect(okReply(3)).toEqual({ id: 3, ok: true });
  });
});
