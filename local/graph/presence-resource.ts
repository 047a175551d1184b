/** Graph accepts at most this many user ids in one presence subscription or getPresencesByUserId call. */
export const maxPresenceIdsPerRequest = 650;

/**
 * Reads the user ids out of a presence subscription resource, as Graph accepts them:
 * `communications/presences/{id}` or `/communications/presences?$filter=id in ('{id}', ...)`
 * (leading slash optional, the query possibly percent-encoded, `''` escaping a quote inside an id).
 * Returns undefined when the resource is not a presence resource.
 */
export function parsePresenceResource(resource: string): string[] | undefined {
  const path = resource.trim().replace(/^\//, '');
  const single = /^communications\/presences\/([^/?]+)$/i.exec(path);
  if (single?.[1]) return [decodeURIComponent(single[1])];

  const queryStart = path.indexOf('?');
  if (queryStart < 0 || path.slice(0, queryStart).toLowerCase() !== 'communications/presences') return undefined;
  let query: string;
  try {
    query = decodeURIComponent(path.slice(queryStart + 1).replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
  const filter = /^\$filter=\s*id\s+in\s*\((.*)\)\s*$/is.exec(query);
  if (!filter) return undefined;
  const list = filter[1] ?? '';
  const ids: string[] = [];
  const item = /\s*'((?:[^']|'')*)'\s*(,|$)/gy;
  let consumed = 0;
  let closed = false;
  for (let match = item.exec(list); match; match = item.exec(list)) {
    ids.push((match[1] ?? '').replace(/''/g, "'"));
    consumed = item.lastIndex;
    closed = match[2] === '';
    if (closed) break;
  }
  if (!closed || consumed !== list.length) return undefined;
  return ids;
}
