/**
 * Spot checks on named real frames. Each frame is found by a value unique to it (never by its
 * index), and each expectation restates what the raw frame says.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { normalizeFrame } from '../../src/decode/normalize.js';
import type { DecoderType, Message } from '../../src/decode/message.js';
import { readCorpusFrames, splitFrames } from '../helpers/corpus.js';

const RECEIVED_MS = 1_800_000_000_000;

/** The one frame of `frames` whose text contains every needle. */
function findOne(frames: string[], ...needles: string[]): string {
  const hits = frames.filter((s) => needles.every((n) => s.includes(n)));
  if (hits.length !== 1) throw new Error(`${hits.length} frames match ${needles.join(' + ')}`);
  return hits[0] as string;
}

function normalize(frame: string, hint: DecoderType | null = null): Message {
  const r = normalizeFrame(JSON.parse(frame), hint, RECEIVED_MS);
  if (!r.ok) throw new Error(`rejected: ${r.reason} ${r.detail}`);
  return r.message;
}

const ACARS = readCorpusFrames('acarshub-kabq/raw-acars-messages.jsonl');
const VDLM2 = readCorpusFrames('acarshub-kabq/raw-vdlm2-messages.jsonl');
const HFDL = readCorpusFrames('acarshub-kabq/raw-hfdl-messages.jsonl');
const OTHER = readCorpusFrames('acars-router/acars_other.jsonl');
const XID_BCAST = readCorpusFrames('acars-router/vdlm2.jsonl');

describe('dumpvdl2', () => {
  // {"reg":".N8719Q","msg_num":"D09","msg_num_seq":"A","freq":136650000,"t":{"sec":1769990648,"usec":949234}}
  const m = normalize(findOne(VDLM2, '"msg_num":"D09"', '"reg":".N8719Q"'));

  it('converts Hz to MHz without float noise', () => {
    expect(m.freq).toBe(136.65);
  });
  it('keeps the sub-second part of the time', () => {
    expect(m.time).toBe(1769990648.949234);
  });
  it('strips the leading dot of the registration', () => {
    expect(m.tail).toBe('N8719Q');
  });
  it('joins msg_num and msg_num_seq', () => {
    expect(m.msgno).toBe('D09A');
  });
  it('maps the ACARS block and the link layer', () => {
    expect(m).toMatchObject({
      type: 'VDL-M2',
      decoder: 'dumpvdl2 2.5.1-dirty',
      isAcars: true,
      frameKind: null,
      station: 'CS-KABQ-VDLM',
      channel: 0,
      level: -16.620939,
      noise: -39.815151,
      error: 0,
      direction: 'downlink',
      icao: 'ABFDAF',
      srcAddr: 'ABFDAF',
      dstAddr: '1144AA',
      flight: 'WN2340',
      label: 'H1',
      sublabel: 'DF',
      mode: '2',
      blockId: '3',
      ack: '!',
      more: false,
      decoded: null,
    });
    expect(m.text).toBe('ABS001DA_N8719Q  KMDWKPHX287\r\n 35322-1078960003037993-585264034X20W/X0100150000--\r\n');
  });
  it('keeps unmapped link data in extra and drops the router metadata', () => {
    expect(m.extra).toEqual({
      vdl2: {
        avlc: {
          cr: 'Command',
          dst: { type: 'Ground station' },
          frame_type: 'I',
          src: { status: 'Airborne', type: 'Aircraft' },
          rseq: 5,
          sseq: 5,
          poll: false,
        },
        burst_len_octets: 131,
        freq_skew: 3.222756,
      },
    });
  });

  it('takes the ICAO address of an uplink from the aircraft destination', () => {
    // The only ground-to-air frame in the capture: src 1012CA (ground), dst A676C4 (aircraft).
    const up = normalize(findOne(VDLM2, '"src":{"addr":"1012CA"'));
    expect(up.direction).toBe('uplink');
    expect(up.icao).toBe('A676C4');
    expect(up.srcAddr).toBe('1012CA');
    expect(up.dstAddr).toBe('A676C4');
    expect(up.isAcars).toBe(false);
    expect(up.frameKind).toBe('avlc:S');
    expect(up.error).toBe(1); // octets_corrected_by_fec: 1
  });

  it('gives no ICAO address to a broadcast (FFFFFF) uplink', () => {
    const b = normalize(findOne(XID_BCAST, '"src":{"addr":"281658"', '"sec":1645287903'));
    expect(b.direction).toBe('uplink');
    expect(b.dstAddr).toBe('FFFFFF');
    expect(b.icao).toBeNull();
    // gs_location is the ground station's position, not an aircraft's: no lat/lon, kept in extra.
    expect(b.lat).toBeNull();
    expect(JSON.stringify(b.extra)).toContain('"gs_location"');
  });

  it('reads the aircraft position and destination from XID ac_location and dst_airport', () => {
    // {"name":"dst_airport","value":"KSAN"},{"name":"ac_location","value":{"alt":31000,"loc":{"lat":33.200001,"lon":-107.5}}}
    const x = normalize(findOne(VDLM2, '"alt":31000,"loc":{"lat":33.200001'));
    expect(x.frameKind).toBe('avlc:XID');
    expect(x.isAcars).toBe(false);
    expect(x).toMatchObject({ lat: 33.200001, lon: -107.5, alt: 31000, dsta: 'KSAN', icao: 'A0D19E' });
    expect(x.error).toBe(2); // hdr_bits_fixed 0 + octets_corrected_by_fec 2
    const left = JSON.stringify(x.extra);
    expect(left).not.toContain('ac_location');
    expect(left).toContain('xid_sequencing');
  });

  it('keeps decoded ARINC-622 (CPDLC) payloads in decoded', () => {
    const frame = VDLM2.find((s) => s.includes('"arinc622"'));
    expect(frame).toBeDefined();
    const c = normalize(frame as string);
    expect(c.decoded).not.toBeNull();
    expect(Object.keys(c.decoded ?? {})).toEqual(['arinc622']);
    expect(JSON.stringify(c.extra)).not.toContain('arinc622');
  });
});

