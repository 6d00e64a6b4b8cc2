import { describe, expect, it } from 'vitest';
import { ALL_TOPICS, errorReply, okReply, parseRequest, RequestError, uwsTopicsFor, type Topic } from '../../src/serve/ws-protocol.js';

function fails(text: string): RequestError {
  try {
    parseRequest(text);
  } catch (e) {
    if (e instanceof RequestError) return e;
    throw e;
  }
  throw new Error(`expected ${text} to fail`);
}

describe('WebSocket requests', () => {
  it('parses subscribe, unsubscribe and ping with string or number ids', () => {
    expect(parseRequest('{"op":"subscribe","id":1,"topics":["messages"]}')).toEqual({ op: 'subscribe', id: 1, topics: ['messages'], history: null });
    expect(parseRequest('{"op":"subscribe","id":1,"topics":["messages"],"history":250}')).toMatchObject({ op: 'subscribe', history: { limit: 250 } });
    expect(parseRequest('{"op":"unsubscribe","id":"x","topics":["messages:HFDL","messages:IMS-L"]}')).toEqual({ op: 'unsubscribe', id: 'x', topics: ['messages:HFDL', 'messages:IMS-L'] });
    expect(parseRequest('{"op":"ping"}')).toEqual({ op: 'ping', id: null });
  });

  it('answers every malformed request with a code, keeping the id when it can be read', () => {
    expect(fails('{nope')).toMatchObject({ id: null, code: 'BAD_REQUEST' });
    expect(fails('[1,2]')).toMatchObject({ id: null, code: 'BAD_REQUEST' });
    expect(fails('{"op":"fly","id":4}')).toMatchObject({ id: 4, code: 'UNKNOWN_OP' });
    expect(fails('{"op":"subscribe","id":5}')).toMatchObject({ id: 5, code: 'BAD_REQUEST' });
    expect(fails('{"op":"subscribe","id":6,"topics":[]}')).toMatchObject({ id: 6, code: 'BAD_REQUEST' });
    expect(fails('{"op":"subscribe","id":7,"topics":["messages:VDL2"]}')).toMatchObject({ id: 7, code: 'UNKNOWN_TOPIC' });
    expect(fails(`{"op":"subscribe","id":8,"topics":${JSON.stringify(Array(ALL_TOPICS.length + 1).fill("messages"))}}`)).toMatchObject({ code: 'TOO_MANY_TOPICS' });
    expect(JSON.parse(errorReply(fails('{"op":"fly","id":4}')))).toMatchObject({ id: 4, ok: false, error: { code: 'UNKNOWN_OP' } });
    expect(JSON.parse(okReply(3))).toEqual({ id: 3, ok: true });
  });

  it('maps overlapping subscriptions to uWS topics that deliver each message once', () => {
    expect(uwsTopicsFor(new Set<Topic>(['messages:ACARS', 'messages']))).toEqual(['messages']);
    expect(uwsTopicsFor(new Set<Topic>(['messages:ACARS', 'messages:HFDL']))).toEqual(['messages:ACARS', 'messages:HFDL']);
  });
});
