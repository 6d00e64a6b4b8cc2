import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import { defaultDecodeThreads } from '../../src/config/defaults.js';
import { ConfigError } from '../../src/errors.js';

const CWD = path.resolve('/srv/contrail');

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env, CWD);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONTRAIL_ERR_CONFIG');
    return (err as ConfigError).problems;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

/** The single problem line that names this variable. */
function problemFor(env: Record<string, string | undefined>, name: string): string {
  const lines = problemsOf(env).filter((line) => line.startsWith(`${name}=`));
  expect(lines, `problems for ${name}`).toHaveLength(1);
  return lines[0]!;
}

function ports(env: Record<string, string | undefined>): string[] {
  return loadConfig(env, CWD).sources.map((s) => `${s.type} ${s.kind} ${s.host} ${s.port}`);
}

describe('defaults (empty environment)', () => {
  const config = loadConfig({}, CWD);

  it('listens on all five ACARS Hub UDP ports', () => {
    expect(ports({})).toEqual([
      'ACARS udp 0.0.0.0 5550',
      'VDL-M2 udp 0.0.0.0 5555',
      'HFDL udp 0.0.0.0 5556',
      'IMS-L udp 0.0.0.0 5557',
      'IRDM udp 0.0.0.0 5558',
    ]);
    expect(Object.values(config.enabled)).toEqual([true, true, true, true, true]);
    expect(config.sources.every((s) => s.descriptor === 'udp')).toBe(true);
  });

  it('resolves the data directory against the given cwd', () => {
    expect(config.dataDir).toBe(path.join(CWD, 'data'));
    expect(config.dbPath).toBe(path.join(CWD, 'data', 'contrail.sqlite'));
    expect(loadConfig({ CONTRAIL_DATA_DIR: '/var/lib/contrail' }, CWD).dataDir).toBe('/var/lib/contrail');
    expect(loadConfig({ CONTRAIL_DATA_DIR: 'db' }, CWD).dataDir).toBe(path.join(CWD, 'db'));
  });

  it('uses the documented scalar defaults', () => {
    expect(config.http).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(config.batch).toEqual({ maxFrames: 512, maxWaitMs: 5 });
    expect(config.maxFrameBytes).toBe(65536);
    expect(config.maxPendingBatches).toBe(16);
    expect(config.tcpReconnectMs).toBe(1000);
    expect(config.udpRecvBufferBytes).toBe(32 * 1024 * 1024);
    expect(config.logLevel).toBe('info');
    expect(config.storeNonAcars).toBe(true);
    expect(config.retention).toEqual({ saveDays: 7, alertSaveDays: 120, checkIntervalMs: 60_000 });
    expect(config.decodeThreads).toBe(defaultDecodeThreads());
  });

  it('derives decode threads from the core count, between 1 and 4', () => {
    expect([1, 2, 3, 4, 5, 16].map((n) => defaultDecodeThreads(n))).toEqual([1, 1, 2, 3, 4, 4]);
  });

  it('ignores variables that are not Contrail\'s or ACARS Hub\'s', () => {
    expect(() => loadConfig({ PATH: '/usr/bin', HOME: '/root', NODE_ENV: 'test' }, CWD)).not.toThrow();
  });
});