describe('dumphfdl', () => {
  it('converts 17919000 Hz to 17.919 MHz (a San Francisco squitter)', () => {
    const m = normalize(findOne(HFDL, '"t":{"sec":1769991933,"usec":817375}'));
    expect(m.freq).toBe(17.919);
    expect(m.time).toBe(1769991933.817375);
    expect(m.frameKind).toBe('hfdl:spdu');
    expect(m.isAcars).toBe(false);
    expect(m.direction).toBe('uplink');
    expect(m.srcAddr).toBe('1');
    expect(m.error).toBe(0);
  });

  it('trims the spaces dumphfdl pads flight ids with ("UPS66 ", "FDX1  ")', () => {
    expect(normalize(findOne(HFDL, '"flight_id":"UPS66 "')).flight).toBe('UPS66');
    expect(normalize(findOne(HFDL, '"flight_id":"FDX1  "')).flight).toBe('FDX1');
  });

  it('reads the position from hfnpdu.pos and the ICAO address from ac_info', () => {
    // Logon resume from QTR33Q: "ac_info":{"icao":"06A129"}, "pos":{"lat":39.091833,"lon":-112.914949}
    const m = normalize(findOne(HFDL, '"flight_id":"QTR33Q"', '"pos":{"lat":39.091833'));
    expect(m).toMatchObject({
      lat: 39.091833,
      lon: -112.914949,
      icao: '06A129',
      flight: 'QTR33Q',
      direction: 'downlink',
      srcAddr: '255',
      dstAddr: '17',
      isAcars: false,
      frameKind: 'hfdl:lpdu:Logon resume:Frequency data',
      freq: 11.348,
    });
  });

  it('does not take the 180/180 "no position" for a position', () => {
    const frame = HFDL.find((s) => s.includes('"pos":{"lat":180.0,"lon":180.0}'));
    expect(frame).toBeDefined();
    const m = normalize(frame as string);
    expect(m.lat).toBeNull();
    expect(m.lon).toBeNull();
    expect(JSON.stringify(m.extra)).toContain('"pos":{"lat":180,"lon":180}');
  });

  it('gives an ACARS uplink the ICAO address dumphfdl attached to the aircraft endpoint', () => {
    // "dst":{"type":"Aircraft","id":223,"ac_info":{"icao":"A9CFF8"}}, acars reg ".N731NK", blk_id "D"
    const m = normalize(findOne(HFDL, '"reg":".N731NK"', '"sec":1769991943'));
    expect(m).toMatchObject({
      isAcars: true,
      direction: 'uplink',
      icao: 'A9CFF8',
      tail: 'N731NK',
      srcAddr: '1',
      dstAddr: '223',
      blockId: 'D',
      ack: '3',
      label: '_d',
      more: false,
    });
  });

  it('maps a logon confirm to an uplink with the ICAO address of the LPDU', () => {
    const m = normalize(findOne(HFDL, '"ac_info":{"icao":"71C517"},"assigned_ac_id":227'));
    expect(m).toMatchObject({ frameKind: 'hfdl:lpdu:Logon confirm', direction: 'uplink', icao: '71C517', isAcars: false });
    expect(JSON.stringify(m.extra)).toContain('"assigned_ac_id":227');
  });
});

