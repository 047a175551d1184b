import type { EventGridEvent, HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import type { Switchboard } from '../bot/wiring.js';

/** Resolves the wired app lazily: settings are read on first use, once per process. */
export type SwitchboardProvider = () => Promise<Switchboard>;

/**
 * One function of the app, independent of who hosts it: `functions/index.ts` registers these with
 * the Azure Functions host; `local/host` serves the very same objects.
 */
export type FunctionDefinition =
  | {
      readonly name: string;
      readonly trigger: 'http';
      readonly methods: readonly ('GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE')[];
      readonly route: string;
      readonly handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
    }
  | {
      readonly name: string;
      readonly trigger: 'eventGrid';
      readonly handler: (event: EventGridEvent, context: InvocationContext) => Promise<void>;
    }
  | {
      readonly name: string;
      readonly trigger: 'serviceBusQueue';
      /** App setting that names the queue (the host resolves `%NAME%`). */
      readonly queueNameSetting: string;
      readonly defaultQueueName: string;
      /** Read the queue's dead-letter sub-queue (`<queue>/$DeadLetterQueue`). */
      readonly deadLetterQueue?: boolean;
      readonly connection: 'ServiceBusConnection';
      readonly isSessionsEnabled: boolean;
      readonly handler: (message: unknown, context: InvocationContext) => Promise<void>;
    }
  | {
      readonly name: string;
      readonly trigger: 'timer';
      /** NCRONTAB for the Functions host. */
      readonly schedule: string;
      /** The same period for the local host, which runs timers on an interval. */
      readonly periodInMs: number;
      readonly handler: (timer: Timer, context: InvocationContext) => Promise<void>;
    };