describe('ENABLE_* rules', () => {
  it('enables exactly the truthy ones once any is set', () => {
    const config = loadConfig({ ENABLE_VDLM: 'true' }, CWD);
    expect(config.enabled).toEqual({ ACARS: false, 'VDL-M2': true, HFDL: false, 'IMS-L': false, IRDM: false });
    expect(ports({ ENABLE_VDLM: 'true' })).toEqual(['VDL-M2 udp 0.0.0.0 5555']);
  });

  it('accepts ACARS Hub words in any case', () => {
    const config = loadConfig({ ENABLE_ACARS: 'External', ENABLE_HFDL: 'YES', ENABLE_IRDM: 'ok' }, CWD);
    expect(config.enabled).toEqual({ ACARS: true, 'VDL-M2': false, HFDL: true, 'IMS-L': false, IRDM: true });
  });

  it('treats falsy values, including empty, as set-and-off', () => {
    expect(Object.values(loadConfig({ ENABLE_ACARS: 'false' }, CWD).enabled)).toEqual([false, false, false, false, false]);
    expect(loadConfig({ ENABLE_ACARS: '', ENABLE_HFDL: 'on' }, CWD).enabled.ACARS).toBe(false);
    expect(loadConfig({ ENABLE_IMSL: 'n' }, CWD).sources).toEqual([]);
  });

  it('ignores *_CONNECTIONS of a disabled type, even when it would be invalid', () => {
    expect(ports({ ENABLE_ACARS: 'on', HFDL_CONNECTIONS: 'garbage' })).toEqual(['ACARS udp 0.0.0.0 5550']);
  });

  it('rejects other values, naming the allowed words', () => {
    const line = problemFor({ ENABLE_ACARS: 'maybe' }, 'ENABLE_ACARS');
    expect(line).toContain('ENABLE_ACARS="maybe"');
    for (const word of ['true', 'external', 'false', 'disabled', 'empty']) expect(line).toContain(word);
  });
});

describe('*_CONNECTIONS', () => {
  it('takes several descriptors per type, in type order then list order', () => {
    const env = {
      VDLM_CONNECTIONS: 'zmq://dumpvdl2:45555 , udp://[::]:6555',
      ACARS_CONNECTIONS: 'tcp://[::1]:15550,udp,tcp-listen://127.0.0.1:0',
    };
    expect(ports(env)).toEqual([
      'ACARS tcp-connect ::1 15550',
      'ACARS udp 0.0.0.0 5550',
      'ACARS tcp-listen 127.0.0.1 0',
      'VDL-M2 zmq dumpvdl2 45555',
      'VDL-M2 udp :: 6555',
      'HFDL udp 0.0.0.0 5556',
      'IMS-L udp 0.0.0.0 5557',
      'IRDM udp 0.0.0.0 5558',
    ]);
    expect(loadConfig(env, CWD).sources[3]!.descriptor).toBe('zmq://dumpvdl2:45555');
  });

  it('treats an empty list as the default udp', () => {
    expect(ports({ ENABLE_HFDL: '1', HFDL_CONNECTIONS: '' })).toEqual(['HFDL udp 0.0.0.0 5556']);
  });

  it('reports the bad descriptor with its variable and the allowed forms', () => {
    const line = problemFor({ ACARS_CONNECTIONS: 'udp, ftp://x:1' }, 'ACARS_CONNECTIONS');
    expect(line).toContain('ACARS_CONNECTIONS="ftp://x:1"');
    expect(line).toContain('tcp-listen://bind:port');
  });

  it('reports an out-of-range port with the allowed range', () => {
    expect(problemFor({ ACARS_CONNECTIONS: 'udp://0.0.0.0:99999' }, 'ACARS_CONNECTIONS')).toBe(
      'ACARS_CONNECTIONS="udp://0.0.0.0:99999": port 99999 is out of range (1-65535, or 0 for any free port)',
    );
  });

  it('rejects a duplicate descriptor in one list, even when written differently', () => {
    const line = problemFor({ IRDM_CONNECTIONS: 'udp, udp://0.0.0.0:5558' }, 'IRDM_CONNECTIONS');
    expect(line).toContain('IRDM_CONNECTIONS="udp://0.0.0.0:5558"');
    expect(line).toMatch(/duplicate of "udp"/);
  });
});

