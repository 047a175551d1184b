import { holdToneWavFile } from '../bot/media/hold-tone.js';
import type { FunctionDefinition } from './function-definition.js';

/**
 * The built-in music on hold (bot/media/hold-tone.ts), which Call Automation downloads to play to a
 * waiting caller. Public like the callback route: it holds nothing but the tone.
 */
export const holdTone = (): FunctionDefinition => ({
  name: 'holdTone',
  trigger: 'http',
  methods: ['GET'],
  route: 'media/hold-tone.wav',
  handler: async () => ({
    status: 200,
    headers: { 'content-type': 'audio/wav', 'cache-control': 'public, max-age=86400' },
    body: holdToneWavFile(),
  }),
});
