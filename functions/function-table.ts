import { callEvents } from './call-events.js';
import { callHistory } from './call-history.js';
import type { FunctionDefinition, SwitchboardProvider } from './function-definition.js';
import { holdTone } from './hold-tone.js';
import { incomingCall } from './incoming-call.js';
import { recordingFileStatus } from './recording-file-status.js';
import { agents } from './agents.js';
import { callConsult } from './call-consult.js';
import { callTransfer } from './call-transfer.js';
import { agentState } from './agent-state.js';
import { agentWrapUp } from './agent-wrap-up.js';
import { presenceNotifications } from './presence-notifications.js';
import { outboxSweep } from './outbox-sweep.js';
import { presenceRefresh } from './presence-refresh.js';
import { queueStatistics } from './queue-statistics.js';
import { queues } from './queues.js';
import { personalDataErase } from './personal-data-erase.js';
import { skills } from './skills.js';
import { routingDeadLetterList } from './routing-dead-letter-list.js';
import { route } from './route.js';
import { routingDeadLetters } from './routing-dead-letters.js';

/** Every function of the app. The Azure registration and the local host both read this list. */
export function createFunctionTable(app: SwitchboardProvider): FunctionDefinition[] {
  return [
    incomingCall(app),
    recordingFileStatus(app),
    callEvents(app),
    callHistory(app),
    callConsult(app),
    callTransfer(app),
    route(app),
    routingDeadLetters(app),
    agents(app),
    agentState(app),
    agentWrapUp(app),
    queueStatistics(app),
    queues(app),
    personalDataErase(app),
    skills(app),
    routingDeadLetterList(app),
    presenceNotifications(app),
    presenceRefresh(app),
    outboxSweep(app),
    holdTone(),
  ];
}
