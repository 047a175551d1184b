import { createRequire } from 'node:module';

/**
 * The local Cosmos (@vercel/cosmosdb-server) runs queries with @zeit/cosmosdb-query, which compiles
 * `FROM c` into `collection.reduce(($, c) => [...$, { c }], [])`: every document copies the
 * accumulator, so one query over n documents costs n²/2 copies (26 ms at 4,000 documents, 1.3 s at
 * 16,000). Every query in the container pays it, whatever its WHERE: a long `npm start` and the test
 * suite slow down as history grows. Both packages are at their latest release.
 *
 * This gives the collection a `reduce` that runs such an append-only callback on an empty
 * accumulator per document and appends what it returns: the same array, in linear time. Any
 * other reduce (there is none in the compiled code today) runs as before.
 */
type Reducer = (accumulator: unknown, item: unknown, index: number, array: unknown[]) => unknown;

/** The compiled FROM scan: `($, c) => ... [...$, ...] ... : $`. */
function isAppendOnlyScan(reducer: Reducer, initial: unknown): boolean {
  return Array.isArray(initial) && initial.length === 0 && /^\(\$, [^)]*\) =>[\s\S]*\[\.\.\.\$,/.test(String(reducer));
}

function linearReduce(this: unknown[], reducer: Reducer, ...rest: unknown[]): unknown {
  if (rest.length !== 1 || !isAppendOnlyScan(reducer, rest[0])) {
    return Array.prototype.reduce.apply(this, [reducer, ...rest] as Parameters<typeof Array.prototype.reduce>);
  }
  const out: unknown[] = [];
  for (let i = 0; i < this.length; i++) {
    const appended = reducer([], this[i], i, this);
    if (!Array.isArray(appended)) throw new TypeError('the local Cosmos query scan returned something other than an array');
    for (const item of appended) out.push(item);
  }
  return out;
}

/** Gives one collection (the documents a query runs over) the linear scan. */
export function withLinearScan<T extends unknown[]>(collection: T): T {
  return Object.defineProperty(collection, 'reduce', { value: linearReduce, configurable: true });
}

/** The query engine's modules, as the local Cosmos server loads them. */
export function queryEngineModule<T>(path: '@zeit/cosmosdb-query' | '@zeit/cosmosdb-query/lib/executor.js'): T {
  const fromServer = createRequire(createRequire(import.meta.url).resolve('@vercel/cosmosdb-server'));
  return fromServer(fromServer.resolve(path)) as T;
}

interface ExecutorModule {
  default: (collection: unknown, options: unknown) => unknown;
}

let installed = false;

/** Installs the linear scan into the query engine the local Cosmos server loads (once per process). */
export function installLinearQueryScan(): void {
  if (installed) return;
  const executor = queryEngineModule<ExecutorModule>('@zeit/cosmosdb-query/lib/executor.js');
  const original = executor.default;
  executor.default = (collection, options) => original(Array.isArray(collection) ? withLinearScan(collection) : collection, options);
  installed = true;
}
