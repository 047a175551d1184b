import { signedInApi } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** The skills an expert can be consulted on, with how many agents have each and are free now. */
export const skills = (app: SwitchboardProvider): FunctionDefinition =>
  signedInApi(app, { name: 'skills', method: 'GET', route: 'skills' }, () => 'member', (switchboard) => switchboard.listSkills());
