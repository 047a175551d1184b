import { signedInApi } from './api-guard.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';

/** A data subject's erasure request (admins): the personal data of their ended calls goes. */
export const personalDataErase = (app: SwitchboardProvider): FunctionDefinition =>
  signedInApi(app, { name: 'personal-data-erase', method: 'POST', route: 'personal-data/erase' }, () => 'admin', (switchboard, _request, body) => switchboard.erasePersonalData(body));
