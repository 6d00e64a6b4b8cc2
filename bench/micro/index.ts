/**
 * The micro suites, in the order the orchestrator runs them: each is `dist/bench/micro/<name>.js`,
 * run in a fresh process, ending with one result line. Cheap CPU-only suites first, those that
 * touch files and sockets last. (publish-clients, publish-protocol, micro-bench and inputs are
 * helpers, not suites.)
 */
export const MICRO_SUITES: readonly string[] = ['framing', 'normalize', 'labels', 'msgpack', 'writer', 'maintenance', 'duckdb', 'publish'];
