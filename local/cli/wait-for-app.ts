/**
 * Waits while the local stack is starting, telling the user once: the local Call Automation is up
 * but the Functions host is not listening yet, or it answers 503 at /api/health (the app is not
 * ready). Any other answer returns at once, and so does a stack that is not there at all (nothing
 * listens at either address): the caller's own request then reports what is wrong.
 */
export async function waitForLocalApp(
  urls: { readonly functions: string; readonly simulator: string },
  say: (line: string) => void,
  options: { readonly timeoutInMs?: number; readonly pollInMs?: number } = {},
): Promise<'ready' | 'notReachable' | 'stillStarting'> {
  const deadline = Date.now() + (options.timeoutInMs ?? 120_000);
  const statusOf = (url: string) => fetch(url).then((r) => r.status, () => undefined);
  let told = false;
  for (;;) {
    const health = await statusOf(`${urls.functions}/api/health`);
    if (health !== undefined && health !== 503) return 'ready';
    if (health === undefined && (await statusOf(urls.simulator)) === undefined) return 'notReachable';
    if (Date.now() >= deadline) return 'stillStarting';
    if (!told) {
      say('The local stack is still starting; waiting for the app…');
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollInMs ?? 250));
  }
}