describe('port conflicts', () => {
  it('names both descriptors and their variables', () => {
    const lines = problemsOf({ VDLM_CONNECTIONS: 'udp://0.0.0.0:5550' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ACARS_CONNECTIONS="udp"');
    expect(lines[0]).toContain('VDLM_CONNECTIONS="udp://0.0.0.0:5550"');
    expect(lines[0]).toMatch(/UDP port 5550/);
  });

  it('counts a wildcard bind as overlapping a specific address', () => {
    expect(problemsOf({ ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'udp,udp://127.0.0.1:5550' })[0]).toMatch(/both bind UDP port 5550/);
  });

  it('lets different protocols, different addresses, and port 0 share', () => {
    expect(() => loadConfig({ ACARS_CONNECTIONS: 'udp, tcp-listen://0.0.0.0:5550' }, CWD)).not.toThrow();
    expect(() => loadConfig({ ENABLE_ACARS: '1', ACARS_CONNECTIONS: 'udp://127.0.0.1:7000,udp://127.0.0.2:7000' }, CWD)).not.toThrow();
    expect(() => loadConfig({ ACARS_CONNECTIONS: 'udp://127.0.0.1:0', VDLM_CONNECTIONS: 'udp://127.0.0.1:0' }, CWD)).not.toThrow();
    expect(() => loadConfig({ ACARS_CONNECTIONS: 'tcp://feeder:5555' , ENABLE_ACARS: '1', ENABLE_VDLM: '1' }, CWD)).not.toThrow();
  });

  it('includes the HTTP server among TCP listeners', () => {
    const line = problemsOf({ ACARS_CONNECTIONS: 'tcp-listen://0.0.0.0:8080' })[0];
    expect(line).toContain('CONTRAIL_HTTP_PORT="8080"');
    expect(line).toContain('ACARS_CONNECTIONS="tcp-listen://0.0.0.0:8080"');
  });

  it('does not check a rejected HTTP port against the sources', () => {
    const lines = problemsOf({ CONTRAIL_HTTP_PORT: 'x', ACARS_CONNECTIONS: 'tcp-listen://0.0.0.0:8080' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^CONTRAIL_HTTP_PORT="x"/);
  });
});

describe('scalar settings', () => {
  it('reads valid values', () => {
    const config = loadConfig(
      {
        CONTRAIL_HTTP_HOST: '[::1]',
        CONTRAIL_HTTP_PORT: '0',
        CONTRAIL_DECODE_THREADS: '8',
        CONTRAIL_BATCH_MAX_FRAMES: '1024',
        CONTRAIL_BATCH_MAX_WAIT_MS: '0',
        CONTRAIL_MAX_FRAME_BYTES: '8192',
        CONTRAIL_MAX_PENDING_BATCHES: '100000',
        CONTRAIL_TCP_RECONNECT_MS: '250',
        CONTRAIL_UDP_RECV_BUFFER_BYTES: '65536',
        CONTRAIL_LOG_LEVEL: 'DEBUG',
        DB_SAVE_DAYS: '0.5',
        DB_ALERT_SAVE_DAYS: '365',
        CONTRAIL_PRUNE_CHECK_SECONDS: '5',
      },
      CWD,
    );
    expect(config.http).toEqual({ host: '::1', port: 0 });
    expect(config.decodeThreads).toBe(8);
    expect(config.batch).toEqual({ maxFrames: 1024, maxWaitMs: 0 });
    expect(config.maxFrameBytes).toBe(8192);
    expect(config.maxPendingBatches).toBe(100000);
    expect(config.tcpReconnectMs).toBe(250);
    expect(config.udpRecvBufferBytes).toBe(65536);
    expect(config.logLevel).toBe('debug');
    expect(config.retention).toEqual({ saveDays: 0.5, alertSaveDays: 365, checkIntervalMs: 5000 });
  });

  it.each([
    ['CONTRAIL_HTTP_PORT', '80a', '0 to 65535'],
    ['CONTRAIL_HTTP_PORT', '65536', '0 to 65535'],
    ['CONTRAIL_HTTP_PORT', '', '0 to 65535'],
    ['CONTRAIL_DECODE_THREADS', '0', '1 to 64'],
    ['CONTRAIL_DECODE_THREADS', '1.5', '1 to 64'],
    ['CONTRAIL_BATCH_MAX_FRAMES', '1e3', '1 to 65536'],
    ['CONTRAIL_BATCH_MAX_WAIT_MS', '0x10', '0 to 1000'],
    ['CONTRAIL_MAX_FRAME_BYTES', '4096', '8192 to 16777216'],
    ['CONTRAIL_MAX_PENDING_BATCHES', ' ', '1 to 100000'],
    ['CONTRAIL_TCP_RECONNECT_MS', '12abc', '10 to 600000'],
    ['CONTRAIL_UDP_RECV_BUFFER_BYTES', '-1', '65536 to 1073741824'],
  ])('%s=%j is rejected with the allowed range', (name, value, range) => {
    const line = problemFor({ [name]: value }, name);
    expect(line).toContain(`${name}=${JSON.stringify(value)}`);
    expect(line).toContain('integer');
    expect(line).toContain(range);
  });

  it.each([
    ['CONTRAIL_HTTP_HOST', 'not a host', 'IP address or hostname'],
    ['CONTRAIL_HTTP_HOST', '', 'IP address or hostname'],
    ['CONTRAIL_DATA_DIR', '', 'non-empty directory path'],
    ['CONTRAIL_LOG_LEVEL', 'verbose', 'fatal, error, warn, info, debug, trace, silent'],
    ['LOG_LEVEL', 'loud', 'fatal, error, warn'],
    ['CONTRAIL_STORE_NON_ACARS', 'sometimes', 'true'],
    ['DB_SAVEALL', 'maybe', 'false'],
    ['DB_SAVE_DAYS', '0', 'positive number of days'],
    ['DB_SAVE_DAYS', '-3', 'positive number of days'],
    ['DB_ALERT_SAVE_DAYS', 'forever', 'positive number of days'],
    ['DATA_SOURCE', 'postgres', 'sqlite or duckdb'],
    ['DATA_SOURCE', 'DuckDB', 'sqlite or duckdb'],
  ])('%s=%j is rejected, saying what is allowed', (name, value, allowed) => {
    const line = problemFor({ [name]: value }, name);
    expect(line).toContain(`${name}=${JSON.stringify(value)}`);
    expect(line).toContain(allowed);
  });

  it('keeps a value with quotes or newlines on one line', () => {
    const line = problemFor({ CONTRAIL_HTTP_PORT: '80"\n' }, 'CONTRAIL_HTTP_PORT');
    expect(line).not.toContain('\n');
    expect(line).toContain('CONTRAIL_HTTP_PORT="80\\"\\n"');
  });

  it('answers analytics from the DuckDB mirror unless DATA_SOURCE says sqlite', () => {
    expect(loadConfig({}, CWD).analytics).toMatchObject({ dataSource: 'duckdb', windowDays: 7, duckdbPath: expect.stringMatching(/contrail\.duckdb$/) });
    expect(loadConfig({ DATA_SOURCE: 'sqlite', CONTRAIL_MIRROR_DAYS: '30' }, CWD).analytics).toMatchObject({ dataSource: 'sqlite', windowDays: 30 });
  });

  it('treats empty ACARS Hub retention values as unset', () => {
    expect(loadConfig({ DB_SAVE_DAYS: '', DB_ALERT_SAVE_DAYS: '' }, CWD).retention).toEqual({ saveDays: 7, alertSaveDays: 120, checkIntervalMs: 60_000 });
  });
});

describe('log level sources', () => {
  it('prefers CONTRAIL_LOG_LEVEL, then LOG_LEVEL, then ACARS Hub MIN_LOG_LEVEL', () => {
    expect(loadConfig({ CONTRAIL_LOG_LEVEL: 'warn', LOG_LEVEL: 'debug' }, CWD).logLevel).toBe('warn');
    expect(loadConfig({ LOG_LEVEL: 'debug', MIN_LOG_LEVEL: 'error' }, CWD).logLevel).toBe('debug');
    expect(loadConfig({ LOG_LEVEL: '', MIN_LOG_LEVEL: 'trace' }, CWD).logLevel).toBe('trace');
    expect(loadConfig({ MIN_LOG_LEVEL: '5' }, CWD).logLevel).toBe('debug');
    expect(loadConfig({ MIN_LOG_LEVEL: '3' }, CWD).logLevel).toBe('warn');
  });
});

describe('storing non-ACARS frames', () => {
  it('defaults on, follows DB_SAVEALL, and lets CONTRAIL_STORE_NON_ACARS win', () => {
    expect(loadConfig({ DB_SAVEALL: 'false' }, CWD).storeNonAcars).toBe(false);
    expect(loadConfig({ DB_SAVEALL: 'TRUE' }, CWD).storeNonAcars).toBe(true);
    expect(loadConfig({ DB_SAVEALL: 'false', CONTRAIL_STORE_NON_ACARS: 'yes' }, CWD).storeNonAcars).toBe(true);
    expect(loadConfig({ CONTRAIL_STORE_NON_ACARS: 'off' }, CWD).storeNonAcars).toBe(false);
  });
});

describe('unknown CONTRAIL_* variables', () => {
  it('suggests the nearest known name', () => {
    const line = problemFor({ CONTRAIL_HTTP_PROT: '9000' }, 'CONTRAIL_HTTP_PROT');
    expect(line).toContain('unknown variable');
    expect(line).toContain('did you mean CONTRAIL_HTTP_PORT?');
  });

  it('names the variable without a guess when nothing is close', () => {
    const line = problemFor({ CONTRAIL_COLOUR: 'blue' }, 'CONTRAIL_COLOUR');
    expect(line).toContain('unknown variable');
    expect(line).not.toContain('did you mean');
  });
});

describe('problem collection', () => {
  it('reports every problem at once, one line each', () => {
    const lines = problemsOf({
      CONTRAIL_HTTP_PORT: 'eighty',
      ENABLE_ACARS: 'maybe',
      ENABLE_HFDL: 'on',
      HFDL_CONNECTIONS: 'tcp, udp://0.0.0.0:99999',
      DB_SAVE_DAYS: 'week',
      CONTRAIL_BATCH_MAX_WAIT: '5',
    });
    expect(lines).toHaveLength(6);
    for (const name of ['CONTRAIL_HTTP_PORT=', 'ENABLE_ACARS=', 'HFDL_CONNECTIONS="tcp"', 'HFDL_CONNECTIONS="udp://', 'DB_SAVE_DAYS=', 'CONTRAIL_BATCH_MAX_WAIT=']) {
      expect(lines.some((line) => line.startsWith(name)), name).toBe(true);
    }
    for (const line of lines) expect(line).not.toContain('\n');
  });

  it('puts every line in the error message', () => {
    expect(() => loadConfig({ CONTRAIL_HTTP_PORT: 'x', DB_SAVE_DAYS: 'y' }, CWD)).toThrow(/CONTRAIL_HTTP_PORT="x"[\s\S]*DB_SAVE_DAYS="y"/);
  });
});

describe('frozen result', () => {
  it('throws on assignment at every depth', () => {
    const config = loadConfig({}, CWD);
    expect(Object.isFrozen(config)).toBe(true);
    const mutable = config as unknown as Record<string, Record<string, unknown>>;
    expect(() => {
      mutable['logLevel'] = {};
    }).toThrow(TypeError);
    expect(() => {
      mutable['http']!['port'] = 1;
    }).toThrow(TypeError);
    expect(() => {
      mutable['enabled']!['ACARS'] = false;
    }).toThrow(TypeError);
    expect(() => (config.sources as unknown as unknown[]).push({})).toThrow(TypeError);
    expect(() => {
      (config.sources[0] as unknown as Record<string, unknown>)['port'] = 1;
    }).toThrow(TypeError);
  });
});
