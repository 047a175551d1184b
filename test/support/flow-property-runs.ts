/**
 * How many made-up calls the call flow's property tests play: the same 1,000 every `npm test`, or
 * FLOW_PROPERTY_RUNS new ones (a failure prints its seed and the call that broke it).
 */
const extraRuns = Number(process.env['FLOW_PROPERTY_RUNS'] ?? 0);
export const flowPropertyRuns = extraRuns > 0 ? { numRuns: extraRuns } : { numRuns: 1000, seed: 20261207 };