describe('acarsdec', () => {
  it('maps a flat downlink; ack false is acarsdec writing NAK, stored as "!"', () => {
    // {"timestamp":1769990352.439166,"freq":130.025,"block_id":"2","ack":false,"tail":"N8560Z","msgno":"D50A"}
    const m = normalize(findOne(ACARS, '"msgno":"D50A"'), 'ACARS');
    expect(m).toMatchObject({
      type: 'ACARS',
      decoder: 'acarsdec v4.4.1',
      time: 1769990352.439166,
      freq: 130.025,
      channel: 0,
      level: -16.5,
      error: 0,
      direction: 'downlink',
      tail: 'N8560Z',
      flight: 'WN4899',
      label: 'H1',
      blockId: '2',
      ack: '!',
      msgno: 'D50A',
      // No `end` key: acarsdec writes `end: true` only for ETB (more blocks follow), and this
      // capture never has it even on first blocks, so the flag is unknown.
      more: null,
      icao: null,
    });
    expect(m.text?.startsWith('7T217,8560,B737-800')).toBe(true);
    expect(m.text).toContain('\r\n');
    expect(m.extra).toEqual({ assstat: 'in progress' });
  });

  it('keeps a character ack, and reads an uplink from a letter block id', () => {
    // {"label":"_d","block_id":"H","ack":"8","tail":"N265RX","timestamp":1769990364.774762}
    const m = normalize(findOne(ACARS, '"timestamp":1769990364.774762'));
    expect(m).toMatchObject({ ack: '8', blockId: 'H', direction: 'uplink', label: '_d', tail: 'N265RX', msgno: null });
  });

  it('treats the SQ squitter as an uplink without ack or block id', () => {
    const m = normalize(findOne(ACARS, '"timestamp":1769990333.8837607'));
    expect(m).toMatchObject({ label: 'SQ', direction: 'uplink', ack: null, blockId: null, isAcars: true });
  });

  it('maps end:true to more=true and carries libacars output to decoded', () => {
    const frame = {
      timestamp: 1700000000.5,
      freq: 131.725,
      label: 'H1',
      block_id: '4',
      ack: 'A',
      tail: '.G-EUPT',
      msgno: 'M01A',
      text: 'PART ONE',
      end: true,
      libacars: { arinc622: { msg_type: 'adsc_msg' } },
      app: { name: 'acarsdec', ver: '3.7' },
    };
    const r = normalizeFrame(frame, 'ACARS', RECEIVED_MS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message.more).toBe(true);
    expect(r.message.tail).toBe('G-EUPT');
    expect(r.message.decoded).toEqual({ libacars: { arinc622: { msg_type: 'adsc_msg' } } });
    expect(r.message.extra).toBeNull();
  });
});

describe('vdlm2dec (flat VDL-M2)', () => {
  it('turns the decimal icao into hex and toaddr into the destination address', () => {
    // {"timestamp":1611612212.75912,"icao":11183684,"toaddr":1065514,"label":"37","msgno":"M64A"}
    const m = normalize(findOne(OTHER, '"msgno":"M64A"'), 'VDL-M2');
    expect(m).toMatchObject({
      type: 'VDL-M2',
      icao: 'AAA644', // 11183684 = 0xAAA644
      dstAddr: '10422A', // 1065514 = 0x10422A
      tail: 'N7856A',
      direction: 'downlink',
      isAcars: true,
      freq: 136.975,
    });
    expect(m.extra).toEqual({ is_response: 0, is_onground: 0 });
  });

  it('keeps a frame with no label as a non-ACARS VDL-M2 message', () => {
    const m = normalize(findOne(OTHER, '"timestamp":1611612170.6690149'));
    expect(m).toMatchObject({ type: 'VDL-M2', isAcars: false, frameKind: 'avlc', icao: 'A9A58D', label: null });
  });
});

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const SATDUMP = splitFrames(readFileSync(fixtures + 'imsl-satdump.jsonl', 'utf8'));
const JAERO = splitFrames(readFileSync(fixtures + 'imsl-jaero.jsonl', 'utf8'));
const IRIDIUM = splitFrames(readFileSync(fixtures + 'irdm-iridium-toolkit.jsonl', 'utf8'));

