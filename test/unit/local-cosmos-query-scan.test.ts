// The local Cosmos's linear query scan (local/cosmos/linear-query-scan.ts) must answer every query
// exactly as the query engine does without it: same documents, same order, same pages.
import fc from 'fast-check';
import { queryEngineModule, withLinearScan } from '../../local/cosmos/linear-query-scan.js';

interface QueryEngine {
  default: (sql: string) => { exec(collection: unknown[], options?: Record<string, unknown>): { result: unknown[]; continuation: { token: string } | null } };
}
const compile = queryEngineModule<QueryEngine>('@zeit/cosmosdb-query').default;

/** Runs `sql` page by page (as the SDK does with maxItemCount), returning every page. */
function pages(collection: () => unknown[], sql: string, parameters: { name: string; value: unknown }[], maxItemCount?: number): unknown[][] {
  const query = compile(sql);
  const out: unknown[][] = [];
  let continuation: { token: string } | undefined;
  do {
    const page = query.exec(collection(), { parameters, maxItemCount, continuation });
    out.push(page.result);
    continuation = page.continuation ?? undefined;
  } while (continuation && out.length < 1000);
  return out;
}

const documents = fc.array(
  fc.record(
    {
      type: fc.constantFrom('call', 'history'),
      callId: fc.constantFrom('c1', 'c2', 'c3'),
      step: fc.integer({ min: 0, max: 20 }),
      outboxSince: fc.constantFrom('2026-12-07T10:00:00Z', '2026-12-07T12:00:00Z'),
      children: fc.array(fc.record({ n: fc.integer({ min: 0, max: 3 }) }), { maxLength: 3 }),
    },
    { requiredKeys: ['type', 'callId', 'step'] },
  ),
  { maxLength: 60 },
).map((docs) => docs.map((doc, i) => ({ ...doc, id: `d${i}`, _rid: `rid${String(i).padStart(4, '0')}` })));

const queries: { sql: string; parameters?: { name: string; value: unknown }[]; pageSizes?: (number | undefined)[] }[] = [
  {
    sql: 'SELECT c.callId FROM c WHERE c.type = @type AND c.outboxSince < @before',
    parameters: [{ name: '@type', value: 'call' }, { name: '@before', value: '2026-12-07T11:00:00Z' }],
  },
  { sql: 'SELECT * FROM c WHERE c.callId = @callId AND c.type = @type', parameters: [{ name: '@callId', value: 'c2' }, { name: '@type', value: 'history' }] },
  { sql: 'SELECT TOP 4 c.id, c.step FROM c ORDER BY c.step DESC' },
  { sql: 'SELECT VALUE COUNT(1) FROM c WHERE IS_DEFINED(c.outboxSince)' },
  { sql: 'SELECT c.id, k.n FROM c JOIN k IN c.children WHERE k.n > 0' },
  // The engine pages by _rid, which the children lack: one page only.
  { sql: 'SELECT * FROM c.children', pageSizes: [undefined] },
  { sql: 'SELECT VALUE c.id FROM c' },
];

describe('the local Cosmos answers queries in linear time with the same results', () => {
  it.each(queries)('$sql: the same pages as the query engine alone, for any documents', ({ sql, parameters = [], pageSizes = [undefined, 1, 7] }) => {
    fc.assert(
      fc.property(documents, fc.constantFrom(...pageSizes), (docs, maxItemCount) => {
        const plain = pages(() => structuredClone(docs), sql, parameters, maxItemCount);
        const linear = pages(() => withLinearScan(structuredClone(docs)), sql, parameters, maxItemCount);
        expect(linear).toEqual(plain);
      }),
      { numRuns: 60 },
    );
  });

  it('leaves any other reduce on the collection as it was', () => {
    const numbers = withLinearScan([1, 2, 3, 4]);
    expect(numbers.reduce((sum, n) => sum + n, 0)).toBe(10);
    expect(numbers.reduce((sum, n) => sum + n)).toBe(10);
    expect(numbers.reduce<number[]>((all, n) => (n % 2 ? [...all, n] : all), [])).toEqual([1, 3]);
  });
});
