// `switchboard call`: the caller's script in the order given, and mistakes named before dialling.
import { parseCallArguments } from '../../local/cli/place-call.js';

describe('switchboard call arguments', () => {
  it('keeps the caller steps in the order given, and the time to call at', () => {
    const parsed = parseCallArguments(['--press', '1', '--say', 'where is my order', '--silence', '--at', '2026-11-26T22:00:00-05:00', '--hang-up']);
    expect(parsed).toEqual({
      ok: true,
      value: { from: '+14255550123', to: '+12125550100', at: '2026-11-26T22:00:00-05:00', script: [{ press: '1' }, { say: 'where is my order' }, { silence: true }, { hangUp: true }] },
    });
  });

  it('refuses a time without its UTC offset, keys that are not keys, and numbers that are not E.164', () => {
    expect(parseCallArguments(['--at', '2026-11-26 22:00'])).toMatchObject({ ok: false, error: expect.stringContaining('--at takes a moment with its UTC offset') });
    expect(parseCallArguments(['--press', '12a'])).toMatchObject({ ok: false, error: expect.stringContaining('--press takes keypad keys') });
    expect(parseCallArguments(['--to', '2125550100'])).toMatchObject({ ok: false, error: expect.stringContaining('--to must be an E.164 number') });
  });
});