describe('SatDump (fixture)', () => {
  it('maps the FORMATS.md example field by field', () => {
    const m = normalize(findOne(SATDUMP, '"timestamp":1713058872'), 'IMS-L');
    expect(m).toMatchObject({
      type: 'IMS-L',
      decoder: 'SatDump 1.2.0',
      isAcars: true,
      time: 1713058872,
      station: 'RP-KLDJ-IMSL-98W',
      freq: 1546.02, // "1546.020"
      level: -1.7, // "-1.7"
      label: '_d', // "_\u007f"
      tail: 'EC-MSY',
      mode: '2', // 50
      blockId: 'R', // 82, a letter: uplink
      ack: '8', // 56
      more: false,
      icao: '3455C1', // aes_id 3429825
      direction: 'uplink',
      text: '',
    });
    expect(m.extra).toEqual({ signal_unit: { ges_id: 208, ref_no: 7 } });
  });

  it('writes NAK (tak 0x15) as "!" and reads more_to_come', () => {
    const m = normalize(findOne(SATDUMP, '"timestamp":1713058930'));
    expect(m).toMatchObject({ ack: '!', blockId: '3', direction: 'downlink', more: true, freq: 1545.15, level: -4.25 });
  });

  it('keeps non-ACARS signal units with their msg_name', () => {
    const u = normalize(findOne(SATDUMP, '"msg_name":"Unknown"'));
    expect(u).toMatchObject({ isAcars: false, frameKind: 'imsl:Unknown', icao: '74CBB1' }); // 7654321 = 0x74CBB1
    const t = normalize(findOne(SATDUMP, '"msg_name":"AES System Table Broadcast Index"'));
    expect(t).toMatchObject({ isAcars: false, frameKind: 'imsl:AES System Table Broadcast Index', icao: null });
  });

  it('reads the frequency bare SatDump puts in source.station_id (Hz)', () => {
    const m = normalize(findOne(SATDUMP, '"station_id":"1546020000"'));
    expect(m.freq).toBe(1546.02);
    expect(m.station).toBeNull();
  });
});

describe('JAERO (fixture)', () => {
  it('maps a downlink: icao from the AES source, msg_num joined, \\n\\t indentation removed', () => {
    const m = normalize(findOne(JAERO, '"sec":1713060000'));
    expect(m).toMatchObject({
      type: 'IMS-L',
      decoder: 'JAERO 1.0.4.13',
      time: 1713060000.25,
      direction: 'downlink',
      icao: '76CD05',
      srcAddr: '76CD05',
      dstAddr: 'D0',
      tail: '9V-SMF',
      msgno: 'M21A',
      flight: 'SQ0317',
      ack: '!',
      text: '#DFB ALT 37000\nSPD 480\nFUEL 23.4',
      freq: null,
      level: null,
    });
  });

  it('maps an uplink: icao from the AES destination', () => {
    const m = normalize(findOne(JAERO, '"sec":1713060060'));
    expect(m).toMatchObject({ direction: 'uplink', icao: '76CD05', srcAddr: 'D0', label: '_d', blockId: 'C', ack: '4' });
  });

  it('keeps a signal unit without ACARS', () => {
    const m = normalize(findOne(JAERO, '"sec":1713060120'));
    expect(m).toMatchObject({ isAcars: false, frameKind: 'imsl:isu', icao: '3455C1', time: 1713060120.5 });
  });
});

describe('iridium-toolkit (fixture)', () => {
  it('reads an ISO time without Z as UTC, whatever the local time zone', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'America/Denver';
    try {
      const m = normalize(findOne(IRIDIUM, '"timestamp":"2024-04-14T01:45:24"'));
      expect(m.time).toBe(1713059124); // 2024-04-14 01:45:24 UTC
      const withZ = normalize(findOne(IRIDIUM, '"timestamp":"2024-04-14T01:48:30Z"'));
      const withoutZ = normalize(findOne(IRIDIUM, '"timestamp":"2024-04-14T01:48:30"'));
      expect(withoutZ.time).toBe(withZ.time);
      expect(withZ.time).toBe(1713059310);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('maps the FORMATS.md example: explicit direction, block_end, Hz frequency', () => {
    const m = normalize(findOne(IRIDIUM, '"timestamp":"2024-04-14T01:45:24"'));
    expect(m).toMatchObject({
      type: 'IRDM',
      decoder: 'iridium-toolkit 0.0.1',
      station: 'RP-KLDJ-IRDM',
      freq: 1625.708333,
      level: -40.01,
      error: 0,
      direction: 'downlink', // explicit, although block id "Z" is a letter
      more: false, // block_end true
      tail: 'TF-ISN',
      label: '_d',
      blockId: 'Z',
      msgno: 'S12A',
      ack: '0',
    });
    expect(m.extra).toEqual({ source: { transport: 'iridium', protocol: 'acars' } });
  });

  it('has no frequency when the frame has none; block_end false means more follow', () => {
    const m = normalize(findOne(IRIDIUM, '"timestamp":"2024-04-14T01:46:02Z"'));
    expect(m).toMatchObject({ freq: null, more: true, direction: 'uplink', error: 1, ack: '!' });
  });
});
