import { acsResults, type ResultInformation } from './acs-result-codes.js';
import { wavFormatProblem } from './wav-format.js';

const downloadTimeoutInMs = 5000;

/** Hosts the emulator can reach: this machine. It has no internet, so other hosts are judged by the file name alone. */
function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

/** Every `{ file: { uri } }` play source anywhere in a request body (play, recognize prompts, hold music). */
function fileUrisIn(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const item of value) fileUrisIn(item, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const uri = key === 'file' && inner !== null && typeof inner === 'object' ? (inner as { uri?: unknown }).uri : undefined;
      if (typeof uri === 'string') into.add(uri);
      else fileUrisIn(inner, into);
    }
  }
  return into;
}

/**
 * Audio files a play names, downloaded and checked as Call Automation checks them: a file it cannot
 * download fails the play with 8536, one that is not mono 16-bit PCM at 16 kHz with 8535. Only
 * files on this machine (the app's built-in hold tone, a test's server) can be downloaded; the
 * others are judged by their name, as before (`.wav` plays).
 */
export class MediaFiles {
  private readonly problems = new Map<string, ResultInformation | undefined>();

  /** Downloads the local files a request body names (hold music: checked before the request is answered). */
  async download(body: Buffer): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return;
    }
    await this.fetchAll(fileUrisIn(json));
  }

  /**
   * Downloads the local files among `uris` as a play or recognize starts, after its request was
   * answered (202), as Call Automation does; undefined when there is none to download.
   */
  fetchAll(uris: Iterable<string>): Promise<void> | undefined {
    const local = [...uris].flatMap((uri) => {
      try {
        const url = new URL(uri);
        return isLoopback(url) ? [{ uri, url }] : [];
      } catch {
        return [];
      }
    });
    if (local.length === 0) return undefined;
    return Promise.all(local.map(async ({ uri, url }) => void this.problems.set(uri, await this.check(url)))).then(() => undefined);
  }

  /** Why the file at `uri` cannot be played, or undefined; decided by name for files never downloaded. */
  problemOf(uri: string): ResultInformation | undefined {
    if (this.problems.has(uri)) return this.problems.get(uri);
    let path: string;
    try {
      path = new URL(uri).pathname.toLowerCase();
    } catch {
      return acsResults.invalidFileFormat;
    }
    return path.endsWith('.wav') ? undefined : acsResults.invalidFileFormat;
  }

  private async check(url: URL): Promise<ResultInformation | undefined> {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(downloadTimeoutInMs) });
      if (!response.ok) return acsResults.downloadFailed;
      return wavFormatProblem(new Uint8Array(await response.arrayBuffer())) === undefined ? undefined : acsResults.invalidFileFormat;
    } catch {
      return acsResults.downloadFailed;
    }
  }
}
